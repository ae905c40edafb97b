"""Exercises of lesson 01, convolution basics: a count, a kernel, a function and a Keras layer.

>>> from course_utils.exercises import lesson01 as ex
>>> ex.conv_params.check(1792).passed
True
>>> ex.conv_params.check(1792.0000001).message
'The number of parameters should be a whole number, but yours is 1792.0000001.'
"""

from __future__ import annotations

import numpy as np
import scipy.signal

from course_utils.arithmetic import conv2d_params
from course_utils.convolution import conv2d
from course_utils.exercises import (Mistake, call_student, exercise, expect_array, expect_function, expect_layer,
                                    expect_number, output_of, show)


def _check_conv_params(answer) -> None:
    value = expect_number(answer, "The number of parameters", whole=True)
    right = conv2d_params(3, in_channels=3, filters=64)
    if value == right:
        return
    known = {
        conv2d_params(3, 3, 64, bias=False): ("That is the number of weights only.",
                                              "Each of the 64 filters also has one bias."),
        conv2d_params(3, 1, 64): ("That counts a 3x3 kernel on a single channel.",
                                  "An RGB input has 3 channels, and each filter spans all of them."),
        conv2d_params(3, 1, 64, bias=False): ("That counts one channel and no biases.",
                                              "Each filter is 3x3x3, plus one bias."),
        conv2d_params(3, 3, 1): ("That is the count for one filter.", "The layer has 64 filters."),
    }
    message, hint = known.get(value, (f"{show(value)} is not the count.",
                                      "Use (F * F * C_in + 1) * C_out."))
    raise Mistake(message, hint)


@exercise("Exercise 1.1: parameters of a Conv2D layer", check=_check_conv_params, answer="number")
def conv_params():
    # Each of the 64 filters is a 3x3 kernel over the 3 input channels, plus one bias.
    n_params = (3 * 3 * 3 + 1) * 64
    return n_params


def _edge_images() -> tuple[np.ndarray, np.ndarray]:
    """A 6x6 image dark on the left and bright on the right, and its transpose."""
    vertical = np.zeros((6, 6))
    vertical[:, 3:] = 1.0
    return vertical, vertical.T


def _check_vertical_edge_kernel(answer) -> None:
    kernel = expect_array(answer, "Your kernel", (3, 3))
    flat = conv2d(np.ones((5, 5)), kernel)
    if not np.allclose(flat, 0):
        raise Mistake(f"On a flat (constant) image your kernel gives {flat[0, 0]:g}, not 0.",
                      "Make the weights sum to zero, so that a region with no edge gives no response.")
    vertical, horizontal = _edge_images()
    across = conv2d(horizontal, kernel)
    if not np.allclose(across, 0):
        raise Mistake("Your kernel also responds to a horizontal edge (dark on top, bright below).",
                      "Make every row of the kernel sum to zero.")
    response = conv2d(vertical, kernel)
    if response.max() <= 0:
        raise Mistake("Your kernel gives no positive response where the image turns bright to the right.",
                      "Put negative weights on the left column and positive ones on the right column.")


@exercise("Exercise 1.2: a vertical-edge detector", check=_check_vertical_edge_kernel, answer="array")
def vertical_edge_kernel():
    # The Sobel kernel: right column minus left column, the middle row weighted twice.
    # Every row sums to 0, so flat regions and horizontal edges give no response.
    kernel = np.array([[-1, 0, 1],
                       [-2, 0, 2],
                       [-1, 0, 1]])
    return kernel


