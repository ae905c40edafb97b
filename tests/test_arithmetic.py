"""Parameter counts and output sizes: the lectures' worked examples and formulas, by hand, and Keras's counts.

(tests/test_conv_arithmetic_keras.py checks the output sizes against Keras layers.)
"""

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_utils.arithmetic import (conv2d_params, conv_output_shape, conv_output_size, dense_params,
                                     dilated_kernel_size, padding_per_axis, padding_zeros, pool_output_shape,
                                     pool_output_size, receptive_field, same_padding, transposed_conv_output_shape,
                                     transposed_conv_output_size)


def test_dense_layer_on_a_640x480_image():
    assert dense_params(640 * 480 * 3, 1000) == 921_601_000  # Ollion and Grisel's lecture: "= 922M"


@pytest.mark.parametrize(("n_inputs", "units", "bias"), [(784, 256, True), (12, 7, False), (1, 1, True)])
def test_dense_params_match_keras(n_inputs, units, bias):
    import keras

    model = keras.Sequential([keras.Input((n_inputs,)), keras.layers.Dense(units, use_bias=bias)])
    assert dense_params(n_inputs, units, bias=bias) == model.count_params()


@pytest.mark.parametrize(("kernel_size", "in_channels", "filters", "bias"),
                         [(3, 3, 64, True), ((5, 3), 2, 7, True), (1, 16, 8, False), (11, 3, 96, True)])
def test_conv2d_params_match_keras(kernel_size, in_channels, filters, bias):
    import keras

    model = keras.Sequential([keras.Input((32, 32, in_channels)),
                              keras.layers.Conv2D(filters, kernel_size, use_bias=bias)])
    assert conv2d_params(kernel_size, in_channels, filters, bias=bias) == model.count_params()


def test_alexnet_conv1_as_ollion_and_grisels_lecture_counts_it():
    assert conv2d_params(11, 3, 96) == 34_944


@pytest.mark.parametrize(("call", "words"), [
    (lambda: dense_params(0, 10), "n_inputs must be a positive int, got 0"),
    (lambda: dense_params(10, 2.5), "units must be a positive int, got 2.5"),
    (lambda: conv2d_params(-3, 3, 8), "kernel_size must be a positive int, got -3"),
    (lambda: conv2d_params((3, 3, 3), 3, 8), "kernel_size must be an int or a pair"),
    (lambda: conv2d_params(3, True, 8), "in_channels must be a positive int, got True"),
    (lambda: conv2d_params(3, 3, "8"), "filters must be a positive int"),
])
def test_bad_arguments_get_clear_errors(call, words):
    with pytest.raises(ValueError, match=words.replace("(", r"\(")):
        call()


# Output sizes: the lectures' worked examples and formulas, by hand.

ONE_AXIS = "padding must be 'valid', 'same', a non-negative int or a (before, after) pair of them; got "
"""The start of the one padding parser's message for one axis (the given value follows)."""

def test_pities_stride_examples_on_16x16_with_3x3():
    assert [conv_output_shape((16, 16), 3, strides=s) for s in (1, 2, 3, 4)] == [(14, 14), (7, 7), (5, 5), (4, 4)]


def test_pities_conv2d_6_5x5_valid_on_443x592x3():
    assert conv_output_shape((443, 592), (5, 5), padding="valid") == (439, 588)
    assert conv2d_params(5, 3, 6, bias=False) == 450 and conv2d_params(5, 3, 6) == 456


def test_pities_transposed_example_10x8_to_21x17():
    assert transposed_conv_output_shape((10, 8), 3, strides=2) == (21, 17)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.integers(1, 60), st.integers(1, 9), st.integers(1, 4), st.integers(0, 4))
def test_lecture_formula_w_minus_f_plus_2p_over_s_plus_1(w, f, s, p):
    """O = (W - F + 2P)/S + 1 when S divides W - F + 2P (the lectures' case), floored otherwise."""
    if f > w + 2 * p:
        return
    assert conv_output_size(w, f, stride=s, padding=p) == int(np.floor((w - f + 2 * p) / s)) + 1


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.integers(1, 60), st.integers(1, 9), st.integers(1, 4), st.integers(0, 4), st.integers(1, 4))
def test_dilated_formula(m, n, s, p, d):
    """floor((m + 2p - n - (n - 1)(d - 1)) / s) + 1, the dilated form in the 'Key concepts' chapter."""
    if n + (n - 1) * (d - 1) > m + 2 * p or (s > 1 and d > 1):
        return
    assert conv_output_size(m, n, stride=s, padding=p, dilation=d) == (m + 2 * p - n - (n - 1) * (d - 1)) // s + 1


