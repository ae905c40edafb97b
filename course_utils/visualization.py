"""What a trained convnet has learned: kernels, feature maps, activation maximization, saliency, Grad-CAM.

Every function takes a Keras model and numpy images of shape (height, width, channels)
and returns numpy arrays, under the TensorFlow, JAX and PyTorch backends alike.  The
gradients are the point of the lesson, so they are written out here: one small
function, :func:`value_and_gradient`, with one branch per backend.

Example:
    >>> from course_utils.mnist_models import convnet
    >>> model = convnet()
    >>> kernel_images(model).shape                       # conv1: 32 kernels of 5x5
    (32, 5, 5)
    >>> maps = feature_maps(model, np.zeros((28, 28, 1), np.float32), ["conv1", "pool2"])
    >>> {name: m.shape for name, m in maps.items()}
    {'conv1': (28, 28, 32), 'pool2': (7, 7, 64)}
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.ndimage

from course_utils.validation import (keras_model, model_layer, non_negative_int, numeric_array, positive_int, real,
                                     seed_value)

SIZE_DEPENDENT = ("Flatten", "Reshape", "Dense")
"""Layer types whose weights or output depend on the image size: a network runs on any size only before them."""


def _one_image(image, model) -> np.ndarray:
    """``image`` as a float32 batch of one, checked against the model's input shape."""
    image = numeric_array(image, "image", finite=True).astype(np.float32)
    expected = tuple(model.inputs[0].shape[1:])
    fits = image.ndim == len(expected) and all(e is None or e == s for e, s in zip(expected, image.shape))
    if not fits:
        raise ValueError(f"image must have shape {expected} (None: any size) for {model.name!r}, "
                         f"got {image.shape}.")
    return image[None]


@functools.lru_cache(maxsize=4)
def _jax_value_and_grad(function: Callable) -> Callable:
    """``function``'s value-and-gradient, compiled once by ``jax.jit`` (an ascent calls it many times)."""
    import jax

    return jax.jit(jax.value_and_grad(function))


def value_and_gradient(function: Callable, x: np.ndarray) -> tuple[float, np.ndarray]:
    """The value of ``function(x)`` (a scalar tensor) and its gradient with respect to ``x``.

    Written by hand for the lesson, one branch per Keras backend: TensorFlow records the
    computation on a ``GradientTape``, JAX transforms the function with ``jax.grad``,
    PyTorch marks ``x`` as requiring a gradient and back-propagates with ``torch.autograd``.
    Shown in lesson 06: the lesson writes the three branches out in a cell and checks them against this.

    >>> import keras
    >>> value, gradient = value_and_gradient(lambda t: keras.ops.sum(t * t), np.array([1.0, 2.0], np.float32))
    >>> value, gradient.tolist()
    (5.0, [2.0, 4.0])
    """
    import keras

    if not callable(function):
        raise TypeError(f"function must be a function of one tensor that returns a scalar, got {function!r}.")
    x = numeric_array(x, "x", finite=True)
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        x = tf.convert_to_tensor(x)
        with tf.GradientTape() as tape:
            tape.watch(x)
            value = function(x)
        gradient = tape.gradient(value, x)
    elif backend == "jax":
        value, gradient = _jax_value_and_grad(function)(keras.ops.convert_to_tensor(x))
    elif backend == "torch":
        import torch

        x = keras.ops.convert_to_tensor(x).detach().requires_grad_(True)
        value = function(x)
        (gradient,) = torch.autograd.grad(value, x)
        value = value.detach()
    else:
        raise ValueError(f"the Keras backend must be tensorflow, jax or torch, got {backend!r}.")
    value = np.asarray(keras.ops.convert_to_numpy(value))
    if value.size != 1:
        raise ValueError(f"function must return a scalar (one number), such as keras.ops.mean(...); it returned "
                         f"shape {value.shape}.")
    return float(value.reshape(())), keras.ops.convert_to_numpy(gradient)


