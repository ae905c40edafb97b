"""Parameter counts agree with the layers Keras builds, and with the seeds' worked example."""

import pytest

from course_utils.arithmetic import conv2d_params, dense_params


def test_seed_000_dense_layer_on_a_640x480_image():
    assert dense_params(640 * 480 * 3, 1000) == 921_601_000  # seed 000: "= 922M"


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


def test_alexnet_conv1_from_seed_000():
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
