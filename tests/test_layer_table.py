"""layer_table against the VGG16 table of Ollion and Grisel's lecture (its printed figures hard-coded
below), its printed totals, the ResNet paper's multiply-adds, and hand arithmetic."""

import math

import pytest

from course_utils import architectures as arch
from course_utils.layer_table import layer_table

# Ollion and Grisel's lecture, "Memory and Parameters": output shape, activations as printed, weights
# (no biases) as printed.
LECTURE_VGG16 = [
    ((224, 224, 3), 150e3, 0),
    ((224, 224, 64), 3.2e6, 1_728), ((224, 224, 64), 3.2e6, 36_864), ((112, 112, 64), 800e3, 0),
    ((112, 112, 128), 1.6e6, 73_728), ((112, 112, 128), 1.6e6, 147_456), ((56, 56, 128), 400e3, 0),
    ((56, 56, 256), 800e3, 294_912), ((56, 56, 256), 800e3, 589_824), ((56, 56, 256), 800e3, 589_824),
    ((28, 28, 256), 200e3, 0),
    ((28, 28, 512), 400e3, 1_179_648), ((28, 28, 512), 400e3, 2_359_296), ((28, 28, 512), 400e3, 2_359_296),
    ((14, 14, 512), 100e3, 0),
    ((14, 14, 512), 100e3, 2_359_296), ((14, 14, 512), 100e3, 2_359_296), ((14, 14, 512), 100e3, 2_359_296),
    ((7, 7, 512), 25e3, 0),
    ((4096,), 4096, 102_760_448), ((4096,), 4096, 16_777_216), ((1000,), 1000, 4_096_000),
]
PRINTED_TOTAL_ACTIVATIONS, PRINTED_MB_PER_IMAGE, PRINTED_PARAMETER_MB = 24e6, 93, 552


@pytest.fixture(scope="module")
def vgg_table():
    return layer_table(arch.vgg16())


def test_reproduces_the_lectures_vgg16_table_row_by_row(vgg_table):
    rows = [row for row in vgg_table.rows if row.kind != "Flatten"]  # the lecture has no Flatten row
    assert len(rows) == len(LECTURE_VGG16)
    for row, (shape, activations, weights) in zip(rows, LECTURE_VGG16):
        assert row.output_shape == shape
        assert row.activations == pytest.approx(activations, rel=0.01)  # the lecture rounds to 2 digits
        assert row.weights == weights


def test_vgg16_totals_beside_the_lectures(vgg_table):
    assert vgg_table.total_params == 138_357_544
    assert round(vgg_table.total_params / 1e6) == 138
    assert vgg_table.parameter_bytes() / 1e6 == pytest.approx(PRINTED_PARAMETER_MB, rel=0.01)
    # The activation total is the sum of the lecture's own rows, not the 24M (93 MB) it prints.
    assert vgg_table.total_activations == pytest.approx(sum(a for _, a, _ in LECTURE_VGG16), rel=0.01)
    assert vgg_table.total_activations < 0.7 * PRINTED_TOTAL_ACTIVATIONS
    assert vgg_table.activation_bytes() / 1e6 < 0.7 * PRINTED_MB_PER_IMAGE


def test_memory_factors_follow_the_lecture(vgg_table):
    base = vgg_table.parameter_bytes()
    assert base == 4 * 138_357_544
    assert [vgg_table.parameter_bytes(name) for name in ("sgd", "momentum", "adam")] == [2 * base, 3 * base, 4 * base]
    assert vgg_table.activation_bytes(backward=True) == 2 * vgg_table.activation_bytes()
    with pytest.raises(ValueError, match="optimizer"):
        vgg_table.parameter_bytes("rmsprop")


def test_multiply_accumulates_by_hand_and_beside_the_papers(vgg_table):
    macs = {row.name: row.macs for row in vgg_table.rows}
    assert macs["block1_conv1"] == 224 * 224 * 64 * (3 * 3 * 3)
    assert macs["block5_conv3"] == 14 * 14 * 512 * (3 * 3 * 512)
    assert macs["fc1"] == 7 * 7 * 512 * 4096 and macs["block1_pool"] == 0
    conv_macs = sum(row.macs for row in vgg_table.rows if row.kind == "Conv2D")
    assert conv_macs == pytest.approx(15.3e9, rel=0.01)  # He et al.'s "15.3 billion FLOPs" are multiply-adds
    resnet = layer_table(arch.resnet50())
    assert resnet.total_macs == pytest.approx(3.8e9, rel=0.03)  # "3.8 x 10^9 FLOPs" (multiply-adds)