def test_same_padding_keeps_the_size_at_stride_1_and_divides_it_by_the_stride():
    assert [conv_output_size(n, 3, padding="same") for n in (1, 7, 28)] == [1, 7, 28]
    assert [conv_output_size(n, 4, padding="same", stride=2) for n in (7, 8, 9)] == [4, 4, 5]
    assert conv_output_size(7, 3, padding=(2, 0)) == 7 - 3 + 2 + 1


def test_transposed_sizes_by_hand():
    assert transposed_conv_output_size(4, 3, stride=2, padding="valid") == 9  # 4 inputs, 3 zeros between, 2 + 2 border
    assert transposed_conv_output_size(4, 1, stride=3) == 12  # span 1 < stride: stride per input
    assert transposed_conv_output_size(4, 3, stride=2, output_padding=1) == 3 * 2 + 3 + 1
    assert transposed_conv_output_size(4, 3, stride=2, padding="same") == 8
    assert transposed_conv_output_size(4, 3, stride=2, padding="same", output_padding=0) == 7


@pytest.mark.parametrize("stride", [1, 2, 3])
@pytest.mark.parametrize("size", [5, 8, 13])
def test_transposed_conv_inverts_the_size_of_a_strided_conv(size, stride):
    """With output_padding (valid padding), a transposed conv gives back each size that a conv maps down."""
    out = conv_output_size(size, 3, stride=stride)
    back = transposed_conv_output_size(out, 3, stride=stride, output_padding=(size - 3) % stride)
    assert back == size


def test_pooling_sizes():
    assert pool_output_size(28, 2) == 14 and pool_output_size(27, 2) == 13  # (27 - 2) // 2 + 1
    assert pool_output_size(7, 3, stride=2) == 3 and pool_output_size(7, 2, padding="same") == 4
    assert pool_output_shape((28, 20), 2) == (14, 10)


def test_dilated_kernel_span():
    assert [dilated_kernel_size(3, d) for d in (1, 2, 3)] == [3, 5, 7]


@pytest.mark.parametrize(("kernels", "strides", "dilations", "expected"), [
    ([3, 3], None, None, (5, 1)),
    ([3, 3, 3], None, None, (7, 1)),  # each 3x3 layer adds 2
    ([3, 2, 3], [1, 2, 1], None, (8, 2)),
    ([3, 3, 3], None, [1, 2, 4], (15, 1)),  # WaveNet-style doubling: 1 + 2 + 4 + 8
    ([5, 2, 3, 2], [1, 2, 1, 2], None, (5 + 1 + 2 * 2 + 2, 4)),  # lesson 04's convnet: conv5, pool2, conv3, pool2
    ([11], [4], None, (11, 4)),  # AlexNet conv1
])
def test_receptive_field_by_hand(kernels, strides, dilations, expected):
    assert receptive_field(kernels, strides, dilations) == expected


def test_receptive_field_takes_any_sequence():
    assert receptive_field((3, 2, 3), strides=np.array([1, 2, 1])) == (8, 2)
    assert receptive_field(range(3, 4)) == (3, 1)


@pytest.mark.parametrize(("call", "words"), [
    (lambda: conv_output_size(4, 5), "kernel_size=5 with dilation=1 spans 5 pixels, more than the padded input"),
    (lambda: conv_output_size(6, 3, dilation=3), "spans 7 pixels"),
    (lambda: conv_output_size(8, 3, stride=2, dilation=2), "dilation=2 together with stride=2"),
    (lambda: conv_output_shape((8, 8), 3, strides=(2, 1), dilation=(1, 2)), "dilation=2 together with stride=2"),
    (lambda: conv_output_size(8, 3, padding="full"), ONE_AXIS + "'full'."),
    (lambda: conv_output_size(8, 3, padding=-1), ONE_AXIS + "-1."),
    (lambda: conv_output_size(8, 3, padding=(1, 2, 3)), "a (before, after) pair of them; got (1, 2, 3)."),
    (lambda: conv_output_size(0, 3), "size must be a positive int, got 0"),
    (lambda: conv_output_size(8, 3, stride=0), "stride must be a positive int, got 0"),
    (lambda: transposed_conv_output_size(4, 3, stride=2, output_padding=2),
     "output_padding must be smaller than stride"),
    (lambda: transposed_conv_output_size(4, 3, padding=1),
     "padding must be 'valid' or 'same' (the only modes Keras offers here); got 1."),
    (lambda: transposed_conv_output_size(1, 2, padding="same", output_padding=0), "empty output"),
    (lambda: pool_output_size(3, 5), "pool_size=5 is larger than the input (size=3)"),
    (lambda: pool_output_size(8, 2, padding=1), "padding must be 'valid' or 'same'"),
    (lambda: conv_output_shape((8, 8, 3), 3), "input_shape must be (height, width)"),
    (lambda: conv_output_shape((8, 8), (3, 3, 3)), "kernel_size must be an int or a pair"),
    (lambda: receptive_field([]), "kernel_sizes must list at least one layer"),
    (lambda: receptive_field(3), "kernel_sizes must be a sequence of positive ints, one per layer; got 3"),
    (lambda: receptive_field([3, 3], strides=[2]), "strides must be a list of 2 positive ints"),
    (lambda: receptive_field([3, 0]), "kernel_sizes must be a positive int, got 0"),
    (lambda: receptive_field([3, 3], dilations=[1, -2]), "dilations must be a positive int, got -2"),
])
def test_bad_sizes_get_clear_errors(call, words):
    with pytest.raises(ValueError, match=re.escape(words)):
        call()


