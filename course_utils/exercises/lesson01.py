"""Exercises of lesson 01, convolution basics.

>>> from course_utils.exercises import lesson01 as ex
>>> ex.conv_params.check(1792).passed
True
"""

from __future__ import annotations

import numpy as np
import scipy.signal

from course_utils.arithmetic import conv2d_params
from course_utils.convolution import conv2d
from course_utils.exercises import Mistake, Unanswered, exercise, expect_array, expect_number


def _check_conv_params(answer) -> None:
    value = expect_number(answer, "The number of parameters")
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
    message, hint = known.get(value, (f"{value:g} is not the count.",
                                      "Use (F * F * C_in + 1) * C_out."))
    raise Mistake(message, hint)


@exercise("Exercise 1.1: parameters of a Conv2D layer", check=_check_conv_params)
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


@exercise("Exercise 1.2: a vertical-edge detector", check=_check_vertical_edge_kernel)
def vertical_edge_kernel():
    # The Sobel kernel: right column minus left column, the middle row weighted twice.
    # Every row sums to 0, so flat regions and horizontal edges give no response.
    kernel = np.array([[-1, 0, 1],
                       [-2, 0, 2],
                       [-1, 0, 1]])
    return kernel


def _check_convolve(answer) -> None:
    if not callable(answer):
        raise Mistake(f"Your answer should be a function, but you gave a {type(answer).__name__}.",
                      "Define my_convolve2d(image, kernel) and pass the function itself, without calling it.")
    rng = np.random.default_rng(1)
    image, kernel = rng.normal(size=(7, 8)), rng.normal(size=(3, 2))
    result = answer(image, kernel)
    if result is None:
        raise Unanswered("Your function returns None: write its body and return the result.")
    result = np.asarray(result)
    expected = scipy.signal.convolve2d(image, kernel, mode="valid")
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


@exercise("Exercise 1.3: true convolution from cross-correlation", check=_check_convolve)
def convolve():
    # Convolution = cross-correlation with the kernel turned by 180 degrees.
    def my_convolve2d(image, kernel):
        return conv2d(image, kernel[::-1, ::-1])

    return my_convolve2d
