"""The numpy convolutions agree with scipy.signal and with Keras Conv2D, and reject bad arguments."""

import re

import numpy as np
import pytest
import scipy.ndimage
import scipy.signal
from hypothesis import given, settings
from hypothesis import strategies as st

from course_utils.convolution import KERNELS, conv2d, conv2d_loops, conv_as_matrix, convolve2d, flip_kernel


@st.composite
def image_and_kernel(draw):
    h, w = draw(st.integers(1, 12)), draw(st.integers(1, 12))
    f_h, f_w = draw(st.integers(1, h)), draw(st.integers(1, w))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    return rng.normal(size=(h, w)), rng.normal(size=(f_h, f_w))


@settings(max_examples=150, deadline=None, derandomize=True)
@given(image_and_kernel())
def test_both_versions_equal_scipy_correlate_and_convolve(pair):
    image, kernel = pair
    expected = scipy.signal.correlate2d(image, kernel, mode="valid")
    np.testing.assert_allclose(conv2d(image, kernel), expected, atol=1e-10)
    np.testing.assert_allclose(conv2d_loops(image, kernel), expected, atol=1e-10)
    np.testing.assert_allclose(convolve2d(image, kernel), scipy.signal.convolve2d(image, kernel, mode="valid"),
                               atol=1e-10)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(image_and_kernel(), st.integers(1, 4), st.integers(1, 4))
def test_stride_keeps_every_sth_output(pair, s_h, s_w):
    image, kernel = pair
    full = scipy.signal.correlate2d(image, kernel, mode="valid")
    np.testing.assert_allclose(conv2d(image, kernel, stride=(s_h, s_w)), full[::s_h, ::s_w], atol=1e-10)
    np.testing.assert_allclose(conv2d_loops(image, kernel, stride=(s_h, s_w)), full[::s_h, ::s_w], atol=1e-10)


def test_colour_kernel_sums_the_channels():
    rng = np.random.default_rng(0)
    image, kernel = rng.normal(size=(9, 8, 3)), rng.normal(size=(3, 2, 3))
    expected = sum(scipy.signal.correlate2d(image[..., c], kernel[..., c], mode="valid") for c in range(3))
    np.testing.assert_allclose(conv2d(image, kernel), expected, atol=1e-10)
    np.testing.assert_allclose(conv2d_loops(image, kernel), expected, atol=1e-10)


@pytest.mark.parametrize("stride", [1, 2, (1, 3)])
def test_equals_keras_conv2d(stride):
    import keras

    rng = np.random.default_rng(1)
    image = rng.normal(size=(13, 11, 3)).astype(np.float32)
    kernel = rng.normal(size=(3, 4, 3, 5)).astype(np.float32)
    layer = keras.layers.Conv2D(5, (3, 4), strides=stride, padding="valid", use_bias=False, dtype="float32")
    layer.build((None, 13, 11, 3))
    layer.set_weights([kernel])
    expected = keras.ops.convert_to_numpy(layer(image[None]))[0]
    np.testing.assert_allclose(conv2d(image, kernel, stride), expected, atol=1e-4)
    np.testing.assert_allclose(conv2d_loops(image, kernel, stride), expected, atol=1e-4)


def test_flip_turns_the_kernel_by_180_degrees():
    kernel = np.arange(6).reshape(2, 3)
    np.testing.assert_array_equal(flip_kernel(kernel), np.rot90(kernel, 2))


def test_conv_as_matrix_reproduces_conv2d():
    kernel = KERNELS["sharpen"]
    image = np.random.default_rng(2).normal(size=(5, 7))
    matrix = conv_as_matrix(image.shape, kernel)
    assert matrix.shape == (3 * 5, 35)
    np.testing.assert_allclose(matrix @ image.ravel(), conv2d(image, kernel).ravel())


def test_the_kernels_of_khanzhinas_lecture():
    assert KERNELS["blur"].shape == (3, 3) and KERNELS["blur"].sum() == 9
    assert KERNELS["edge"].sum() == 0 and KERNELS["edge"][1, 1] == -4
    assert KERNELS["sharpen"].sum() == 1 and KERNELS["sharpen"][1, 1] == 5


@pytest.mark.parametrize("function", [conv2d, conv2d_loops, convolve2d])
@pytest.mark.parametrize(("image", "kernel", "stride", "words"), [
    (np.zeros(5), np.ones((3, 3)), 1, "image must be 2-D"),
    (np.zeros((2, 5, 5, 3)), np.ones((3, 3)), 1, "image must be 2-D"),
    (np.zeros((5, 5)), np.ones((3, 3, 1)), 1, "kernel for a 2-D image"),
    (np.zeros((5, 5, 3)), np.ones((3, 3)), 1, "kernel for a 3-D image"),
    (np.zeros((5, 5, 3)), np.ones((3, 3, 2)), 1, "2 input channels but the image has 3"),
    (np.zeros((4, 5)), np.ones((5, 3)), 1, "larger than the 4x5 image"),
    (np.zeros((5, 5)), np.ones((3, 3)), 0, "stride must be a positive int"),
    (np.zeros((5, 5)), np.ones((3, 3)), -2, "got -2"),
    (np.zeros((5, 5)), np.ones((3, 3)), 1.5, "stride must be a positive int"),
    (np.zeros((5, 5)), np.ones((3, 3)), (1, 2, 3), "pair of positive ints"),
    (np.zeros((5, 5)), np.ones((0, 3)), 1, "must not be empty"),
])
def test_bad_arguments_get_clear_errors(function, image, kernel, stride, words):
    with pytest.raises(ValueError, match=words.replace("(", r"\(")):
        function(image, kernel, stride)


# Padding, dilation and 'same': against scipy.ndimage (its own padding modes) and Keras.