def _check_convolve(answer) -> None:
    function = expect_function(answer, "Your answer", "def my_convolve2d(image, kernel)")
    rng = np.random.default_rng(1)
    image, kernel = rng.normal(size=(7, 8)), rng.normal(size=(3, 2))
    expected = scipy.signal.convolve2d(image, kernel, mode="valid")
    result = call_student(function, image.copy(), kernel.copy(), returns="the convolved image")
    result = expect_array(result, "The result of your function")
    if result.shape != expected.shape:
        raise Mistake(f"For a 7x8 image and a 3x2 kernel the result should have shape {expected.shape}, "
                      f"yours has shape {result.shape}.", "Keep the 'valid' part only, as conv2d does.")
    if np.allclose(result, expected):
        return
    if np.allclose(result, conv2d(image, kernel)):
        raise Mistake("Your function computes the cross-correlation (what Conv2D does).",
                      "A true convolution flips the kernel first.")
    if np.allclose(result, conv2d(image, kernel[::-1])) or np.allclose(result, conv2d(image, kernel[:, ::-1])):
        raise Mistake("Your function flips the kernel along one axis only.", "Flip it along both axes.")
    raise Mistake("Your function's result differs from scipy.signal.convolve2d(image, kernel, mode='valid').",
                  "Flip the kernel along both axes, then cross-correlate with conv2d.")


@exercise("Exercise 1.3: true convolution from cross-correlation", check=_check_convolve, answer="function")
def convolve():
    # Convolution = cross-correlation with the kernel turned by 180 degrees.
    def my_convolve2d(image, kernel):
        return conv2d(image, kernel[::-1, ::-1])

    return my_convolve2d


def _check_conv_layer(answer) -> None:
    import keras

    function = expect_function(answer, "Your answer", "def conv_layer(kernel)")
    rng = np.random.default_rng(11)
    for image_shape, kernel_shape in (((7, 8), (3, 2)), ((9, 9), (5, 5))):
        image, kernel = rng.normal(size=image_shape), rng.normal(size=kernel_shape)
        layer = expect_layer(call_student(function, kernel.copy(), returns="the layer"),
                             "The layer your function returns")
        if not isinstance(layer, keras.layers.Conv2D):
            raise Mistake(f"Your function returns a {type(layer).__name__}, not a Conv2D layer.",
                          "Return keras.layers.Conv2D(1, kernel.shape, use_bias=False), built, with the kernel as its weights.")
        out = output_of(layer, image[None, :, :, None].astype("float32"))
        expected = conv2d(image, kernel)
        if out.shape != (1, *expected.shape, 1):
            same = out.shape[1:3] == image.shape
            raise Mistake(f"On a {image_shape[0]}x{image_shape[1]} grey image and a {kernel_shape[0]}x{kernel_shape[1]} "
                          f"kernel your layer outputs shape {out.shape}, not {(1, *expected.shape, 1)}.",
                          "Use padding='valid' (the default), as conv2d does." if same else
                          "One filter (Conv2D(1, ...)), kernel_size=kernel.shape, stride 1, 'valid' padding.")
        tolerance = dict(rtol=1e-2, atol=1e-2)  # a GPU's mixed precision computes in float16
        if np.allclose(out[0, ..., 0], expected, **tolerance):
            continue
        if np.allclose(out[0, ..., 0], conv2d(image, kernel[::-1, ::-1]), **tolerance):
            raise Mistake("Your layer flips the kernel, but Conv2D already cross-correlates: give it the kernel unflipped.")
        raise Mistake(f"Your layer's output differs from conv2d(image, kernel) for a {kernel_shape[0]}x{kernel_shape[1]} "
                      "kernel: its weights are not the kernel.",
                      "After layer.build((None, None, None, 1)), set layer.set_weights([kernel.reshape(F_h, F_w, 1, 1)]): "
                      "Keras stores a kernel as (F_h, F_w, C_in, C_out); with use_bias=False there is no bias to set.")


@exercise("Exercise 1.4: your kernel in a Keras Conv2D layer", check=_check_conv_layer, answer="function")
def conv_layer():
    import keras

    # A Conv2D with one filter of the kernel's size, no bias; build it for grey images of any size,
    # then give it the kernel as weights, in Keras's layout (F_h, F_w, C_in, C_out).
    def conv_layer(kernel):
        layer = keras.layers.Conv2D(1, kernel.shape, use_bias=False, dtype="float32")
        layer.build((None, None, None, 1))
        layer.set_weights([kernel.reshape(*kernel.shape, 1, 1)])
        return layer

    return conv_layer
