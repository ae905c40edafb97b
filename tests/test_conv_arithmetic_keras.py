"""The output-size helpers equal what Keras builds, over generated sizes, kernels, strides, dilations, paddings.

Each generated combination goes through the Keras layer's ``compute_output_shape`` (cheap), and a
sample of them through the real layer called on a zero tensor.  A combination Keras refuses, or
whose output would be empty, must make the helper raise ``ValueError``.

"The shapes agree" is checked for every combination; "this kernel runs it" only where the running
backend's kernel supports the layer: TensorFlow's CPU kernels without oneDNN (most laptops, or
``TF_ENABLE_ONEDNN_OPTS=0``) refuse dilated transposed convolutions, which are counted apart.  ``test_summary`` (run last)
prints how many distinct combinations were checked: ``pytest -rP tests/test_conv_arithmetic_keras.py``.
"""

import collections

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_utils.arithmetic import (conv_output_shape, pool_output_shape, receptive_field,
                                     transposed_conv_output_shape)

CHECKED = collections.defaultdict(set)  # family -> distinct combinations that agreed with Keras
RAN = collections.defaultdict(set)  # family -> combinations also run through a real layer
REFUSED = collections.Counter()  # family -> combinations both Keras and the helper refuse
UNSUPPORTED = collections.Counter()  # family -> combinations whose shape agreed but this kernel cannot run
# What a backend's kernel says when it cannot run a layer whose shape is fine (TensorFlow without oneDNN):
KERNEL_LIMITS = {"Conv2DTranspose": "do not yet support dilation rates larger than 1"}

sizes = st.tuples(st.integers(1, 40), st.integers(1, 40))
kernels = st.tuples(st.integers(1, 7), st.integers(1, 7))
strides = st.tuples(st.integers(1, 5), st.integers(1, 5))
dilations = st.tuples(st.integers(1, 4), st.integers(1, 4))


@st.composite
def spacings(draw):
    """(strides, dilation): mostly one of them above 1; sometimes both, which Keras refuses."""
    kind = draw(st.sampled_from(["strides"] * 4 + ["dilation"] * 3 + ["both"]))
    return (draw(strides) if kind != "dilation" else (1, 1)), (draw(dilations) if kind != "strides" else (1, 1))

modes = st.sampled_from(["valid", "same"])
side = st.integers(0, 4)
explicit_padding = st.one_of(side, st.tuples(side, side), st.tuples(st.tuples(side, side), st.tuples(side, side)))
output_paddings = st.one_of(st.none(), st.tuples(st.integers(0, 4), st.integers(0, 4)))


def _helper(function, *args, **kwargs):
    """The helper's (height, width), or None when it raises ValueError."""
    try:
        return function(*args, **kwargs)
    except ValueError:
        return None


def _keras(make_layers, input_shape):
    """(height, width) Keras computes through the layers make_layers() builds, or None if it refuses or is empty."""
    shape = (1, *input_shape, 1)
    try:
        for layer in make_layers():
            shape = tuple(layer.compute_output_shape(shape))
    except ValueError:
        return None
    return None if min(shape[1:3]) <= 0 else tuple(int(n) for n in shape[1:3])


def _run(family, make_layers, input_shape):
    """(height, width) of the real layers' output on a zero tensor; None if the kernel has a known limit."""
    x = np.zeros((1, *input_shape, 1), np.float32)
    try:
        for layer in make_layers():
            x = layer(x)
    except Exception as error:  # each backend raises its own error type  # noqa: BLE001
        if family in KERNEL_LIMITS and KERNEL_LIMITS[family] in str(error):
            return None
        raise
    return tuple(int(n) for n in x.shape[1:3])


def _agree(family, key, expected_by_helper, make_layers, input_shape, run):
    import keras  # noqa: F401  (imported here so that collecting the tests stays light)

    by_keras = _keras(make_layers, input_shape)
    assert expected_by_helper == by_keras, f"{family} {key}: helper {expected_by_helper}, Keras {by_keras}"
    if by_keras is None:
        REFUSED[family] += 1
        return
    CHECKED[family].add(key)
    if run:
        ran = _run(family, make_layers, input_shape)
        if ran is None:  # excused only for the documented limit: dilation, the key's last entry
            assert key[-1] != (1, 1), f"{family} {key}: the kernel refused an undilated layer"
            UNSUPPORTED[family] += 1
            return
        assert ran == by_keras, f"{family} {key}: the real layer disagrees"
        RAN[family].add(key)


def _conv(kernel, stride, padding, dilation):
    import keras

    return lambda: [keras.layers.Conv2D(1, kernel, strides=stride, padding=padding, dilation_rate=dilation,
                                        dtype="float32")]


def _padded_conv(kernel, stride, padding, dilation):
    import keras

    return lambda: [keras.layers.ZeroPadding2D(padding), *_conv(kernel, stride, "valid", dilation)()]


def _transposed(kernel, stride, padding, output_padding, dilation):
    import keras

    return lambda: [keras.layers.Conv2DTranspose(1, kernel, strides=stride, padding=padding,
                                                 output_padding=output_padding, dilation_rate=dilation,
                                                 dtype="float32")]


def _pool(kind, pool_size, stride, padding):
    import keras

    return lambda: [getattr(keras.layers, kind)(pool_size, strides=stride, padding=padding)]


def _conv_case(size, kernel, stride, dilation, padding, run):
    make = (_conv if isinstance(padding, str) else _padded_conv)(kernel, stride, padding, dilation)
    family = "Conv2D" if isinstance(padding, str) else "ZeroPadding2D + Conv2D"
    _agree(family, (size, kernel, stride, str(padding), dilation),
           _helper(conv_output_shape, size, kernel, strides=stride, padding=padding, dilation=dilation),
           make, size, run)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(sizes, kernels, spacings(), modes)