def test_alexnet_totals_against_the_lecture():
    table = layer_table(arch.alexnet())
    conv1 = next(row for row in table.rows if row.name == "conv1")
    assert (conv1.output_shape, conv1.params, conv1.weights) == ((55, 55, 96), 34_944, 11 * 11 * 3 * 96)
    assert conv1.macs == 55 * 55 * 96 * 11 * 11 * 3
    assert table.total_params > 2 * 28_054_497  # the lecture prints 28,054,497; FC6 alone has 37.7M


def test_other_layer_kinds_by_hand():
    import keras
    from keras import layers

    inner = keras.Sequential([keras.Input((4, 5, 2)), layers.DepthwiseConv2D(3, padding="same", name="dw")],
                             name="inner")
    x = keras.Input((4, 5, 2), name="x")
    y = inner(x)
    y = layers.Conv2DTranspose(3, 3, strides=2, name="up")(y)
    y = layers.BatchNormalization(name="bn")(y)
    y = layers.Dense(7, name="dense")(y)
    table = layer_table(keras.Model(x, y))
    rows = {row.name: row for row in table.rows}
    assert list(rows) == ["x", "dw", "up", "bn", "dense"]  # the nested model's rows, in order
    assert rows["dw"].macs == 4 * 5 * 2 * 9
    assert rows["up"].output_shape == (9, 11, 3) and rows["up"].macs == 4 * 5 * 2 * (3 * 3 * 3)
    assert rows["bn"].macs == 0 and rows["bn"].params == 4 * 3
    assert rows["dense"].macs == 9 * 11 * 3 * 7 and rows["dense"].weights == 3 * 7
    assert table.total_activations == sum(math.prod(r.output_shape) for r in rows.values())


def test_separable_convolutions_count_their_depthwise_and_pointwise_steps():
    import keras
    from keras import layers

    x = keras.Input((14, 14, 32), name="x")
    y = layers.SeparableConv2D(64, 3, strides=2, depth_multiplier=2, name="sep")(x)
    z = layers.SeparableConv1D(5, 3, padding="same", name="sep1d")(layers.Reshape((14 * 14, 32))(x))
    w = layers.DepthwiseConv1D(3, name="dw1d")(layers.Reshape((14 * 14, 32))(x))
    rows = {row.name: row for row in layer_table(keras.Model(x, [y, z, w])).rows}
    assert rows["sep"].output_shape == (6, 6, 64) and rows["sep"].params == 3 * 3 * 32 * 2 + 64 * 64 + 64
    assert rows["sep"].macs == 6 * 6 * (32 * 2 * 3 * 3 + 64 * 64)  # depthwise, then 1x1 over 64 channels
    assert rows["sep"].weights == rows["sep"].params - 64
    assert rows["sep1d"].macs == 196 * (32 * 3 + 32 * 5)
    assert rows["dw1d"].macs == 194 * 32 * 3
    # the same counts as the two layers it fuses
    same = keras.Sequential([keras.Input((14, 14, 32)), layers.DepthwiseConv2D(3, strides=2, depth_multiplier=2,
                                                                               use_bias=False),
                             layers.Conv2D(64, 1)])
    assert layer_table(same).total_macs == rows["sep"].macs and same.count_params() == rows["sep"].params


def test_rendering_names_layers_and_totals(vgg_table):
    text = vgg_table.to_text(kinds=("Dense",))
    assert "fc1" in text and "block1_conv1" not in text and "TOTAL parameters: 138,357,544" in text
    assert "<pre>" in vgg_table._repr_html_()


def test_bad_input_names_the_argument():
    import keras

    with pytest.raises(ValueError, match="model"):
        layer_table("vgg16")
    shared = keras.layers.Dense(3, name="shared")
    x = keras.Input((3,))
    with pytest.raises(ValueError, match="shared"):
        layer_table(keras.Model(x, shared(shared(x))))
