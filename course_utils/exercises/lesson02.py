"""Exercises of lesson 02, padding, stride, dilation: a shape, then two small Keras models to build.

>>> from course_utils.exercises import lesson02 as ex
>>> ex.output_shape.check((30, 22, 32)).passed
True
>>> ex.output_shape.check((30.5, 22, 32)).message
'Number 1 of the output shape should be a whole number, but yours is 30.5.'
"""

from __future__ import annotations

import numpy as np

from course_utils.arithmetic import conv_output_shape, dilated_kernel_size, receptive_field
from course_utils.exercises import Mistake, exercise, expect_model, expect_shape, output_of

TOLERANCE = dict(rtol=1e-2, atol=1e-2)  # a GPU's mixed precision computes in float16


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
        (*conv_output_shape((64, 48), 5, strides=2), 3): ("The number of channels is wrong.",
                                                          "Each of the 32 filters gives one output channel."),
    }
    message, hint = known.get(shape, (f"{shape} is not the shape Keras builds.",
                                      "Use floor((W - F) / S) + 1 on each axis; the channels are the filters."))
    raise Mistake(message, hint)


@exercise("Exercise 2.1: the output shape of a strided convolution", check=_check_output_shape, answer="shape")
def output_shape():
    # 'valid': no padding. floor((W - F) / S) + 1 on each axis, one channel per filter.
    height = (64 - 5) // 2 + 1
    width = (48 - 5) // 2 + 1
    shape = (height, width, 32)
    return shape


def _layers(model, kind: str) -> list:
    import keras

    return [layer for layer in model.layers if isinstance(layer, getattr(keras.layers, kind))]


def _check_same_by_hand(answer) -> None:
    import keras

    model = expect_model(answer)
    if tuple(model.input_shape[1:]) != (28, 28, 1):
        raise Mistake(f"Your model takes inputs of shape {model.input_shape}, not (None, 28, 28, 1).",
                      "Start it with keras.Input((28, 28, 1)).")
    convs, pads = _layers(model, "Conv2D"), _layers(model, "ZeroPadding2D")
    if len(convs) != 1:
        raise Mistake(f"Your model should have exactly one Conv2D layer; it has {len(convs)}.")
    conv = convs[0]
    settings = (conv.filters, tuple(conv.kernel_size), tuple(conv.dilation_rate), tuple(conv.strides), conv.padding)
    if settings != (8, (3, 3), (3, 3), (1, 1), "valid"):
        raise Mistake(f"Your Conv2D has {conv.filters} filters, kernel {conv.kernel_size}, dilation "
                      f"{conv.dilation_rate}, strides {conv.strides}, padding {conv.padding!r}.",
                      "It should be Conv2D(8, 3, dilation_rate=3), with the default padding='valid': "
                      "the zeros come from your ZeroPadding2D.")
    if not pads:
        raise Mistake("Your model has no ZeroPadding2D layer: with padding='valid' the output shrinks.",
                      "Put layers.ZeroPadding2D(p) before the convolution.")
    height, width = model.output_shape[1:3]
    if (height, width) != (28, 28):
        per_side = pads[0].padding[0][0]
        span = dilated_kernel_size(3, 3)
        hint = ("That is right for an ordinary 3x3 kernel, but this one is dilated: it spans "
                f"3 * (3 - 1) + 1 = {span} pixels." if per_side == 1 else
                "The kernel spans 3 * (3 - 1) + 1 = 7 pixels: the zeros on the two sides together must be 7 - 1.")
        raise Mistake(f"Your model's output is {height}x{width}, not 28x28.", hint)
    rng = np.random.default_rng(2)
    images = rng.normal(size=(2, 28, 28, 1)).astype("float32")
    reference = keras.layers.Conv2D(8, 3, dilation_rate=3, padding="same", activation=conv.activation, dtype="float32")
    reference.build((None, 28, 28, 1))
    reference.set_weights(conv.get_weights())
    if not np.allclose(output_of(model, images, "Your model"), output_of(reference, images, "Conv2D(padding='same')"),
                       **TOLERANCE):
        raise Mistake("Your output has the right size, but not the numbers of padding='same'.",
                      "Put the same number of zeros on every side (ZeroPadding2D(p) with one int), and nothing "
                      "but the padding and the convolution in the model.")


@exercise("Exercise 2.2: 'same' padding by hand, for a dilated kernel", check=_check_same_by_hand, answer="model")
def same_by_hand():
    import keras
    from keras import layers

    # The dilated 3x3 kernel spans 3 * (3 - 1) + 1 = 7 pixels: 7 - 1 = 6 zeros keep the size, 3 on each side.
    same_by_hand = keras.Sequential([
        keras.Input((28, 28, 1)),
        layers.ZeroPadding2D(3),
        layers.Conv2D(8, 3, dilation_rate=3),
    ])
    return same_by_hand


def _check_wide_stack(answer) -> None:
    import keras

    model = expect_model(answer)
    if tuple(model.input_shape[1:]) != (32, 32, 1):
        raise Mistake(f"Your model takes inputs of shape {model.input_shape}, not (None, 32, 32, 1).",
                      "Start it with keras.Input((32, 32, 1)).")
    others = [layer for layer in model.layers if not isinstance(layer, (keras.layers.Conv2D, keras.layers.InputLayer))]
    if others:
        raise Mistake(f"Your model has layers other than Conv2D: {', '.join(type(layer).__name__ for layer in others)}.",
                      "Only 3x3 convolutions here: the field must grow without pooling.")
    convs = _layers(model, "Conv2D")
    if not 1 <= len(convs) <= 3:
        raise Mistake(f"Your model has {len(convs)} Conv2D layers; at most 3 are allowed.")
    for conv in convs:
        if tuple(conv.kernel_size) != (3, 3) or tuple(conv.strides) != (1, 1) or conv.padding != "same":
            raise Mistake(f"Layer {conv.name!r} has kernel {conv.kernel_size}, strides {conv.strides} and padding "
                          f"{conv.padding!r}.", "Every layer: Conv2D(filters, 3, padding='same'), stride 1.")
    field = receptive_field([3] * len(convs), dilations=[conv.dilation_rate[0] for conv in convs])[0]
    if tuple(model.output_shape[1:3]) != (32, 32):
        raise Mistake(f"Your output is {model.output_shape[1]}x{model.output_shape[2]}, not 32x32.")
    if field != 15:
        plain = receptive_field([3] * len(convs))[0]
        raise Mistake(f"Each output of your stack sees {field}x{field} input pixels, not 15x15.",
                      f"{len(convs)} ordinary 3x3 layers see only {plain}x{plain}. A dilation d spreads a 3x3 kernel "
                      "over 2d + 1 pixels: each layer adds 2d to the field (the receptive field of section 5).")


@exercise("Exercise 2.3: a 15x15 receptive field from three 3x3 layers", check=_check_wide_stack, answer="model")
def wide_stack():
    import keras
    from keras import layers

    # Each layer adds d * (3 - 1) pixels to the field: 1 + 2 + 4 + 8 = 15 with dilations 1, 2, 4.
    wide_stack = keras.Sequential([
        keras.Input((32, 32, 1)),
        layers.Conv2D(8, 3, padding="same", activation="relu"),
        layers.Conv2D(8, 3, padding="same", dilation_rate=2, activation="relu"),
        layers.Conv2D(8, 3, padding="same", dilation_rate=4),
    ])
    return wide_stack
