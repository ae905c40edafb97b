"""Exercises of lesson 05, classic architectures.

>>> from course_utils.exercises import lesson05 as ex
>>> ex.conv2_params.check(614656).passed, ex.pool1_shape.check((27, 27, 96)).passed
(True, True)
"""

from __future__ import annotations

import numpy as np

from course_utils.arithmetic import conv2d_params, pool_output_shape
from course_utils.exercises import Mistake, Unanswered, exercise, expect_number, expect_shape


def _check_conv2_params(answer) -> None:
    value = expect_number(answer, "The number of parameters")
    if value == conv2d_params(5, in_channels=96, filters=256):
        return
    known = {
        conv2d_params(5, 96, 256, bias=False): ("That is the number of weights only.",
                                                "Each of the 256 filters also has one bias."),
        conv2d_params(5, 48, 256): ("That is the paper's two-GPU layer, where each filter sees 48 channels.",
                                    "In the single-stream table, CONV2 sees all 96 channels of POOL1."),
        conv2d_params(5, 3, 256): ("That counts a kernel over 3 channels: an RGB image, not POOL1's output.",
                                   "CONV2's input is POOL1's output, 27x27x96."),
        conv2d_params(5, 96, 1): ("That is the count for one filter.", "The layer has 256 filters."),
    }
    message, hint = known.get(value, (f"{value:g} is not the count.",
                                      "Use (F * F * C_in + 1) * C_out; the image size does not appear."))
    raise Mistake(message, hint)


@exercise("Exercise 5.1: parameters of AlexNet's CONV2", check=_check_conv2_params)
def conv2_params():
    # 256 filters, each 5x5 over the 96 channels of POOL1, plus one bias each.
    n_params = (5 * 5 * 96 + 1) * 256
    return n_params


def _check_pool1_shape(answer) -> None:
    shape = expect_shape(answer, "The shape (height, width, channels)")
    right = (*pool_output_shape((55, 55), 3, strides=2), 96)
    if shape == right:
        return
    if shape[2] != 96:
        raise Mistake(f"Pooling keeps the number of channels: {shape[2]} is not CONV1's 96.",
                      "Max pooling works on each channel separately.")
    if shape[:2] == (28, 28):
        raise Mistake("That is 'same' padding (ceil(55 / 2)); AlexNet's pooling pads nothing.",
                      "Use O = floor((I - P) / S) + 1.")
    raise Mistake(f"{shape} is not the shape.", "Use O = floor((I - P) / S) + 1 with I = 55, P = 3, S = 2.")


@exercise("Exercise 5.2: the shape after AlexNet's POOL1", check=_check_pool1_shape)
def pool1_shape():
    # 3x3 windows at stride 2 on 55x55: floor((55 - 3) / 2) + 1 = 27 per side; channels unchanged.
    side = (55 - 3) // 2 + 1
    shape = (side, side, 96)
    return shape


def _check_residual_block(answer) -> None:
    import keras

    if not callable(answer):
        raise Mistake(f"Your answer should be a function, but you gave a {type(answer).__name__}.",
                      "Define my_residual_block(x) and pass the function itself, without calling it.")
    x = keras.Input((8, 8, 16))
    y = answer(x)
    if y is None:
        raise Unanswered("Your function returns None: build the block and return its output tensor.")
    if tuple(getattr(y, "shape", ())) != (None, 8, 8, 16):
        raise Mistake(f"For an 8x8x16 input your block should return an 8x8x16 tensor, not {getattr(y, 'shape', y)!r}.",
                      "Use padding='same' and as many filters as the input has channels, so that F(x) + x fits.")
    model = keras.Model(x, y)
    convs = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    if len(convs) != 2 or any(tuple(layer.kernel_size) != (3, 3) for layer in convs):
        raise Mistake(f"The residual branch should be two 3x3 convolutions; yours has {len(convs)} Conv2D layers "
                      f"with kernels {[tuple(layer.kernel_size) for layer in convs]}.")
    for layer in convs:
        layer.set_weights([np.zeros_like(w) for w in layer.get_weights()])
    images = np.random.default_rng(0).normal(size=(2, 8, 8, 16)).astype("float32")
    out = np.asarray(model.predict(images, verbose=0))
    if np.allclose(out, np.maximum(images, 0), atol=1e-6):
        return
    if np.allclose(out, 0, atol=1e-6):
        raise Mistake("With its convolutions set to zero your block outputs zeros: the input never reaches the output.",
                      "Add the input x to the second convolution's output with layers.Add(), then apply the ReLU.")
    if np.allclose(out, images, atol=1e-6):
        raise Mistake("Your block has the shortcut but no ReLU after the addition.",
                      "Apply layers.Activation('relu') to F(x) + x.")
    raise Mistake("With F(x) = 0 your block should return relu(x), and it does not.",
                  "The output is relu(F(x) + x), with F = Conv-ReLU-Conv and no activation before the addition.")


@exercise("Exercise 5.3: build a residual block", check=_check_residual_block)
def residual_block():
    from keras import layers

    def my_residual_block(x):
        channels = x.shape[-1]
        f = layers.Conv2D(channels, 3, padding="same", activation="relu")(x)
        f = layers.Conv2D(channels, 3, padding="same")(f)
        return layers.Activation("relu")(layers.Add()([f, x]))

    return my_residual_block