def kernel_images(model, layer_name: str | None = None) -> np.ndarray:
    """The kernels of a convolution on a grey (1-channel) or colour (3-channel) input, one image each.

    Grey: shape (filters, F, F), the raw weights.  Colour: (filters, F, F, 3), each kernel
    scaled to [0, 1] so that it can be shown as an RGB image.  ``layer_name`` defaults to
    the model's first Conv2D layer.
    """
    import keras

    convs = [layer for layer in keras_model(model).layers if isinstance(layer, keras.layers.Conv2D)]
    if not convs:
        raise ValueError(f"model {model.name!r} has no Conv2D layer.")
    layer = model_layer(model, layer_name, "layer_name") if layer_name is not None else convs[0]
    if not isinstance(layer, keras.layers.Conv2D):
        raise ValueError(f"layer_name must name a Conv2D layer of {model.name!r} ({', '.join(c.name for c in convs)}); "
                         f"{layer_name!r} is a {type(layer).__name__}.")
    kernel = np.moveaxis(keras.ops.convert_to_numpy(layer.kernel), -1, 0)  # (filters, F, F, channels)
    if kernel.shape[-1] == 1:
        return kernel[..., 0]
    if kernel.shape[-1] == 3:
        low = kernel.min(axis=(1, 2, 3), keepdims=True)
        high = kernel.max(axis=(1, 2, 3), keepdims=True)
        return (kernel - low) / np.maximum(high - low, 1e-12)
    raise ValueError(f"layer {layer.name!r} sees {kernel.shape[-1]} input channels; kernels can be shown "
                     "as images only for 1 (grey) or 3 (colour) channels, i.e. a first layer.")


def feature_maps(model, image: np.ndarray, layer_names: Sequence[str]) -> dict[str, np.ndarray]:
    """The outputs of the named layers for one image, each of shape (height, width, channels)."""
    import keras

    keras_model(model)
    if isinstance(layer_names, str) or not isinstance(layer_names, (list, tuple)) or not layer_names:
        raise ValueError(f"layer_names must be a non-empty list of layer names, got {layer_names!r}.")
    outputs = [model_layer(model, name, "layer_names").output for name in layer_names]
    maps = keras.Model(model.inputs[0], outputs)(_one_image(image, model))
    maps = maps if isinstance(maps, (list, tuple)) else [maps]
    return {name: keras.ops.convert_to_numpy(m[0]) for name, m in zip(layer_names, maps)}


def convolutional_part(model, last_layer: str, channels: int | None = None):
    """The model's layers up to ``last_layer`` on an input of any height and width.

    Convolutions and pooling do not care about the image size, so the base of a network
    trained on 28x28 digits runs on a whole photograph.  For models whose layers form a chain;
    the layers are copies with the same names and weights.

    >>> from course_utils.mnist_models import convnet
    >>> tuple(convolutional_part(convnet(), "pool2")(np.zeros((1, 64, 96, 1))).shape)
    (1, 16, 24, 64)
    """
    import keras

    stop = keras_model(model).layers.index(model_layer(model, last_layer, "last_layer"))
    fixed = next((i for i, layer in enumerate(model.layers) if type(layer).__name__ in SIZE_DEPENDENT), len(model.layers))
    if stop >= fixed:
        usable = [layer.name for layer in model.layers[1:fixed]]
        raise ValueError(f"last_layer must come before {model.layers[fixed].name!r} (a {type(model.layers[fixed]).__name__}, "
                         f"which needs a fixed image size): one of {', '.join(usable) or 'none'}; got {last_layer!r}.")
    channels = model.inputs[0].shape[-1] if channels is None else positive_int(channels, "channels")
    x = inputs = keras.Input((None, None, channels), name="image")
    for layer in model.layers[1:stop + 1]:
        copy = layer.__class__.from_config(layer.get_config())  # a copy, so that its .output is this graph's
        x = copy(x)
        copy.set_weights(layer.get_weights())
    return keras.Model(inputs, x, name=f"{model.name}_to_{last_layer}")


