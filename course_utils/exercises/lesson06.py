"""Exercises of lesson 06, filter and feature visualization.

>>> from course_utils.exercises import lesson06 as ex
>>> ex.feature_map_shape.check((16, 24, 64)).passed
True
"""

from __future__ import annotations

import numpy as np

from course_utils.exercises import Mistake, Unanswered, exercise, expect_shape


def _check_feature_map_shape(answer) -> None:
    shape = expect_shape(answer, "Your shape")
    if shape == (16, 24, 64):
        return
    known = {
        (64, 96, 64): ("That is the size before any pooling.", "pool1 and pool2 each halve the height and width."),
        (32, 48, 64): ("That counts one pooling layer.", "There are two: pool1 and pool2."),
        (16, 24, 1): ("The height and width are right, the channels are not.",
                      "The output has one channel per filter of conv2."),
        (16, 24, 32): ("The height and width are right, the channels are not.",
                       "32 is conv1's filter count; pool2 follows conv2."),
    }
    message, hint = known.get(shape, (f"{shape} is not the shape.",
                                      "'same' convolutions keep the size, each 2x2 pooling halves it."))
    raise Mistake(message, hint)


@exercise("Exercise 6.1: the feature maps of a photograph", check=_check_feature_map_shape)
def feature_map_shape():
    # 'same' convolutions keep 64x96; pool1 and pool2 each halve it; conv2 has 64 filters.
    shape = (64 // 2 // 2, 96 // 2 // 2, 64)
    return shape


def _check_ascent_step(answer) -> None:
    if not callable(answer):
        raise Mistake(f"Your answer should be a function, but you gave a {type(answer).__name__}.",
                      "Define ascent_step(image, gradient, step_size) and pass the function itself.")
    rng = np.random.default_rng(6)
    image, gradient = rng.random((28, 28, 1)), 0.01 * rng.normal(size=(28, 28, 1))
    result = answer(image, gradient, 0.1)
    if result is None:
        raise Unanswered("Your function returns None: write its body and return the new image.")
    result = np.asarray(result, dtype=float)
    rms = np.sqrt(np.mean(gradient ** 2))
    if result.shape != image.shape:
        raise Mistake(f"The new image should have the image's shape {image.shape}, yours has {result.shape}.")
    if np.allclose(result, image + 0.1 * gradient / rms):
        return
    if np.allclose(result, image - 0.1 * gradient / rms):
        raise Mistake("Your step goes down the gradient: that is descent.", "Ascent adds the gradient.")
    if np.allclose(result, image + 0.1 * gradient):
        raise Mistake("Your step is not normalised: its size depends on the gradient's scale.",
                      "Divide the gradient by its root-mean-square, np.sqrt(np.mean(gradient ** 2)).")
    raise Mistake("Your new image differs from image + step_size * gradient / RMS(gradient).",
                  "RMS(gradient) = np.sqrt(np.mean(gradient ** 2)).")


@exercise("Exercise 6.2: one step of gradient ascent", check=_check_ascent_step)
def ascent_step():
    # Move up the gradient; dividing by its RMS makes every step the same size.
    def ascent_step(image, gradient, step_size):
        return image + step_size * gradient / np.sqrt(np.mean(gradient ** 2))

    return ascent_step
