"""Exercises of lesson 05, classic architectures: the cost of a layer, an Inception module, a residual block.

>>> from course_utils.exercises import lesson05 as ex
>>> ex.conv1_macs.check(118_013_952).passed
True
>>> ex.conv1_macs.check(9_472).message
'That is the number of parameters of the layer, not its multiply-accumulates.'
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from course_utils.arithmetic import conv2d_params
from course_utils.exercises import (Mistake, call_student, copy_of, exercise, expect_function, expect_number,
                                    output_of, show)


def _macs(side: int, filters: int, kernel: int, channels: int) -> int:
    """Multiply-accumulates of a convolution with a ``side`` x ``side`` x ``filters`` output."""
    return side * side * filters * kernel * kernel * channels


def _check_conv1_macs(answer) -> None:
    value = expect_number(answer, "The number of multiply-accumulates", whole=True)
    right = _macs(112, 64, 7, 3)
    if value == right:
        return
    known = {
        conv2d_params(7, 3, 64): ("That is the number of parameters of the layer, not its multiply-accumulates.",
                                  "Each of the 112 x 112 x 64 output values costs one multiply-accumulate per weight "
                                  "of its kernel."),
        conv2d_params(7, 3, 64, bias=False): ("That is the number of weights of the layer, not its multiply-accumulates.",
                                              "Every output value reuses the 7 x 7 x 3 weights of its filter."),
        _macs(224, 64, 7, 3): ("That is the cost at stride 1.", "Stride 2 leaves 112 x 112 positions, not 224 x 224."),
        2 * right: ("That counts floating-point operations: a multiply and an add each.",
                    "One multiply-accumulate is one multiply and one add: count them together."),
        _macs(112, 64, 7, 1): ("That counts a kernel on one channel.", "Each filter spans the 3 channels of the image."),
        _macs(112, 1, 7, 3): ("That is the cost of one filter.", "The layer has 64 filters."),
    }
    message, hint = known.get(value, (f"{show(value)} is not the count.",
                                      "Output values x multiply-accumulates per value = (112 * 112 * 64) * (7 * 7 * 3)."))
    raise Mistake(message, hint)


@exercise("Exercise 5.1: what ResNet50's first layer costs", check=_check_conv1_macs, answer="number")
def conv1_macs():
    # Every one of the 112 x 112 x 64 output values multiplies-and-adds the 7 x 7 x 3 weights of its filter.
    outputs = 112 * 112 * 64
    per_output = 7 * 7 * 3
    n_macs = outputs * per_output
    return n_macs


INCEPTION_INPUT = (12, 12, 32)
INCEPTION_BRANCHES = {"1x1": 16, "3x3 reduce": 8, "3x3": 16, "5x5 reduce": 4, "5x5": 8, "pool proj": 8}


def _inception_params() -> int:
    c, b = INCEPTION_INPUT[-1], INCEPTION_BRANCHES
    return (conv2d_params(1, c, b["1x1"]) + conv2d_params(1, c, b["3x3 reduce"])
            + conv2d_params(3, b["3x3 reduce"], b["3x3"]) + conv2d_params(1, c, b["5x5 reduce"])
            + conv2d_params(5, b["5x5 reduce"], b["5x5"]) + conv2d_params(1, c, b["pool proj"]))


def _check_inception(answer) -> None:
    import keras

    function = expect_function(answer, "Your answer", "def my_inception(x)")
    x = keras.Input(INCEPTION_INPUT)
    y = call_student(function, x, returns="the concatenated output tensor")
    if not isinstance(y, keras.KerasTensor):
        raise Mistake(f"Your function should return the output tensor of the module, but it returns a "
                      f"{type(y).__name__}.", "Return layers.Concatenate()([branch1, branch2, branch3, branch4]).")
    channels = sum(INCEPTION_BRANCHES[k] for k in ("1x1", "3x3", "5x5", "pool proj"))
    if tuple(y.shape) != (None, *INCEPTION_INPUT[:2], channels):
        raise Mistake(f"For a {INCEPTION_INPUT} input your module should output (None, 12, 12, {channels}), "
                      f"not {tuple(y.shape)}.",
                      "padding='same' everywhere, MaxPooling2D(3, strides=1, padding='same'), and the four branches "
                      "concatenated along the channels: 16 + 16 + 8 + 8.")
    try:
        model = keras.Model(x, y)
    except Exception as err:  # noqa: BLE001
        raise Mistake(f"Your output is not computed from the input x: {err}") from None
    sizes = Counter(tuple(layer.kernel_size) for layer in model.layers if isinstance(layer, keras.layers.Conv2D))
    if sizes != Counter({(1, 1): 4, (3, 3): 1, (5, 5): 1}):
        raise Mistake(f"Your module's convolutions have kernels {dict(sizes)}; it needs four 1x1, one 3x3 and one 5x5.",
                      "1x1 convolutions: the first branch, the two reductions before the 3x3 and the 5x5, and the "
                      "projection after the pooling.")
    pools = [layer for layer in model.layers if isinstance(layer, keras.layers.MaxPooling2D)]
    if len(pools) != 1 or tuple(pools[0].pool_size) != (3, 3) or tuple(pools[0].strides) != (1, 1):
        raise Mistake("The fourth branch starts with one 3x3 max pooling at stride 1.",
                      "layers.MaxPooling2D(3, strides=1, padding='same')(x)")
    if model.count_params() != _inception_params():
        raise Mistake(f"Your module has {model.count_params():,} parameters, not {_inception_params():,}: some "
                      "convolution reads the wrong tensor or has the wrong number of filters.",
                      "The 3x3 reads the 8-channel reduction, the 5x5 the 4-channel one; the projection reads the pooling.")
    plain = [f"the {layer.kernel_size[0]}x{layer.kernel_size[1]} with {layer.filters} filters" for layer in model.layers
             if isinstance(layer, keras.layers.Conv2D) and layer.activation is not keras.activations.relu]
    if plain:
        raise Mistake(f"Convolutions without a ReLU: {', '.join(plain)}.", "Give every Conv2D activation='relu'.")


@exercise("Exercise 5.2: build an Inception module", check=_check_inception, answer="function")
def inception():
    from keras import layers

    def my_inception(x):
        def conv(filters, size, tensor):
            return layers.Conv2D(filters, size, padding="same", activation="relu")(tensor)

        branch1 = conv(16, 1, x)
        branch2 = conv(16, 3, conv(8, 1, x))   # a 1x1 reduction to 8 channels, then the 3x3
        branch3 = conv(8, 5, conv(4, 1, x))    # a 1x1 reduction to 4 channels, then the 5x5
        branch4 = conv(8, 1, layers.MaxPooling2D(3, strides=1, padding="same")(x))
        return layers.Concatenate()([branch1, branch2, branch3, branch4])

    return my_inception


def _check_residual_block(answer) -> None:
    import keras

    function = expect_function(answer, "Your answer", "def my_residual_block(x)")
    x = keras.Input((8, 8, 16))
    y = call_student(function, x, returns="the block's output tensor")
    if not isinstance(y, keras.KerasTensor) or tuple(y.shape) != (None, 8, 8, 16):
        raise Mistake(f"For an 8x8x16 input your block should return an 8x8x16 tensor, not {getattr(y, 'shape', y)!r}.",
                      "Use padding='same' and as many filters as the input has channels, so that F(x) + x fits.")
    try:
        model = copy_of(keras.Model(x, y))  # a copy: its weights are set to zero below
    except Mistake:
        raise
    except Exception as err:  # noqa: BLE001
        raise Mistake(f"Your output is not computed from the input x: {err}") from None
    convs = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    if len(convs) != 2 or any(tuple(layer.kernel_size) != (3, 3) for layer in convs):
        raise Mistake(f"The residual branch should be two 3x3 convolutions; yours has {len(convs)} Conv2D layers "
                      f"with kernels {[tuple(layer.kernel_size) for layer in convs]}.")
    for layer in convs:
        layer.set_weights([np.zeros_like(w) for w in layer.get_weights()])
    images = np.random.default_rng(0).normal(size=(2, 8, 8, 16)).astype("float32")
    out = output_of(model, images, "Your block")
    if np.allclose(out, np.maximum(images, 0), atol=1e-2):
        return
    if np.allclose(out, 0, atol=1e-2):
        raise Mistake("With its convolutions set to zero your block outputs zeros: the input never reaches the output.",
                      "Add the input x to the second convolution's output with layers.Add(), then apply the ReLU.")
    if np.allclose(out, images, atol=1e-2):
        raise Mistake("Your block has the shortcut but no ReLU after the addition.",
                      "Apply layers.Activation('relu') to F(x) + x.")
    raise Mistake("With F(x) = 0 your block should return relu(x), and it does not.",
                  "The output is relu(F(x) + x), with F = Conv-ReLU-Conv and no activation before the addition.")


@exercise("Exercise 5.3: build a residual block", check=_check_residual_block, answer="function")
def residual_block():
    from keras import layers

    def my_residual_block(x):
        channels = x.shape[-1]
        f = layers.Conv2D(channels, 3, padding="same", activation="relu")(x)
        f = layers.Conv2D(channels, 3, padding="same")(f)
        return layers.Activation("relu")(layers.Add()([f, x]))

    return my_residual_block