def test_conv2d(size, kernel, spacing, padding):
    _conv_case(size, kernel, *spacing, padding, run=False)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(sizes, kernels, spacings(), explicit_padding)
def test_conv2d_with_explicit_zero_padding(size, kernel, spacing, padding):
    _conv_case(size, kernel, *spacing, padding, run=False)


def _transposed_case(size, kernel, stride, dilation, padding, output_padding, *, run):
    _agree("Conv2DTranspose", (size, kernel, stride, padding, output_padding, dilation),
           _helper(transposed_conv_output_shape, size, kernel, strides=stride, padding=padding,
                   output_padding=output_padding, dilation=dilation),
           _transposed(kernel, stride, padding, output_padding, dilation), size, run=run)


def _pool_case(kind, size, pool_size, stride, padding, *, run):
    _agree(kind, (size, pool_size, stride, padding),
           _helper(pool_output_shape, size, pool_size, strides=stride, padding=padding),
           _pool(kind, pool_size, stride, padding), size, run=run)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(sizes, kernels, spacings(), modes, output_paddings)
def test_conv2d_transpose(size, kernel, spacing, padding, output_padding):
    _transposed_case(size, kernel, *spacing, padding, output_padding, run=False)


@pytest.mark.parametrize("kind", ["MaxPooling2D", "AveragePooling2D"])
@settings(max_examples=250, deadline=None, derandomize=True)
@given(size=sizes, pool_size=kernels, stride=st.one_of(st.none(), strides), padding=modes)
def test_pooling(kind, size, pool_size, stride, padding):
    _pool_case(kind, size, pool_size, stride, padding, run=False)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(sizes, kernels, spacings(), st.one_of(modes, explicit_padding))
def test_real_conv2d_layers(size, kernel, spacing, padding):
    _conv_case(size, kernel, *spacing, padding, run=True)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(sizes, kernels, spacings(), modes, output_paddings)
def test_real_conv2d_transpose_layers(size, kernel, spacing, padding, output_padding):
    _transposed_case(size, kernel, *spacing, padding, output_padding, run=True)


@pytest.mark.parametrize("kind", ["MaxPooling2D", "AveragePooling2D"])
@settings(max_examples=30, deadline=None, derandomize=True)
@given(size=sizes, pool_size=kernels, stride=st.one_of(st.none(), strides), padding=modes)
def test_real_pooling_layers(kind, size, pool_size, stride, padding):
    _pool_case(kind, size, pool_size, stride, padding, run=True)


@st.composite
def stacks(draw):
    """1 to 4 layers; each has a stride or a dilation above 1, not both (Keras refuses that)."""
    layers = draw(st.integers(1, 4))
    kernel_sizes = draw(st.lists(st.integers(1, 5), min_size=layers, max_size=layers))
    steps = draw(st.lists(st.tuples(st.sampled_from(["stride", "dilation"]), st.integers(1, 3)),
                          min_size=layers, max_size=layers))
    layer_strides = [n if kind == "stride" else 1 for kind, n in steps]
    layer_dilations = [n if kind == "dilation" else 1 for kind, n in steps]
    return kernel_sizes, layer_strides, layer_dilations


@settings(max_examples=40, deadline=None, derandomize=True)
@given(stacks())
def test_receptive_field_is_what_a_keras_stack_sees(stack):
    """Feed every one-hot input through a stack of all-ones convolutions: the inputs that reach
    output 0 span the receptive field, and output 1's first input is one effective stride later."""
    import keras

    kernel_sizes, layer_strides, layer_dilations = stack
    field, jump = receptive_field(kernel_sizes, layer_strides, layer_dilations)
    length = field + jump
    x = np.eye(length, dtype="float32")[..., None]  # batch of one-hot inputs, shape (length, length, 1)
    for k, s, d in zip(kernel_sizes, layer_strides, layer_dilations):
        x = keras.ops.conv(x, np.ones((k, 1, 1), "float32"), strides=s, padding="valid", dilation_rate=d)
    out = keras.ops.convert_to_numpy(x)[:, :, 0]  # (input position, output position)
    assert out.shape[1] >= 2
    seen_by_0, seen_by_1 = np.flatnonzero(out[:, 0]), np.flatnonzero(out[:, 1])
    assert seen_by_0[-1] - seen_by_0[0] + 1 == field
    assert seen_by_1[0] - seen_by_0[0] == jump
    key = (tuple(kernel_sizes), tuple(layer_strides), tuple(layer_dilations))
    CHECKED["receptive field (keras.ops.conv stack)"].add(key)
    RAN["receptive field (keras.ops.conv stack)"].add(key)  # every one of them is run for real


def test_summary():
    """How many distinct combinations agreed with Keras (run the whole module; -rP shows the print)."""
    if not CHECKED:
        pytest.skip("run the whole module: this test reports what the tests above checked")
    for family, combos in sorted(CHECKED.items()):
        print(f"{family}: {len(combos)} distinct combinations agree with Keras "
              f"({len(RAN[family])} also run through the real layer, {UNSUPPORTED[family]} not supported by this "
              f"backend's kernel; {REFUSED[family]} refused by both)")
    total = sum(len(c) for c in CHECKED.values())
    print(f"total: {total} combinations, all agree")
    assert total >= 1000
    assert all(RAN[family] for family in ("Conv2D", "Conv2DTranspose", "MaxPooling2D", "AveragePooling2D"))
    assert all(REFUSED[family] for family in ("Conv2D", "Conv2DTranspose", "MaxPooling2D"))
