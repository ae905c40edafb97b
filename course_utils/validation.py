"""Argument checks shared by the helpers: clear ``ValueError``s that name the argument.

>>> positive_pair(3, "kernel_size")
(3, 3)
>>> positive_int(0, "filters")
Traceback (most recent call last):
...
ValueError: filters must be a positive int, got 0.
"""

from __future__ import annotations

import math
import numbers
import sys

import numpy as np


def positive_int(value, name: str) -> int:
    """``value`` as an int, or a ``ValueError`` unless it is an int >= 1 (bools are refused)."""
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}.")
    return int(value)


def non_negative_int(value, name: str) -> int:
    """``value`` as an int, or a ``ValueError`` unless it is an int >= 0 (bools are refused).

    >>> non_negative_int(0, "seed")
    0
    """
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{name} must be a non-negative int, got {value!r}.")
    return int(value)


def positive_pair(value, name: str) -> tuple[int, int]:
    """An int ``n`` as ``(n, n)``, or a pair of positive ints as a tuple; else a ``ValueError``."""
    pair = value if isinstance(value, (tuple, list)) else (value, value)
    if len(pair) != 2:
        raise ValueError(f"{name} must be an int or a pair of positive ints, got {value!r}.")
    return positive_int(pair[0], name), positive_int(pair[1], name)


def image_shape(value, name: str = "input_shape") -> tuple[int, int, int]:
    """``(height, width, channels)`` of positive ints as a tuple, or a ``ValueError`` naming ``name``.

    >>> image_shape([28, 28, 1])
    (28, 28, 1)
    """
    shape = tuple(value) if isinstance(value, (tuple, list)) else None
    if shape is None or len(shape) != 3 or not all(
            isinstance(n, numbers.Integral) and not isinstance(n, bool) and n > 0 for n in shape):
        raise ValueError(f"{name} must be (height, width, channels) of positive ints, got {value!r}.")
    return tuple(int(n) for n in shape)


def model_arguments(input_shape, num_classes, *, min_side: int = 1,
                    builder: str = "this model") -> tuple[tuple[int, int, int], int]:
    """The two arguments every model builder takes, checked: ``(image_shape(input_shape), num_classes)``.

    ``min_side`` is the smallest height and width the builder's layers can shrink without reaching
    zero pixels (its strides and 'valid' windows); a smaller image is a ``ValueError`` naming it.

    >>> model_arguments((32, 32, 3), 10)
    ((32, 32, 3), 10)
    >>> model_arguments((8, 8, 1), 10, min_side=12, builder="lenet5")
    Traceback (most recent call last):
    ...
    ValueError: input_shape (8, 8, 1) is too small for lenet5: its strides and pooling need images of at least 12x12.
    """
    shape = image_shape(input_shape)
    if min(shape[:2]) < min_side:
        raise ValueError(f"input_shape {shape} is too small for {builder}: its strides and pooling need images of at "
                         f"least {min_side}x{min_side}.")
    return shape, positive_int(num_classes, "num_classes")


def model_layer(model, name: str, argument: str):
    """``model``'s layer called ``name``, or a ``ValueError`` naming ``argument`` and listing the layers.

    >>> import keras
    >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, name="out")], name="tiny")
    >>> model_layer(model, "out", "layer_name").name
    'out'
    >>> model_layer(model, "fc", "layer_name")
    Traceback (most recent call last):
    ...
    ValueError: layer_name must be a layer of 'tiny' (out); got 'fc'.
    """
    names = [layer.name for layer in model.layers]
    if name not in names:
        raise ValueError(f"{argument} must be a layer of {model.name!r} ({', '.join(names)}); got {name!r}.")
    return model.get_layer(name)


MAX_SEED = 2 ** 32 - 1  # numpy's and TensorFlow's seeds are 32-bit


def seed_value(value, name: str = "seed") -> int:
    """A random seed: an int from 0 to 2**32 - 1 (what numpy accepts), else a ``ValueError`` naming ``name``.

    >>> seed_value(42)
    42
    >>> seed_value(2 ** 40)
    Traceback (most recent call last):
    ...
    ValueError: seed must be an int from 0 to 4294967295, got 1099511627776.
    """
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or not 0 <= value <= MAX_SEED:
        raise ValueError(f"{name} must be an int from 0 to {MAX_SEED}, got {value!r}.")
    return int(value)


def flag(value, name: str) -> bool:
    """``value`` if it is a bool (numpy's too), else a ``TypeError`` naming ``name``: ``"no"`` is not False.

    >>> flag(False, "subset")
    False
    """
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r} ({type(value).__name__}).")
    return bool(value)


