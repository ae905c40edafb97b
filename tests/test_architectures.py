"""The lesson-05 builders against keras.applications, the AlexNet table of Ollion and Grisel's lecture,
the GoogLeNet paper's table 1 and hand arithmetic; the residual blocks by what a shortcut must do."""

import numpy as np
import pytest

from course_utils import architectures as arch


def _layers(model):
    """(name, class, output shape, parameters) of every layer, the input's name left out."""
    return [(layer.name, type(layer).__name__, tuple(layer.output.shape[1:]), layer.count_params())
            for layer in model.layers[1:]]


@pytest.mark.parametrize(("ours", "keras_name", "total"), [
    (arch.vgg16, "VGG16", 138_357_544),  # the and Keras's documented count
    (arch.resnet50, "ResNet50", 25_636_712),
])
def test_matches_keras_applications_layer_by_layer(ours, keras_name, total):
    import keras

    reference = getattr(keras.applications, keras_name)(weights=None)
    model = ours()
    assert _layers(model) == _layers(reference)
    assert model.count_params() == reference.count_params() == total


# The AlexNet table of Ollion and Grisel's lecture: layer, output shape.
LECTURE_ALEXNET = [("conv1", (55, 55, 96)), ("pool1", (27, 27, 96)), ("conv2", (27, 27, 256)),
                ("pool2", (13, 13, 256)), ("conv3", (13, 13, 384)), ("conv4", (13, 13, 384)),
                ("conv5", (13, 13, 256)), ("pool3", (6, 6, 256)), ("fc6", (4096,)), ("fc7", (4096,)),
                ("fc8", (1000,))]


def test_alexnet_follows_the_lectures_table():
    model = arch.alexnet()
    assert tuple(model.input.shape[1:]) == (227, 227, 3)
    assert [(name, tuple(model.get_layer(name).output.shape[1:])) for name, _ in LECTURE_ALEXNET] == LECTURE_ALEXNET
    assert model.get_layer("conv1").count_params() == 34_944  # the lecture's figure
    by_hand = ((11 * 11 * 3 + 1) * 96 + (5 * 5 * 96 + 1) * 256 + (3 * 3 * 256 + 1) * 384 + (3 * 3 * 384 + 1) * 384
               + (3 * 3 * 384 + 1) * 256 + (6 * 6 * 256 + 1) * 4096 + (4096 + 1) * 4096 + (4096 + 1) * 1000)
    assert model.count_params() == by_hand != 28_054_497  # the lecture's printed total is not its table's


# Szegedy et al. 2014, table 1: output size after each stage.
GOOGLENET_SHAPES = {"pool2": (28, 28, 192), "3a_concat": (28, 28, 256), "3b_concat": (28, 28, 480),
                    "4a_concat": (14, 14, 512), "4b_concat": (14, 14, 512), "4c_concat": (14, 14, 512),
                    "4d_concat": (14, 14, 528), "4e_concat": (14, 14, 832), "5a_concat": (7, 7, 832),
                    "5b_concat": (7, 7, 1024), "avg_pool": (1024,), "predictions": (1000,)}


def test_googlenet_shapes_follow_the_paper():
    model = arch.googlenet()
    assert {name: tuple(model.get_layer(name).output.shape[1:]) for name in GOOGLENET_SHAPES} == GOOGLENET_SHAPES


def test_inception_module_parameters_by_hand_and_naive_version():
    import keras

    x = keras.Input((28, 28, 192))
    reduced = keras.Model(x, arch.inception_module(x, 64, 96, 128, 16, 32, 32, name="3a"))
    by_hand = ((192 + 1) * 64 + (192 + 1) * 96 + (9 * 96 + 1) * 128 + (192 + 1) * 16 + (25 * 16 + 1) * 32
               + (192 + 1) * 32)
    assert reduced.count_params() == by_hand
    naive = keras.Model(x, arch.inception_module(x, 64, None, 128, None, 32, None, name="naive"))
    assert tuple(naive.output.shape[1:]) == (28, 28, 64 + 128 + 32 + 192)  # pooling keeps all 192 channels
    assert naive.count_params() == (192 + 1) * 64 + (9 * 192 + 1) * 128 + (25 * 192 + 1) * 32


def _zero_convolutions(model):
    for layer in model.layers:
        if type(layer).__name__ == "Conv2D":
            layer.set_weights([np.zeros_like(w) for w in layer.get_weights()])


