"""Exercises of lesson 03, pooling: a shape, max pooling in numpy, average pooling as a Keras convolution.

>>> from course_utils.exercises import lesson03 as ex
>>> ex.pool_shape.check((6, 6, 16)).passed
True
>>> ex.pool_shape.check((18, 18, 16)).message
'That uses a stride of 1.'
"""

from __future__ import annotations

import numpy as np
import skimage.measure

from course_utils.arithmetic import pool_output_shape
from course_utils.exercises import (Mistake, call_student, exercise, expect_array, expect_function, expect_layer,
                                    expect_shape, output_of)


def _check_pool_shape(answer) -> None:
    shape = expect_shape(answer, "The output shape")
    right = (*pool_output_shape((20, 20), 3), 16)
    if shape == right:
        return
    known = {
        (*pool_output_shape((20, 20), 3, strides=1), 16): (
            "That uses a stride of 1.", "When strides is not given, Keras moves the window by the pool size."),
        (*pool_output_shape((20, 20), 3, padding="same"), 16): (
            "That rounds up, as padding='same' would.",
            "With the default padding='valid' a window must fit inside: floor((I - P) / S) + 1."),
        (*pool_output_shape((20, 20), 2), 16): ("That is a 2x2 pooling.", "MaxPooling2D(3) has 3x3 windows."),
        (*pool_output_shape((20, 20), 3), 1): ("Pooling works on each channel separately.",
                                               "The number of channels does not change."),
    }
    message, hint = known.get(shape, (f"{shape} is not the shape Keras builds.",
                                      "O = floor((I - P) / S) + 1 on each axis, with S = P by default; the channels stay."))
    raise Mistake(message, hint)


@exercise("Exercise 3.1: pooling with Keras's default stride", check=_check_pool_shape, answer="shape")
def pool_shape():
    # No strides given: Keras moves the 3x3 window 3 pixels at a time. floor((20 - 3) / 3) + 1 = 6.
    side = (20 - 3) // 3 + 1
    shape = (side, side, 16)
    return shape


def _check_max_pool(answer) -> None:
    function = expect_function(answer, "Your answer", "def my_max_pool(x)")
    x = np.random.default_rng(3).normal(size=(6, 8))
    expected = skimage.measure.block_reduce(x, (2, 2), np.max)
    result = expect_array(call_student(function, x.copy(), returns="the pooled array"), "The result of your function")
    if result.shape != expected.shape:
        raise Mistake(f"For a 6x8 input the result should have shape {expected.shape}, yours has {result.shape}.",
                      "2x2 windows side by side (stride 2) halve each side.")
    if np.allclose(result, expected):
        return
    if np.allclose(result, skimage.measure.block_reduce(x, (2, 2), np.mean)):
        raise Mistake("Your function averages each window.", "Max pooling keeps the largest value.")
    raise Mistake("Your result differs from the maximum of each 2x2 block.",
                  "x.reshape(H // 2, 2, W // 2, 2) puts each block on axes 1 and 3.")


@exercise("Exercise 3.2: 2x2 max pooling in numpy", check=_check_max_pool, answer="function")
def max_pool():
    # Split each axis into (blocks, 2): axes 1 and 3 then run over one 2x2 window.
    def my_max_pool(x):
        h, w = x.shape
        return x.reshape(h // 2, 2, w // 2, 2).max(axis=(1, 3))

    return my_max_pool


def _check_pooling_conv(answer) -> None:
    import keras

    if isinstance(answer, keras.layers.AveragePooling2D):
        raise Mistake("That is the pooling layer itself.", "Build a Conv2D layer that computes the same numbers.")
    layer = expect_layer(answer)
    if not isinstance(layer, keras.layers.Conv2D):
        raise Mistake(f"Your layer is a {type(layer).__name__}, not a Conv2D.")
    x = np.random.default_rng(4).normal(size=(2, 8, 6, 3)).astype("float32")
    blocks = x.reshape(2, 4, 2, 3, 2, 3)
    expected = blocks.mean(axis=(2, 4))
    out = output_of(layer, x)
    if out.shape != expected.shape:
        hint = {(2, 7, 5, 3): "With stride 1 the windows overlap: AveragePooling2D(2) moves them by 2 (strides=2)."}.get(
            out.shape, "3 filters of 2x2, strides=2, padding='valid': one output channel per input channel.")
        raise Mistake(f"On a batch of shape {x.shape} your layer outputs {out.shape}; AveragePooling2D(2) gives "
                      f"{expected.shape}.", hint)
    tolerance = dict(rtol=1e-2, atol=1e-2)  # a GPU's mixed precision computes in float16
    if np.allclose(out, expected, **tolerance):
        return
    if np.allclose(out, 4 * expected, **tolerance):
        raise Mistake("Your layer adds up each window instead of averaging it.", "Each of the 4 weights is 1/4.")
    if np.allclose(out, np.repeat(expected.sum(axis=-1, keepdims=True), 3, axis=-1), **tolerance):
        raise Mistake("Your layer mixes the channels: every output channel averages all three input channels.",
                      "Pooling works on each channel separately: kernel[:, :, c_in, c_out] = 1/4 only where "
                      "c_in == c_out, and 0 elsewhere.")
    raise Mistake("Your layer's output differs from AveragePooling2D(2)'s.",
                  "Weights of shape (2, 2, 3, 3): 1/4 where the input and output channel are the same, 0 elsewhere; "
                  "no bias (use_bias=False) or a zero bias.")


@exercise("Exercise 3.3: average pooling is a convolution", check=_check_pooling_conv, answer="layer")
def pooling_conv():
    import keras

    # Output channel c averages input channel c over each 2x2 window: weights 1/4 on the "diagonal" c -> c.
    kernel = np.zeros((2, 2, 3, 3), dtype="float32")
    for c in range(3):
        kernel[:, :, c, c] = 1 / 4
    pooling_conv = keras.layers.Conv2D(3, 2, strides=2, use_bias=False, dtype="float32")
    pooling_conv.build((None, None, None, 3))
    pooling_conv.set_weights([kernel])
    return pooling_conv