def class_scores(model, start=None) -> Callable:
    """A function from a tensor (the model's input, or ``start``, an inner layer's output) to the class scores.

    The scores are taken before the softmax, as Simonyan et al. (saliency) and Selvaraju et
    al. (Grad-CAM) do: a softmax near 1 would leave almost no gradient.
    """
    import keras

    last = keras_model(model).layers[-1]
    start = model.inputs[0] if start is None else start
    if isinstance(last, keras.layers.Dense) and last.activation is keras.activations.softmax:
        features = keras.Model(start, last.input)
        return lambda x: keras.ops.matmul(features(x), last.kernel) + last.bias
    return keras.Model(start, model.outputs[0])


def _class_index(model, image: np.ndarray, class_index: int | None) -> int:
    import keras

    classes = model.outputs[0].shape[-1]
    if class_index is None:
        return int(np.argmax(keras.ops.convert_to_numpy(model(image))[0]))
    if isinstance(class_index, bool) or not isinstance(class_index, (int, np.integer)) or not 0 <= class_index < classes:
        raise ValueError(f"class_index must be an int from 0 to {classes - 1} or None, got {class_index!r}.")
    return int(class_index)


@dataclass(frozen=True)
class Ascent:
    """The image that activation maximization found, and the filter's mean activation at each step."""

    image: np.ndarray
    activations: list[float]

    @property
    def gain(self) -> float:
        """Final activation over the starting one (the starting one floored at 1e-6)."""
        return self.activations[-1] / max(self.activations[0], 1e-6)


def maximize_activation(model, layer_name: str, filter_index: int, *, steps: int = 60, step_size: float = 0.05,
                        jitter: int = 1, blur_sigma: float = 0.3, l2_decay: float = 0.01, grey: float = 0.5, noise: float = 0.5,
                        value_range: tuple[float, float] | None = None, seed: int = 0) -> Ascent:
    """Activation maximization by gradient ascent, as Pitié's handout lays it out (hand-written: the lesson's topic).

    1. loss = the mean activation of filter ``filter_index`` of layer ``layer_name``;
    2. backpropagation gives the gradient of the loss with respect to the input image;
    3. the image moves up the gradient (normalised to unit RMS) by ``step_size``; go to 2.

    Regularizers keep the image readable: a random shift of up to ``jitter`` pixels before
    each gradient, a Gaussian blur of ``blur_sigma`` pixels and an L2 decay (the image's
    difference from ``grey`` shrinks by the fraction ``l2_decay``) after each step, and, if
    ``value_range`` is given, clipping to it.  The start is ``grey`` plus Gaussian noise of
    standard deviation ``noise`` (fixed by ``seed``): patterns grow out of the noise, where
    a flat start would grow only edges along the zero-padded border.  It is 64 pixels wide
    and high where the model accepts any size.
    """
    import keras

    steps = positive_int(steps, "steps")
    probe = keras.Model(keras_model(model).inputs[0], model_layer(model, layer_name, "layer_name").output)
    filters = probe.output.shape[-1]
    if isinstance(filter_index, bool) or not isinstance(filter_index, (int, np.integer)) \
            or not 0 <= filter_index < filters:
        raise ValueError(f"filter_index must be an int from 0 to {filters - 1} (layer {layer_name!r} has "
                         f"{filters} filters), got {filter_index!r}.")
    for name, value in (("step_size", step_size), ("blur_sigma", blur_sigma), ("noise", noise)):
        real(value, name, low=0)
    real(l2_decay, "l2_decay", low=0, high=1, high_open=True)
    real(grey, "grey")
    jitter, seed = non_negative_int(jitter, "jitter"), seed_value(seed)
    if value_range is not None:
        if not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
            raise ValueError(f"value_range must be None or a pair (low, high), got {value_range!r}.")
        low, high = real(value_range[0], "value_range[0]"), real(value_range[1], "value_range[1]")
        if not low < high:
            raise ValueError(f"value_range must be (low, high) with low < high, got {value_range!r}.")
    rng = np.random.default_rng(seed)
    shape = tuple(n if n is not None else 64 for n in model.inputs[0].shape[1:])
    image = (grey + noise * rng.standard_normal((1, *shape))).astype(np.float32)

    def loss(x):
        return keras.ops.mean(probe(x)[..., filter_index])

    activations = []
    for _ in range(steps):
        shift = tuple(rng.integers(-jitter, jitter + 1, size=2))
        value, gradient = value_and_gradient(loss, np.roll(image, shift, axis=(1, 2)))
        activations.append(value)
        gradient = np.roll(gradient, tuple(-s for s in shift), axis=(1, 2))
        image = image + step_size * gradient / (np.sqrt(np.mean(gradient ** 2)) + 1e-8)
        image = scipy.ndimage.gaussian_filter(image, sigma=(0, blur_sigma, blur_sigma, 0))
        image = (grey + (1 - l2_decay) * (image - grey)).astype(np.float32)
        if value_range is not None:
            image = np.clip(image, *value_range)
    activations.append(float(keras.ops.convert_to_numpy(loss(image))))
    return Ascent(image[0], activations)


