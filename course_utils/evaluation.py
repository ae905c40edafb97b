"""How a trained classifier does: its predicted classes, its accuracy on shifted digits, its mistakes.

Lesson 03 moves digits with :func:`shift_images` to measure what pooling does; lesson 04 uses all four
functions to compare its MLP and convnet, and later lessons get their predictions from
:func:`predicted_classes`.

Example:
    >>> import numpy as np
    >>> images = np.zeros((4, 28, 28, 1), np.float32)
    >>> images[0, 10, 10] = 1.0
    >>> moved = shift_images(images, 2)
    >>> int(moved[0, 10, 12, 0]), float(moved.sum())
    (1, 1.0)
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable

import numpy as np

from course_utils.validation import images_fit_model, keras_model, labelled_images, numeric_array, positive_int


def shift_images(images: np.ndarray, dx: int, dy: int = 0) -> np.ndarray:
    """Move each image of a batch ``(n, height, width[, channels])`` by ``dx`` pixels right, ``dy`` down.

    Pixels pushed out of the frame are lost and the uncovered border is filled with 0
    (black), as ``scipy.ndimage.shift`` does with ``order=0, mode="constant"``.
    """
    import scipy.ndimage

    images = np.asarray(images)
    if images.ndim not in (3, 4):
        raise ValueError(f"images must be a batch (n, height, width) or (n, height, width, channels), "
                         f"got shape {images.shape}.")
    height, width = images.shape[1:3]
    for name, value, side, size in (("dx", dx, "width", width), ("dy", dy, "height", height)):
        if not isinstance(value, numbers.Integral) or isinstance(value, bool) or abs(value) >= size:
            raise ValueError(f"{name} must be an int between -{size - 1} and {size - 1} (the images' {side} "
                             f"is {size}), got {value!r}.")
    offsets = (0, dy, dx) + (0,) * (images.ndim - 3)
    return scipy.ndimage.shift(images, offsets, order=0, mode="constant", cval=0)


def predicted_classes(model, images: np.ndarray, batch_size: int = 1000) -> np.ndarray:
    """The class each image is given: the arg-max of the model's softmax output."""
    batch_size = positive_int(batch_size, "batch_size")
    if not callable(getattr(model, "predict", None)):
        raise TypeError(f"model must be a keras.Model (or anything with a predict method), got {model!r}.")
    images = numeric_array(images, "images")
    if images.ndim < 2 or len(images) == 0:
        raise ValueError(f"images must be a non-empty batch (n, ...), got shape {images.shape}.")
    if hasattr(model, "inputs") and hasattr(model, "layers"):  # a Keras model: its input shape is known
        images_fit_model(keras_model(model), images, "images")
    return np.argmax(model.predict(images, batch_size=batch_size, verbose=0), axis=-1)


def shifted_accuracy(model, images: np.ndarray, labels: np.ndarray, shifts: Iterable[int] = range(5)) -> dict[int, float]:
    """Accuracy of ``model`` on the images moved ``k`` pixels to the right, for each ``k`` in ``shifts``."""
    images, labels = labelled_images(images, labels, "test")
    if isinstance(shifts, (str, bytes)) or not isinstance(shifts, Iterable):
        raise ValueError(f"shifts must be a sequence of ints (pixels to the right), such as range(5); got {shifts!r}.")
    return {int(k): float(np.mean(predicted_classes(model, shift_images(images, k)) == labels)) for k in shifts}


def show_mistakes(images: np.ndarray, labels: np.ndarray, predicted: np.ndarray, *, title: str, count: int = 24,
                  ncols: int = 8):
    """A grid of the first ``count`` misclassified images, each titled with its true and predicted class."""
    from course_utils.plotting import show_images

    images, labels = labelled_images(images, labels, "")
    predicted = np.asarray(predicted)
    if predicted.shape != labels.shape:
        raise ValueError(f"predicted must have the shape of labels {labels.shape}, got {predicted.shape}.")
    wrong = np.flatnonzero(predicted != labels)[: positive_int(count, "count")]
    if len(wrong) == 0:
        raise ValueError("there is no misclassified image to show: predicted equals labels everywhere.")
    return show_images([images[i].squeeze() for i in wrong], [f"true {labels[i]}, said {predicted[i]}" for i in wrong],
                       suptitle=title, ncols=min(ncols, len(wrong)), size=1.6, percentiles=None)