SCIPY_MODES = {"zero": "constant", "replicate": "nearest", "symmetric": "reflect", "reflect": "mirror", "wrap": "wrap"}


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.integers(2, 12), st.integers(2, 12), st.sampled_from([1, 3, 5]), st.sampled_from([1, 3]),
       st.sampled_from(sorted(SCIPY_MODES)), st.integers(0, 2**16))
def test_same_padding_in_every_mode_equals_scipy_ndimage(h, w, f_h, f_w, mode, seed):
    """For odd kernels, 'same' output = scipy.ndimage.correlate, whose modes have other names."""
    if mode == "reflect" and min(h, w) < max(f_h, f_w) // 2 + 1:
        return  # numpy and scipy reflect differently once the padding is wider than the image
    rng = np.random.default_rng(seed)
    image, kernel = rng.normal(size=(h, w)), rng.normal(size=(f_h, f_w))
    expected = scipy.ndimage.correlate(image, kernel, mode=SCIPY_MODES[mode])
    np.testing.assert_allclose(conv2d(image, kernel, padding="same", mode=mode), expected, atol=1e-10)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(image_and_kernel(), st.integers(1, 3), st.integers(1, 3))
def test_dilation_equals_a_kernel_with_zeros_inserted(pair, d_h, d_w):
    image, kernel = pair
    holes = np.zeros((d_h * (kernel.shape[0] - 1) + 1, d_w * (kernel.shape[1] - 1) + 1))
    holes[::d_h, ::d_w] = kernel
    if holes.shape[0] > image.shape[0] or holes.shape[1] > image.shape[1]:
        return
    expected = scipy.signal.correlate2d(image, holes, mode="valid")
    np.testing.assert_allclose(conv2d(image, kernel, dilation=(d_h, d_w)), expected, atol=1e-10)


def test_explicit_padding_is_pad_then_valid():
    rng = np.random.default_rng(3)
    image, kernel = rng.normal(size=(6, 5)), rng.normal(size=(3, 3))
    padded = np.pad(image, ((2, 0), (1, 1)), mode="wrap")
    np.testing.assert_allclose(conv2d(image, kernel, padding=((2, 0), 1), mode="wrap"),
                               scipy.signal.correlate2d(padded, kernel, mode="valid"), atol=1e-10)


@pytest.mark.parametrize(("size", "kernel_size", "strides", "padding", "dilation"), [
    ((13, 11), (3, 4), 1, "same", 1),
    ((13, 11), (3, 4), 2, "same", 1),
    ((12, 12), 4, (3, 2), "same", 1),
    ((13, 11), (3, 2), 1, "valid", 2),
    ((13, 11), 3, 1, "same", (2, 3)),
    ((16, 16), 3, 2, "valid", 1),
])
def test_equals_keras_conv2d_with_padding_strides_and_dilation(size, kernel_size, strides, padding, dilation):
    import keras

    rng = np.random.default_rng(4)
    f_h, f_w = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    image = rng.normal(size=(*size, 3)).astype(np.float32)
    kernel = rng.normal(size=(f_h, f_w, 3, 2)).astype(np.float32)
    layer = keras.layers.Conv2D(2, kernel_size, strides=strides, padding=padding, dilation_rate=dilation,
                                use_bias=False, dtype="float32")
    layer.build((None, *size, 3))
    layer.set_weights([kernel])
    expected = keras.ops.convert_to_numpy(layer(image[None]))[0]
    np.testing.assert_allclose(conv2d(image, kernel, strides, padding=padding, dilation=dilation), expected, atol=1e-4)


def test_explicit_zero_padding_equals_keras_zeropadding2d_then_conv2d():
    import keras

    rng = np.random.default_rng(5)
    image, kernel = rng.normal(size=(9, 7, 1)).astype(np.float32), rng.normal(size=(3, 3, 1, 1)).astype(np.float32)
    conv = keras.layers.Conv2D(1, 3, use_bias=False, dtype="float32")
    conv.build((None, 11, 10, 1))
    conv.set_weights([kernel])
    expected = keras.ops.convert_to_numpy(conv(keras.layers.ZeroPadding2D(((2, 0), (1, 2)))(image[None])))[0]
    np.testing.assert_allclose(conv2d(image, kernel, padding=((2, 0), (1, 2))), expected, atol=1e-4)


def test_stride_with_dilation_is_allowed_in_numpy():
    image = np.arange(49.0).reshape(7, 7)
    np.testing.assert_allclose(conv2d(image, np.ones((2, 2)), stride=2, dilation=2),
                               conv2d(image, np.ones((2, 2)), dilation=2)[::2, ::2])


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"padding": "full"}, "padding must be 'valid', 'same', a non-negative int, (pad_h, pad_w) or "
                          "((top, bottom), (left, right)); got 'full'."),
    ({"padding": 1, "mode": "mirror"}, "mode must be one of zero, replicate"),
    ({"mode": "edge"}, "mode must be one of"),
    ({"dilation": 0}, "dilation must be a positive int, got 0"),
    ({"dilation": 3}, "kernel of size 3x3 (dilated to span 7x7) is larger than the 5x5 image"),
    ({"dilation": 4, "padding": 1}, "(dilated to span 9x9) is larger than the 5x5 image padded to 7x7"),
    ({"padding": -1}, "padding must be 'valid', 'same', a non-negative int, (pad_h, pad_w) or "
                      "((top, bottom), (left, right)); got -1."),
])
def test_bad_padding_and_dilation_get_clear_errors(kwargs, words):
    with pytest.raises(ValueError, match=re.escape(words)):
        conv2d(np.zeros((5, 5)), np.ones((3, 3)), **kwargs)
