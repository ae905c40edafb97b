"""Exercises of lesson 03, pooling.

>>> from course_utils.exercises import lesson03 as ex
>>> ex.pool_shape.check((27, 27, 96)).passed
True
"""

from __future__ import annotations

import numpy as np
import skimage.measure

from course_utils.arithmetic import dense_params, pool_output_shape
from course_utils.exercises import Mistake, Unanswered, exercise, expect_array, expect_shape


def _check_pool_shape(answer) -> None:
    shape = expect_shape(answer, "The output shape")
    right = (*pool_output_shape((55, 55), 3, strides=2), 96)
    if shape == right:
        return
    known = {
        (*pool_output_shape((55, 55), 3), 96): ("That uses a stride of 3 (the pool size).",
                                                "AlexNet's windows overlap: 3x3 windows, 2 pixels apart."),
        (*pool_output_shape((55, 55), 2), 96): ("That is a 2x2 pooling.", "The window here is 3x3, the stride 2."),
        (28, 28, 96): ("That rounds up, as padding='same' would.", "'valid' pooling: floor((I - P) / S) + 1."),
        (*pool_output_shape((55, 55), 3, strides=2), 1): ("Pooling works on each channel separately.",
                                                          "The number of channels does not change."),
    }
    message, hint = known.get(shape, (f"{shape} is not the shape Keras builds.",
                                      "O = floor((I - P) / S) + 1 on each axis; the channels stay."))
    raise Mistake(message, hint)


@exercise("Exercise 3.1: the output shape of AlexNet's first pooling", check=_check_pool_shape)
def pool_shape():
    # 3x3 windows every 2 pixels ('valid'): floor((55 - 3) / 2) + 1 = 27; the 96 channels stay.
    side = (55 - 3) // 2 + 1
    shape = (side, side, 96)
    return shape


def _check_max_pool(answer) -> None:
    if not callable(answer):
        raise Mistake(f"Your answer should be a function, but you gave a {type(answer).__name__}.",
                      "Define my_max_pool(x) and pass the function itself, without calling it.")
    x = np.random.default_rng(3).normal(size=(6, 8))
    result = answer(x)
    if result is None:
        raise Unanswered("Your function returns None: write its body and return the result.")
    result = np.asarray(result)
    expected = skimage.measure.block_reduce(x, (2, 2), np.max)
    if result.shape != expected.shape:
        raise Mistake(f"For a 6x8 input the result should have shape {expected.shape}, yours has {result.shape}.",
                      "2x2 windows side by side (stride 2) halve each side.")
    if np.allclose(result, expected):
        return
    if np.allclose(result, skimage.measure.block_reduce(x, (2, 2), np.mean)):
        raise Mistake("Your function averages each window.", "Max pooling keeps the largest value.")
    raise Mistake("Your result differs from the maximum of each 2x2 block.",
                  "x.reshape(H // 2, 2, W // 2, 2) puts each block on axes 1 and 3.")


@exercise("Exercise 3.2: 2x2 max pooling in numpy", check=_check_max_pool)
def max_pool():
    # Split each axis into (blocks, 2): axes 1 and 3 then run over one 2x2 window.
    def my_max_pool(x):
        h, w = x.shape
        return x.reshape(h // 2, 2, w // 2, 2).max(axis=(1, 3))

    return my_max_pool


def _check_head_params(answer) -> None:
    gap, flat = expect_array(answer, "Your answer", (2,))
    right = (dense_params(512, 10), dense_params(7 * 7 * 512, 10))
    if (gap, flat) == right:
        return
    if (flat, gap) == right:
        raise Mistake("The two numbers are swapped.", "Global pooling leaves 512 numbers; Flatten leaves 7*7*512.")
    if gap == dense_params(512, 10, bias=False) or flat == dense_params(7 * 7 * 512, 10, bias=False):
        raise Mistake("The biases are missing.", "Dense(10) has one bias per unit.")
    if gap != right[0]:
        raise Mistake(f"{gap:g} is not the count after global average pooling.",
                      "Global pooling keeps one number per channel: 512 inputs to Dense(10).")
    raise Mistake(f"{flat:g} is not the count after Flatten.", "Flatten keeps every number: 7 * 7 * 512 inputs.")


@exercise("Exercise 3.3: a classifier head after global pooling or Flatten", check=_check_head_params)
def head_params():
    # Global average pooling: 512 numbers in; Flatten: 7 * 7 * 512. Dense(10): inputs * 10 + 10 biases.
    after_global_pooling = 512 * 10 + 10
    after_flatten = 7 * 7 * 512 * 10 + 10
    counts = (after_global_pooling, after_flatten)
    return counts
