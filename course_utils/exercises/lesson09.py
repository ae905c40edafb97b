"""Exercises of lesson 09, backpropagation through a convolution: average pooling's backward pass, and the
gradient of a squared error with respect to a kernel.

>>> from course_utils.exercises import lesson09 as ex
>>> ex.avg_pool_backward.check(ex.avg_pool_backward.reference_answer()).passed
True
>>> ex.avg_pool_backward.check(lambda g: g.repeat(2, axis=0).repeat(2, axis=1)).message
'Your gradient is 4 times too large: each input pixel is only a quarter of its window’s average.'
"""

from __future__ import annotations

import numpy as np

from course_utils.convolution import conv2d, conv2d_backward
from course_utils.exercises import Mistake, call_student, exercise, expect_array, expect_function


def _check_avg_pool_backward(answer) -> None:
    function = expect_function(answer, "Your answer", "def my_avg_pool_backward(grad_output)")
    grad_output = np.random.default_rng(5).normal(size=(3, 4))
    expected = grad_output.repeat(2, axis=0).repeat(2, axis=1) / 4
    result = expect_array(call_student(function, grad_output.copy(), returns="the gradient"),
                          "The result of your function")
    if result.shape == grad_output.shape:
        raise Mistake(f"For a (3, 4) grad_output your gradient has shape {result.shape}: the shape of the pooled "
                      "output, not of the input.", "The gradient has the shape of the input: twice as tall and wide.")
    if result.shape != expected.shape:
        raise Mistake(f"For a (3, 4) grad_output the input was (6, 8), so the gradient should have shape (6, 8); "
                      f"yours has {result.shape}.", "Each pooled pixel came from a 2x2 window of the input.")
    if np.allclose(result, expected):
        return
    for factor, says in ((4, "4 times too large"), (2, "twice too large"), (0.5, "half what it should be")):
        if np.allclose(result, factor * expected):
            raise Mistake(f"Your gradient is {says}: each input pixel is only a quarter of its window’s average.",
                          "The average is (a + b + c + d) / 4, so ∂average/∂a = 1/4.")
    if np.allclose(result[::2, ::2], 4 * expected[::2, ::2]) and np.allclose(result[1::2, 1::2], 0):
        raise Mistake("Your gradient goes to one pixel of each window, as max pooling's does.",
                      "Every pixel of a window counts in its average: each gets a quarter of the window's gradient.")
    raise Mistake("Your gradient differs from average pooling's.",
                  "Each of the 4 pixels of a window gets the window's gradient / 4: np.repeat along both axes.")


@exercise("Exercise 9.1: the backward pass of 2x2 average pooling", check=_check_avg_pool_backward,
          answer="function")
def avg_pool_backward():
    # Every pixel of a 2x2 window is a quarter of the window's average: it gets a quarter of its gradient.
    def my_avg_pool_backward(grad_output):
        return np.repeat(np.repeat(grad_output, 2, axis=0), 2, axis=1) / 4

    return my_avg_pool_backward


def _check_kernel_gradient(answer) -> None:
    function = expect_function(answer, "Your answer", "def my_kernel_gradient(image, kernel, target)")
    rng = np.random.default_rng(6)
    image, kernel = rng.normal(size=(9, 8)), rng.normal(size=(3, 3))
    target = rng.normal(size=(7, 6))
    error = conv2d(image, kernel) - target
    grad_image, expected = conv2d_backward(image, kernel, 2 * error / error.size)
    result = expect_array(call_student(function, image.copy(), kernel.copy(), target.copy(),
                                       returns="the gradient"), "The result of your function")
    if result.shape == image.shape and np.allclose(result, grad_image):
        raise Mistake("That is the gradient with respect to the image.",
                      "The question asks for ∂L/∂kernel: it has the kernel's shape, (3, 3).")
    if result.shape != kernel.shape:
        raise Mistake(f"The gradient with respect to a (3, 3) kernel has shape (3, 3); yours has {result.shape}.",
                      "∂L/∂kernel has one entry per weight.")
    if np.allclose(result, expected):
        return
    known = [
        (-expected, "Your gradient has the wrong sign.", "The error is output - target, not target - output."),
        (expected / 2, "Your gradient is half the right one: the square's factor 2 is missing.",
         "∂(e²)/∂e = 2e."),
        (expected * error.size, "Your gradient is the gradient of the sum of squares, not of their mean.",
         f"L is a mean over the {error.size} output pixels: divide by their number."),
        (expected * error.size / 2, "Your gradient is the gradient of half the sum of squares, not of their mean.",
         f"∂L/∂Y = 2 (output - target) / {error.size}."),
        (expected[::-1, ::-1], "Your gradient is turned by 180 degrees.",
         "Conv2D does not flip its kernel, so ∂L/∂kernel is the image cross-correlated with ∂L/∂Y: no flip."),
        (expected.T, "Your gradient is transposed.", "Keep the rows of the kernel as rows."),
    ]
    for wrong, message, hint in known:
        if np.allclose(result, wrong):
            raise Mistake(message, hint)
    raise Mistake("Your gradient differs from ∂L/∂kernel.",
                  "∂L/∂Y = 2 (conv2d(image, kernel) - target) / its size; then ∂L/∂kernel = conv2d(image, ∂L/∂Y).")


@exercise("Exercise 9.2: the gradient of a squared error with respect to a kernel", check=_check_kernel_gradient,
          answer="function")
def kernel_gradient():
    # Chain rule: L = mean(e²) with e = Y - target, so ∂L/∂Y = 2e / (number of pixels);
    # then ∂L/∂kernel is the image cross-correlated with ∂L/∂Y (a 'valid' conv2d, stride 1).
    def my_kernel_gradient(image, kernel, target):
        error = conv2d(image, kernel) - target
        grad_output = 2 * error / error.size
        return conv2d(image, grad_output)

    return my_kernel_gradient
