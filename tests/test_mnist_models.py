"""The lesson-04 builders match the layer lists of Ollion and Grisel's lecture and their parameter counts."""

import pytest

from course_utils import architectures, mnist_models


def _by_hand_convnet():
    conv1 = (5 * 5 * 1 + 1) * 32
    conv2 = (3 * 3 * 32 + 1) * 64
    hidden = (7 * 7 * 64 + 1) * 256
    return conv1 + conv2 + hidden + (256 + 1) * 10


@pytest.mark.parametrize(("builder", "expected"), [
    (mnist_models.mlp, (28 * 28 + 1) * 256 + (256 + 1) * 10),
    (mnist_models.convnet, _by_hand_convnet()),
    (architectures.lenet5, 156 + 2416 + 48120 + 10164 + 850),
])
def test_parameter_counts(builder, expected):
    assert builder().count_params() == expected


def test_the_counts_lesson_04_quotes():
    assert mnist_models.mlp().count_params() == 203_530
    assert mnist_models.convnet().count_params() == 824_970


def test_convnet_shapes_and_output():
    import numpy as np

    model = mnist_models.convnet()
    shapes = [tuple(layer.output.shape[1:]) for layer in model.layers]
    assert shapes == [(28, 28, 1), (28, 28, 32), (14, 14, 32), (14, 14, 64), (7, 7, 64), (3136,), (256,), (10,)]
    probs = np.asarray(model.predict(np.zeros((2, 28, 28, 1), "float32"), verbose=0))
    assert probs.shape == (2, 10) and np.allclose(probs.sum(axis=1), 1, atol=1e-5)


def test_other_inputs_and_classes():
    model = architectures.lenet5((32, 32, 3), num_classes=5)
    assert tuple(model.output.shape) == (None, 5)


@pytest.mark.parametrize(("kwargs", "name"), [({"input_shape": (28, 28)}, "input_shape"),
                                              ({"input_shape": (28, 0, 1)}, "input_shape"),
                                              ({"num_classes": 0}, "num_classes")])
def test_bad_arguments_name_themselves(kwargs, name):
    with pytest.raises(ValueError, match=name):
        mnist_models.mlp(**kwargs)