def saliency_map(model, image: np.ndarray, class_index: int | None = None) -> tuple[np.ndarray, int]:
    """|d score / d pixel| (Simonyan et al. 2014), the largest over the channels; and the class it explains.

    ``class_index`` defaults to the predicted class.
    """
    batch = _one_image(image, keras_model(model))
    class_index = _class_index(model, batch, class_index)
    scores = class_scores(model)
    _, gradient = value_and_gradient(lambda x: scores(x)[0, class_index], batch)
    return np.abs(gradient[0]).max(axis=-1), class_index


def grad_cam(model, image: np.ndarray, class_index: int | None = None,
             layer_name: str | None = None) -> tuple[np.ndarray, int]:
    """Grad-CAM (Selvaraju et al. 2017): where in the image the evidence for a class lies.

    The feature maps A_k of a convolution layer (by default the last Conv2D) are weighted
    by the mean gradient of the class score over each map, summed and rectified:
    ReLU(sum_k mean(dS/dA_k) A_k).  Returned at the image's size, scaled to [0, 1].
    """
    import keras
    import skimage.transform

    batch = _one_image(image, keras_model(model))
    class_index = _class_index(model, batch, class_index)
    maps = [layer.name for layer in model.layers
            if not isinstance(layer, keras.layers.InputLayer) and len(getattr(layer.output, "shape", ())) == 4]
    if layer_name is None:
        convs = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
        if not convs:
            raise ValueError(f"model {model.name!r} has no Conv2D layer; give layer_name.")
        layer_name = convs[-1].name
    layer = model_layer(model, layer_name, "layer_name")
    if layer_name not in maps:
        shape = tuple(layer.output.shape) if hasattr(layer.output, "shape") else "no single output"
        raise ValueError(f"layer_name must name a layer with feature maps, output (batch, height, width, channels), "
                         f"such as a Conv2D or pooling layer: {', '.join(maps) or 'none'}; {layer_name!r} outputs "
                         f"{shape}.")
    activations = keras.ops.convert_to_numpy(keras.Model(model.inputs[0], layer.output)(batch))
    scores = class_scores(model, start=layer.output)
    _, gradient = value_and_gradient(lambda a: scores(a)[0, class_index], activations)
    weights = gradient[0].mean(axis=(0, 1))
    cam = np.maximum((activations[0] * weights).sum(axis=-1), 0)
    cam = skimage.transform.resize(cam, batch.shape[1:3], order=1)
    return (cam / cam.max() if cam.max() > 0 else cam).astype(np.float32), class_index
