"""course_utils.visualization on the shipped MNIST convnet: gradients, kernels, feature maps, ascent, saliency, Grad-CAM.

Runs under any Keras backend: KERAS_BACKEND=jax or torch picks the other gradient branches.
"""

import numpy as np
import pytest
import scipy.signal

from course_utils import visualization as vis
from course_utils.data import as_network_input, load_mnist
from course_utils.pretrained import load_shipped_model


@pytest.fixture(scope="module")
def model():
    return load_shipped_model("mnist_convnet")


@pytest.fixture(scope="module")
def digits():
    _, (x_test, y_test) = load_mnist(subset=False)
    return as_network_input(x_test[:40]), y_test[:40]


def _logit(model, image, class_index):
    """The class score before the softmax, by hand: hidden features @ W + b of the last Dense layer."""
    hidden = vis.feature_maps(model, image, ["hidden"])["hidden"]
    kernel, bias = model.get_layer("predictions").get_weights()
    return float(hidden @ kernel[:, class_index] + bias[class_index])


def test_value_and_gradient_by_hand():
    import keras

    value, gradient = vis.value_and_gradient(lambda t: keras.ops.sum(t ** 3), np.array([1.0, -2.0, 3.0], np.float32))
    assert value == pytest.approx(1 - 8 + 27)
    assert np.allclose(gradient, [3.0, 12.0, 27.0])


def test_kernel_images_are_the_first_layer_weights(model):
    kernel = model.get_layer("conv1").get_weights()[0]  # (5, 5, 1, 32)
    images = vis.kernel_images(model)
    assert images.shape == (32, 5, 5)
    assert np.array_equal(images[7], kernel[:, :, 0, 7])


def test_colour_kernels_are_scaled_to_0_1_and_deep_layers_refused():
    import keras

    inputs = keras.Input((8, 8, 3))
    x = keras.layers.Conv2D(4, 3, name="first")(inputs)
    deep = keras.Model(inputs, keras.layers.Conv2D(2, 3, name="second")(x))
    images = vis.kernel_images(deep)
    assert images.shape == (4, 3, 3, 3)
    assert np.allclose(images.min(axis=(1, 2, 3)), 0) and np.allclose(images.max(axis=(1, 2, 3)), 1)
    with pytest.raises(ValueError, match="'second' sees 4 input channels"):
        vis.kernel_images(deep, "second")


def test_conv1_feature_map_matches_scipy(model, digits):
    image = digits[0][0]
    kernel, bias = model.get_layer("conv1").get_weights()
    maps = vis.feature_maps(model, image, ["conv1", "pool1", "conv2", "pool2"])
    assert {name: m.shape for name, m in maps.items()} == {
        "conv1": (28, 28, 32), "pool1": (14, 14, 32), "conv2": (14, 14, 64), "pool2": (7, 7, 64)}
    for k in (0, 13, 31):
        expected = np.maximum(scipy.signal.correlate2d(image[..., 0], kernel[:, :, 0, k], mode="same") + bias[k], 0)
        assert np.allclose(maps["conv1"][..., k], expected, atol=1e-4)


def test_convolutional_part_runs_on_any_size_and_agrees_on_28x28(model, digits):
    base = vis.convolutional_part(model, "pool2")
    photo = np.random.default_rng(0).random((1, 60, 44, 1)).astype(np.float32)
    assert tuple(base(photo).shape) == (1, 15, 11, 64)

    inner = vis.feature_maps(base, digits[0][0], ["conv1", "pool2"])
    outer = vis.feature_maps(model, digits[0][0], ["conv1", "pool2"])
    assert all(np.allclose(inner[name], outer[name], atol=1e-5) for name in inner)


@pytest.mark.parametrize(("layer", "filter_index"), [("conv2", 0), ("conv2", 32)])
def test_gradient_ascent_raises_the_filter_activation_several_fold(model, layer, filter_index):
    ascent = vis.maximize_activation(model, layer, filter_index, steps=30)
    assert ascent.image.shape == (28, 28, 1)
    # The final value is recomputed independently of the ascent loop.
    final = vis.feature_maps(model, ascent.image, [layer])[layer][..., filter_index].mean()
    assert final == pytest.approx(ascent.activations[-1], rel=1e-4)
    assert final >= 3 * ascent.activations[0] > 0
    assert ascent.gain >= 3


def test_ascent_can_stay_in_the_pixel_range(model):
    ascent = vis.maximize_activation(model, "conv1", 3, steps=10, value_range=(0.0, 1.0))
    assert 0 <= ascent.image.min() and ascent.image.max() <= 1 and ascent.gain > 1


def test_saliency_is_the_gradient_of_the_logit(model, digits):
    image = digits[0][0]
    saliency, predicted = vis.saliency_map(model, image)
    assert saliency.shape == (28, 28) and predicted == digits[1][0]
    eps = 1e-3  # small, so that the step crosses no ReLU or max-pool kink
    # Compare where the gradient is largest on grey stroke pixels: there float32 rounding of the
    # logits (about 1e-5) is small next to the change the step makes.
    grey = np.argwhere((image[..., 0] > 0.1) & (image[..., 0] < 0.9))
    strongest = grey[np.argsort([saliency[r, c] for r, c in grey])[::-1][:4]]
    for row, col in strongest:
        up, down = image.copy(), image.copy()
        up[row, col, 0] += eps
        down[row, col, 0] -= eps
        numeric = (_logit(model, up, predicted) - _logit(model, down, predicted)) / (2 * eps)
        assert saliency[row, col] == pytest.approx(abs(numeric), rel=0.05, abs=5e-3)


def test_grad_cam_highlights_the_digit_not_the_background(model, digits):
    ratios = []
    for image in digits[0]:
        cam, _ = vis.grad_cam(model, image)
        assert cam.shape == (28, 28) and 0 <= cam.min() and cam.max() == pytest.approx(1)
        ink, background = image[..., 0] > 0.5, image[..., 0] == 0
        ratios.append(cam[ink].mean() / max(cam[background].mean(), 1e-6))
    assert np.median(ratios) > 2
    assert np.mean(np.array(ratios) > 1) >= 0.75  # most digits (88% with the shipped model)


def test_grad_cam_of_another_class_differs(model, digits):
    image, label = digits[0][0], int(digits[1][0])
    own, index = vis.grad_cam(model, image)
    other, _ = vis.grad_cam(model, image, class_index=(label + 1) % 10)
    assert index == label and not np.allclose(own, other)


@pytest.mark.parametrize(("call", "words"), [
    (lambda m: vis.maximize_activation(m, "conv2", 64), "filter_index must be an int from 0 to 63"),
    (lambda m: vis.maximize_activation(m, "conv9", 0), "layer_name must be a layer of 'convnet' .*got 'conv9'"),
    (lambda m: vis.maximize_activation(m, "conv1", 0, steps=0), "steps must be a positive int, got 0"),
    (lambda m: vis.saliency_map(m, np.zeros((28, 28))), r"image must have shape \(28, 28, 1\) .* got \(28, 28\)"),
    (lambda m: vis.grad_cam(m, np.zeros((28, 28, 1)), class_index=10), "class_index must be an int from 0 to 9"),
    (lambda m: vis.feature_maps(m, np.zeros((28, 28, 1)), "conv1"), "layer_names must be a non-empty list"),
])
def test_bad_arguments_are_named(model, call, words):
    with pytest.raises(ValueError, match=words):
        call(model)
