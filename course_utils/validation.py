"""Argument checks shared by the helpers: clear ``ValueError``s that name the argument.

>>> positive_pair(3, "kernel_size")
(3, 3)
>>> positive_int(0, "filters")
Traceback (most recent call last):
...
ValueError: filters must be a positive int, got 0.
"""

from __future__ import annotations

import numbers


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


def model_arguments(input_shape, num_classes) -> tuple[tuple[int, int, int], int]:
    """The two arguments every model builder takes, checked: ``(image_shape(input_shape), num_classes)``.

    >>> model_arguments((32, 32, 3), 10)
    ((32, 32, 3), 10)
    """
    return image_shape(input_shape), positive_int(num_classes, "num_classes")


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