# Padding specs: the one parser (padding_zeros for one axis, padding_per_axis for an image), and the
# modules that use it (conv_output_shape, convolution.conv2d, padding.pad, the explorer) agreeing with Keras.

@pytest.mark.parametrize(("padding", "zeros"), [
    ("valid", (0, 0)), ("same", (1, 2)), (0, (0, 0)), (3, (3, 3)), (np.int64(2), (2, 2)),
    ((0, 3), (0, 3)), ([2, 1], (2, 1)), ((np.int32(1), 0), (1, 0)),
])
def test_padding_zeros_takes_every_form(padding, zeros):
    got = padding_zeros(8, 4, padding=padding)
    assert got == zeros and all(type(n) is int for n in got)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.integers(1, 40), st.integers(1, 7), st.integers(1, 4), st.integers(1, 3))
def test_same_zeros_are_same_padding_and_give_ceil_size_over_stride(size, kernel, stride, dilation):
    if stride > 1 and dilation > 1:  # Keras refuses both at once
        return
    zeros = padding_zeros(size, kernel, stride=stride, padding="same", dilation=dilation)
    assert zeros == same_padding(size, kernel, stride=stride, dilation=dilation)
    assert zeros[1] - zeros[0] in (0, 1)  # Keras/TensorFlow: an odd total puts the extra zero after
    assert conv_output_size(size, kernel, stride=stride, padding="same", dilation=dilation) == -(-size // stride)
    assert conv_output_size(size, kernel, stride=stride, padding=zeros, dilation=dilation) == -(-size // stride)


@pytest.mark.parametrize("padding", [True, False, -1, 1.5, np.float64(2.0), (1, 2, 3), (1,), (1, -1), (1, True),
                                     ((1, 2), 1), "SAME", "full", None])
def test_padding_zeros_refuses_anything_else_naming_padding_and_what_it_takes(padding):
    with pytest.raises(ValueError, match=re.escape(ONE_AXIS + repr(padding) + ".")):
        padding_zeros(8, 3, padding=padding)


@pytest.mark.parametrize(("padding", "axes", "specs"), [
    ("valid", 2, ("valid", "valid")),
    ("same", 2, ("same", "same")),
    (2, 2, ((2, 2), (2, 2))),
    ((1, 2), 2, ((1, 1), (2, 2))),  # (pad_h, pad_w), as ZeroPadding2D reads a pair
    (((1, 0), (2, 3)), 2, ((1, 0), (2, 3))),
    (((1, 0), 2), 2, ((1, 0), (2, 2))),
    ((1, 2), 1, ((1, 2),)),  # a row: the pair is (before, after)
    ("same", 1, ("same",)),
])
def test_padding_per_axis_splits_every_form(padding, axes, specs):
    assert padding_per_axis(padding, axes) == specs


@pytest.mark.parametrize(("call", "words"), [
    (lambda: padding_per_axis("full"), "padding must be 'valid', 'same', a non-negative int, (pad_h, pad_w) or "
                                       "((top, bottom), (left, right)); got 'full'."),
    (lambda: padding_per_axis(True), "(pad_h, pad_w) or ((top, bottom), (left, right)); got True."),
    (lambda: padding_per_axis((1, 2, 3)), "(pad_h, pad_w) or ((top, bottom), (left, right)); got (1, 2, 3)."),
    (lambda: padding_per_axis(("same", 1)),
     "padding for the height must be a non-negative int or a (before, after) pair of them; got 'same'."),
    (lambda: padding_per_axis(((1, 2), (3, -4))),
     "padding for the width must be a non-negative int or a (before, after) pair of them; got (3, -4)."),
    (lambda: padding_per_axis("same", modes=()),
     "padding must be a non-negative int, (pad_h, pad_w) or ((top, bottom), (left, right)); got 'same'."),
    (lambda: padding_per_axis(None, 1), ONE_AXIS + "None."),
    (lambda: padding_per_axis(1, 3), "axes must be 1 (a row) or 2 (an image); got 3."),
    (lambda: conv_output_shape((8, 8), 3, padding=(1, 2, 3)), "(pad_h, pad_w) or ((top, bottom), (left, right)); got"),
])
def test_padding_per_axis_refuses_anything_else(call, words):
    with pytest.raises(ValueError, match=re.escape(words)):
        call()


def _keras_output(image, kernel, strides, padding):
    """Keras's Conv2D on ``image`` (H, W) with ``kernel`` (F_h, F_w): explicit zeros through ZeroPadding2D."""
    import keras

    layers = [] if isinstance(padding, str) else [keras.layers.ZeroPadding2D(padding)]
    conv = keras.layers.Conv2D(1, kernel.shape, strides=strides, padding=padding if layers == [] else "valid",
                               use_bias=False, dtype="float32")
    x = image[None, ..., None].astype("float32")
    for layer in layers:
        x = layer(x)
    conv.build(x.shape)
    conv.set_weights([kernel[..., None, None].astype("float32")])
    return keras.ops.convert_to_numpy(conv(x))[0, ..., 0]


@pytest.mark.parametrize(("shape", "kernel_size", "strides", "padding"), [
    ((8, 7), (4, 2), 2, "same"),  # stride 2, even kernel: Keras's extra zero goes after
    ((7, 9), (4, 3), (2, 3), "same"),
    ((6, 5), (2, 3), 1, "same"),
    ((6, 5), (3, 3), 1, "valid"),
    ((5, 5), (3, 3), 2, 1),
    ((6, 5), (2, 3), 1, (1, 2)),
    ((5, 6), (3, 2), 1, ((2, 0), (1, 3))),
])
def test_conv2d_pad_conv_output_shape_and_keras_agree_on_the_zeros(shape, kernel_size, strides, padding):
    from course_utils.convolution import conv2d
    from course_utils.padding import pad

    rng = np.random.default_rng(0)
    image, kernel = rng.normal(size=shape), rng.normal(size=kernel_size)
    stride_pair = strides if isinstance(strides, tuple) else (strides, strides)
    zeros = tuple(padding_zeros(n, f, stride=s, padding=p) for n, f, s, p in zip(
        shape, kernel_size, stride_pair, padding_per_axis(padding)))

    keras_zeros = _keras_output(np.zeros(shape), kernel, strides, padding)  # a small zero input: its shape
    ours = conv2d(image, kernel, strides, padding=padding)
    assert ours.shape == conv_output_shape(shape, kernel_size, strides=strides, padding=padding) == keras_zeros.shape
    # the same zeros, given explicitly to conv2d, to pad and to Keras's ZeroPadding2D, give the same numbers
    np.testing.assert_allclose(conv2d(image, kernel, strides, padding=zeros), ours)
    np.testing.assert_allclose(conv2d(pad(image, zeros), kernel, strides), ours)
    np.testing.assert_allclose(_keras_output(image, kernel, strides, padding), ours, atol=1e-4)
    np.testing.assert_allclose(_keras_output(image, kernel, strides, zeros), ours, atol=1e-4)


@pytest.mark.parametrize(("size", "kernel_size", "stride", "padding"), [
    (8, 4, 2, "same"), (7, 3, 2, "same"), (6, 2, 1, "same"), (5, 3, 2, 1), (5, 3, 1, "valid"),
])
def test_the_explorer_draws_the_zeros_conv2d_pads_with(size, kernel_size, stride, padding):
    import matplotlib.pyplot as plt

    from course_utils.convolution import conv2d
    from course_utils.explorer import draw_convolution, output_size_formula

    before, after = padding_zeros(size, kernel_size, stride=stride, padding=padding)
    fig = draw_convolution(size, kernel_size, stride=stride, padding=padding)
    try:
        ax_in = fig.axes[0]
        inside = [p.get_xy() for p in ax_in.patches if p.get_gid() == "input"]
        assert ax_in.get_xlim() == (0, size + before + after) and min(inside) == (before, before)
    finally:
        plt.close(fig)
    out = conv_output_size(size, kernel_size, stride=stride, padding=padding)
    assert conv2d(np.zeros((size, size)), np.ones((kernel_size, kernel_size)), stride, padding=padding).shape == (
        out, out) == conv_output_shape((size, size), kernel_size, strides=stride, padding=padding)
    text = output_size_formula(size, kernel_size, stride=stride, padding=padding)
    assert text.endswith(f"adds {before} zero{'s' * (before != 1)} before and {after} after)" if padding == "same"
                         else f"floor(({size} + 2*{before} - 1*({kernel_size} - 1) - 1) / {stride}) + 1 = {out}")


def test_the_explorer_refuses_a_pair_its_single_p_cannot_show():
    from course_utils.explorer import output_size_formula

    with pytest.raises(ValueError, match=re.escape("padding must be 'valid', 'same' or an int (zeros on every side); "
                                                   "got (1, 2): the formula has a single P")):
        output_size_formula(7, 3, padding=(1, 2))