@pytest.mark.parametrize("block", [arch.basic_block, arch.bottleneck_block])
def test_identity_shortcut_passes_the_input_when_the_residual_is_zero(block):
    import keras

    filters = 16 if block is arch.basic_block else 4  # bottleneck output: 4 * filters = 16 channels
    x = keras.Input((6, 6, 16))
    model = keras.Model(x, block(x, filters, name="b"))
    assert not any(layer.name == "b_0_conv" for layer in model.layers)  # no projection needed
    _zero_convolutions(model)
    images = np.random.default_rng(0).normal(size=(2, 6, 6, 16)).astype("float32")
    np.testing.assert_allclose(model.predict(images, verbose=0), np.maximum(images, 0), atol=1e-6)


@pytest.mark.parametrize(("block", "filters", "channels"), [(arch.basic_block, 32, 32),
                                                            (arch.bottleneck_block, 32, 128)])
def test_projection_shortcut_when_the_shape_changes(block, filters, channels):
    import keras

    x = keras.Input((8, 8, 16))
    model = keras.Model(x, block(x, filters, strides=2, name="b"))
    assert tuple(model.output.shape[1:]) == (4, 4, channels)
    assert model.get_layer("b_0_conv").count_params() == (16 + 1) * channels


def test_deep_cnn_plain_and_residual_differ_only_by_the_shortcuts():
    plain, residual = arch.deep_cnn(6, residual=False), arch.deep_cnn(6, residual=True)
    assert plain.count_params() == residual.count_params() == (
        (9 + 1) * 16 + 6 * (9 * 16 + 1) * 16 + (16 + 1) * 10)
    kinds = lambda model: [type(layer).__name__ for layer in model.layers]  # noqa: E731
    assert kinds(plain).count("Conv2D") == kinds(residual).count("Conv2D") == 7
    assert kinds(plain).count("Add") == 0 and kinds(residual).count("Add") == 3


@pytest.mark.parametrize("builder", [arch.small_alexnet, arch.small_vgg, arch.small_googlenet, arch.small_resnet])
def test_small_versions_classify_digits_and_other_images(builder):
    model = builder()
    assert model.count_params() < 500_000  # small enough to train on a CPU
    probs = np.asarray(model.predict(np.zeros((2, 28, 28, 1), "float32"), verbose=0))
    assert probs.shape == (2, 10) and np.allclose(probs.sum(axis=1), 1, atol=1e-5)
    assert tuple(builder((32, 32, 3), num_classes=5).output.shape) == (None, 5)


@pytest.mark.parametrize(("call", "name"), [
    (lambda: arch.alexnet((227, 227)), "input_shape"),
    (lambda: arch.vgg16(num_classes=0), "num_classes"),
    (lambda: arch.deep_cnn(5, residual=True), "depth"),
    (lambda: arch.deep_cnn(4, residual=True, width=0), "width"),
    (lambda: arch.small_resnet((28, 28, -1)), "input_shape"),
])
def test_bad_arguments_name_themselves(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_bad_block_arguments_name_themselves():
    import keras

    x = keras.Input((8, 8, 16))
    with pytest.raises(ValueError, match="filters"):
        arch.basic_block(x, 0, name="b")
    with pytest.raises(ValueError, match="strides"):
        arch.bottleneck_block(x, 4, strides=0, name="b")
    with pytest.raises(ValueError, match="filters_3x3"):
        arch.inception_module(x, 8, 8, 0, 8, 8, 8, name="i")


def test_lesson05_exercise_checks_accept_the_course_builders():
    from course_utils.exercises import lesson05 as ex

    assert ex.residual_block.check(lambda x: arch.basic_block(x, 16, name="b")).passed  # BN in F is fine too
    assert ex.inception.check(lambda x: arch.inception_module(x, 16, 8, 16, 4, 8, 8, name="m")).passed


def test_deep_cnn_batch_norm_follows_every_convolution_of_the_stack():
    import keras
    plain, normalized = arch.deep_cnn(4, residual=False), arch.deep_cnn(4, residual=True, batch_norm=True)
    norms = [layer for layer in normalized.layers if isinstance(layer, keras.layers.BatchNormalization)]
    assert [layer.name for layer in norms] == ["pair1_conv1_bn", "pair1_conv2_bn", "pair2_conv1_bn", "pair2_conv2_bn"]
    assert not normalized.get_layer("pair1_conv1").use_bias and plain.get_layer("pair1_conv1").use_bias
    assert normalized.get_layer("pair1_add").input[1].name == norms[1].output.name  # normalized, then added
    assert not any(isinstance(layer, keras.layers.BatchNormalization) for layer in plain.layers)