def real(value, name: str, *, low: float | None = None, high: float | None = None,
         low_open: bool = False, high_open: bool = False) -> float:
    """A finite real number (Python or numpy, not a bool) within the given bounds, as a float.

    ``TypeError`` for anything that is not a number (text, None, an array), ``ValueError`` for NaN,
    an infinity or a number out of range; both name ``name`` and say what is allowed.

    >>> real(0.5, "peak", low=0, high=1, low_open=True, high_open=True)
    0.5
    >>> real("0.1", "peak")
    Traceback (most recent call last):
    ...
    TypeError: peak must be a real number, got '0.1' (str).
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r} ({type(value).__name__}).")
    number = float(value)
    too_low = low is not None and (number <= low if low_open else number < low)
    too_high = high is not None and (number >= high if high_open else number > high)
    if not math.isfinite(number) or too_low or too_high:
        left = "any" if low is None else f"{'>' if low_open else '>='} {low:g}"
        right = "" if high is None else f" and {'<' if high_open else '<='} {high:g}"
        bounds = "a finite number" if low is None and high is None else f"a number {left}{right}"
        raise ValueError(f"{name} must be {bounds}, got {value!r}.")
    return number


def numeric_array(value, name: str, *, finite: bool = False) -> np.ndarray:
    """``value`` as a numpy array of numbers, else a ``TypeError`` naming ``name`` (text, ragged lists, objects).

    With ``finite=True`` NaN and infinities are a ``ValueError``.

    >>> numeric_array([[1, 2], [3, 4]], "image").shape
    (2, 2)
    >>> numeric_array([[1, 2], [3]], "image")
    Traceback (most recent call last):
    ...
    TypeError: image must be an array of numbers, got a list that numpy cannot read as one ([[1, 2], [3]]).
    """
    try:
        array = np.asarray(value)
    except (TypeError, ValueError):  # ragged nesting
        array = None
    if array is None or array.dtype.kind not in "biuf":
        text = repr(value)
        shown = f" ({text})" if len(text) <= 60 else ""
        if isinstance(value, np.ndarray):
            raise TypeError(f"{name} must be an array of numbers, got an array of dtype {value.dtype}.")
        raise TypeError(f"{name} must be an array of numbers, got a {type(value).__name__} that numpy cannot read "
                        f"as one{shown}.")
    if finite and array.dtype.kind == "f" and not np.isfinite(array).all():
        raise ValueError(f"{name} contains NaN or infinite values.")
    return array


def keras_model(model, name: str = "model"):
    """``model`` if it is a Keras model whose input is known, else a ``TypeError`` (not a model) or
    ``ValueError`` (a model with no input yet) naming ``name``.  Works without importing Keras: an
    object cannot be a Keras model if Keras was never imported.

    >>> keras_model("convnet")
    Traceback (most recent call last):
    ...
    TypeError: model must be a keras.Model, got a str ('convnet').
    """
    keras = sys.modules.get("keras")
    if keras is None or not isinstance(model, keras.Model):
        text = repr(model)
        shown = f" ({text})" if len(text) <= 60 else ""
        layer = keras is not None and isinstance(model, keras.layers.Layer)
        raise TypeError(f"{name} must be a keras.Model, got a {type(model).__name__}{shown}"
                        + ("; put the layer in a model (keras.Sequential([keras.Input(...), layer]))." if layer else "."))
    try:
        inputs = model.inputs
    except (AttributeError, ValueError):
        inputs = None
    if not inputs:
        raise ValueError(f"{name} {model.name!r} has no input yet: build it from keras.Input(shape) "
                         "(e.g. keras.Sequential([keras.Input((28, 28, 1)), ...])).")
    if len(inputs) != 1:
        raise ValueError(f"{name} must have one input, {model.name!r} has {len(inputs)}.")
    return model


def keras_image_tensor(x, name: str = "x"):
    """``x`` if it is a 4-D Keras tensor ``(batch, height, width, channels)``, else a ``ValueError``/``TypeError``.

    The building blocks of :mod:`course_utils.architectures` take such a tensor, e.g. ``keras.Input((28, 28, 192))``.
    """
    shape = getattr(x, "shape", None)
    if shape is None or isinstance(x, np.ndarray):
        raise TypeError(f"{name} must be a Keras tensor of shape (batch, height, width, channels), such as "
                        f"keras.Input((28, 28, 192)); got a {type(x).__name__}.")
    if len(shape) != 4:
        raise ValueError(f"{name} must be a Keras tensor of shape (batch, height, width, channels); got shape "
                         f"{tuple(shape)}.")
    return x


def images_fit_model(model, images: np.ndarray, name: str) -> None:
    """A ``ValueError`` naming ``name`` unless ``images`` (a batch) has ``model``'s input shape (None: any size).

    Grey digits without their channel axis, ``(n, 28, 28)`` for a ``(28, 28, 1)`` input, pass: Keras adds the axis.

    >>> import keras
    >>> model = keras.Sequential([keras.Input((4, 4, 1)), keras.layers.Flatten()], name="tiny")
    >>> images_fit_model(model, np.zeros((2, 4, 4)), "x")
    >>> images_fit_model(model, np.zeros((2, 5, 5, 1)), "x")
    Traceback (most recent call last):
    ...
    ValueError: x must be a batch of shape (n, 4, 4, 1) for model 'tiny' (None: any size), got (2, 5, 5, 1).
    """
    expected = tuple(model.inputs[0].shape[1:])
    given = images.shape[1:]
    squeezed = given + (1,) == expected  # grey digits without their channel axis: Keras adds it
    if not squeezed and (len(given) != len(expected) or any(e is not None and e != g for e, g in zip(expected, given))):
        raise ValueError(f"{name} must be a batch of shape (n, {', '.join(map(str, expected))}) for model "
                         f"{model.name!r} (None: any size), got {images.shape}.")


def labelled_images(images, labels, name: str) -> tuple[np.ndarray, np.ndarray]:
    """``images`` (a non-empty numeric batch) and ``labels`` (one integer class per image) as arrays.

    ``name`` says which data it is ("training", "validation", "test") in the ``ValueError``.

    >>> labelled_images(np.zeros((2, 3, 3)), [0, 1.5], "test")
    Traceback (most recent call last):
    ...
    ValueError: test labels must be 2 integer class indices, one per image, got float64 of shape (2,).
    """
    images, labels = numeric_array(images, f"{name} images".strip()), np.asarray(labels)
    if images.ndim < 2 or len(images) == 0:
        raise ValueError(f"{name} images must be a non-empty batch (n, ...), got shape {images.shape}.")
    if labels.shape != (len(images),) or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"{name} labels must be {len(images)} integer class indices, one per image, "
                         f"got {labels.dtype} of shape {labels.shape}.")
    return images, labels
