"""Exercises of lesson 02, padding, stride, dilation.

>>> from course_utils.exercises import lesson02 as ex
>>> ex.output_shape.check((30, 22, 32)).passed
True
"""

from __future__ import annotations

from course_utils.arithmetic import conv_output_shape, receptive_field, same_padding
from course_utils.exercises import Mistake, exercise, expect_number, expect_shape


def _check_output_shape(answer) -> None:
    shape = expect_shape(answer, "The output shape")
    right = (*conv_output_shape((64, 48), 5, strides=2), 32)
    if shape == right:
        return
    known = {
        (*conv_output_shape((64, 48), 5), 32): ("That is the shape with stride 1.",
                                                "With stride 2 the kernel skips every other position."),
        (*conv_output_shape((64, 48), 5, strides=2, padding="same"), 32): (
            "That is the shape with padding='same'.", "'valid' adds no zeros: the kernel must fit inside."),
        ((64 - 5) / 2 + 1, (48 - 5) / 2 + 1, 32): ("The kernel cannot stop half-way between two positions.",
                                                   "Round (W - F) / S down before adding 1."),
        (*conv_output_shape((64, 48), 5, strides=2), 3): ("The number of channels is wrong.",
                                                          "Each of the 32 filters gives one output channel."),
    }
    message, hint = known.get(shape, (f"{shape} is not the shape Keras builds.",
                                      "Use floor((W - F) / S) + 1 on each axis; the channels are the filters."))
    raise Mistake(message, hint)


@exercise("Exercise 2.1: the output shape of a strided convolution", check=_check_output_shape)
def output_shape():
    # 'valid': no padding. floor((W - F) / S) + 1 on each axis, one channel per filter.
    height = (64 - 5) // 2 + 1
    width = (48 - 5) // 2 + 1
    shape = (height, width, 32)
    return shape


def _check_same_padding(answer) -> None:
    value = expect_number(answer, "The number of zeros")
    right = same_padding(28, 3, dilation=3)[0]
    if value == right:
        return
    if value == same_padding(28, 3)[0]:
        raise Mistake("That is right for an ordinary 3x3 kernel, but this one is dilated.",
                      "With dilation 3 the kernel spans 3 * (3 - 1) + 1 = 7 pixels.")
    if value == 2 * right:
        raise Mistake("That is the total for both sides together.", "The question asks for one side.")
    raise Mistake(f"With {value:g} zeros on each side the output is not 28x28.",
                  "The kernel's span minus 1, split between the two sides, keeps the size.")


@exercise("Exercise 2.2: 'same' padding for a dilated kernel", check=_check_same_padding)
def padding_for_same():
    # A 3x3 kernel with dilation 3 spans d * (F - 1) + 1 = 7 pixels; 7 - 1 = 6 zeros keep the size.
    span = 3 * (3 - 1) + 1
    zeros_each_side = (span - 1) // 2
    return zeros_each_side


def _check_receptive_field(answer) -> None:
    value = expect_number(answer, "The receptive field")
    right = receptive_field([3, 2, 3, 2, 3], strides=[1, 2, 1, 2, 1])[0]
    if value == right:
        return
    known = {
        3 + 2 + 3 + 2 + 3 - 4: ("That adds up the layers as if none of them had a stride.",
                                "After a stride-2 pooling, each step of the next kernel covers 2 input pixels."),
        receptive_field([3, 3, 3])[0]: ("That counts only the convolutions.",
                                        "A 2x2 pooling is a layer too: it widens the field and doubles the jump."),
    }
    message, hint = known.get(value, (f"{value:g} is not the receptive field.",
                                      "Grow it layer by layer: r += (k - 1) * j, then j *= s."))
    raise Mistake(message, hint)


@exercise("Exercise 2.3: the receptive field of a small convnet", check=_check_receptive_field)
def receptive_field_of_stack():
    # r: pixels one output sees; j: input pixels between two neighbouring outputs.
    r, j = 1, 1
    for kernel, stride in [(3, 1), (2, 2), (3, 1), (2, 2), (3, 1)]:
        r = r + (kernel - 1) * j
        j = j * stride
    field = r
    return field
