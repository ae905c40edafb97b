"""Exercises of lesson 10, efficient and fully convolutional networks: the cost of a separable
convolution, and a Dense layer rewritten as the convolution that computes the same numbers.

>>> from course_utils.exercises import lesson10 as ex
>>> ex.separable_macs.check(lambda h, w, c_in, c_out, k: h * w * k * k * c_in * c_out).message
'Your function counts a standard convolution: every output value sums a k x k x c_in window.'
>>> ex.separable_macs.check(ex.separable_macs.reference_answer()).passed
True
"""

from __future__ import annotations

import numpy as np

from course_utils.exercises import Mistake, call_student, exercise, expect_function, expect_layer, expect_number, output_of

# (height, width, in_channels, filters, kernel_size): lesson 04's conv2, then sizes that tell the axes apart
SEPARABLE_CASES = ((14, 14, 32, 64, 3), (10, 7, 5, 12, 5), (9, 4, 3, 1, 1))


def _separable_count(h: int, w: int, c_in: int, c_out: int, k: int) -> int:
    return h * w * (k * k * c_in + c_in * c_out)


def _check_separable_macs(answer) -> None:
    function = expect_function(answer, "Your answer", "def count_macs(height, width, in_channels, filters, kernel_size)")
    for case in SEPARABLE_CASES:
        h, w, c_in, c_out, k = case
        result = expect_number(call_student(function, *case, returns="a number"), f"Your count for {case}", whole=True)
        if result == _separable_count(*case):
            continue
        known = {
            h * w * k * k * c_in * c_out: ("Your function counts a standard convolution: every output value sums a "
                                           "k x k x c_in window.", "Count the depthwise step and the 1x1 step apart."),
            h * w * k * k * c_in: ("Your function counts the depthwise step only.",
                                   "The 1x1 step then mixes c_in channels into each of the filters outputs."),
            h * w * c_in * c_out: ("Your function counts the pointwise (1x1) step only.",
                                   "The depthwise step costs k x k per input channel, at every position."),
            h * w * (k * k * c_out + c_in * c_out): (
                "Your depthwise step has one k x k kernel per output channel.",
                "The depthwise step runs before the channels are mixed: one kernel per input channel."),
            k * k * c_in + c_in * c_out: ("That is the number of weights, counted once.",
                                          "Each weight is used at every one of the height x width positions "
                                          "(padding='same', stride 1)."),
            k * k * c_in + c_in * c_out + c_out: ("That is the number of parameters.",
                                                  "Multiply-accumulates are counted at every output position."),
        }
        message, hint = known.get(result, (f"For {case} your function gives {result:,}; the layer does "
                                           f"{_separable_count(*case):,} multiply-accumulates.",
                                           "height x width positions, each with a k x k window per input channel, "
                                           "then a sum of c_in products per output channel."))
        raise Mistake(message, hint)


@exercise("Exercise 10.1: the multiply-accumulates of a separable convolution", check=_check_separable_macs,
          answer="function")
def separable_macs():
    # padding='same', stride 1: height x width output positions. At each one, the depthwise step costs
    # k * k per input channel and the pointwise step c_in per output channel.
    def count_macs(height, width, in_channels, filters, kernel_size):
        depthwise = height * width * kernel_size * kernel_size * in_channels
        pointwise = height * width * in_channels * filters
        return depthwise + pointwise

    return count_macs


FEATURES = (3, 4, 5)  # the (height, width, channels) feature maps the Dense layer reads once flattened


def _dense_and_input():
    """A built Dense(6, relu) on 60 flattened features, with random weights and bias, and a batch."""
    import keras

    rng = np.random.default_rng(10)
    dense = keras.layers.Dense(6, activation="relu", dtype="float32")
    dense.build((None, int(np.prod(FEATURES))))
    dense.set_weights([rng.normal(size=(60, 6)).astype("float32"), rng.normal(size=6).astype("float32")])
    return dense, rng.normal(size=(4, *FEATURES)).astype("float32")


def _check_dense_as_conv(answer) -> None:
    import keras

    function = expect_function(answer, "Your answer", "def dense_as_conv(dense, input_shape)")
    dense, x = _dense_and_input()
    layer = expect_layer(call_student(function, dense, FEATURES, returns="a Conv2D layer"), "What your function returns")
    if not isinstance(layer, keras.layers.Conv2D):
        raise Mistake(f"Your function returns a {type(layer).__name__}, not a Conv2D.",
                      "keras.layers.Conv2D(units, kernel_size=(height, width)), built, then set_weights.")
    out = output_of(layer, x, "The layer your function returns")
    kernel, bias = (np.asarray(w, dtype=float) for w in dense.get_weights())
    flat = x.reshape(len(x), -1).astype(float)
    if out.shape != (len(x), 1, 1, 6):
        raise Mistake(f"On feature maps of shape {x.shape} your layer outputs {out.shape}; the Dense layer gives one "
                      "vector of 6 per image, so the convolution should output (4, 1, 1, 6).",
                      "The kernel covers the whole 3x4 map (kernel_size=(3, 4)) with padding='valid'.")
    out = out[:, 0, 0, :]
    tolerance = dict(rtol=1e-3, atol=1e-3)
    if np.allclose(out, np.maximum(flat @ kernel + bias, 0), **tolerance):
        return
    if np.allclose(out, flat @ kernel + bias, **tolerance):
        raise Mistake("Your convolution has no ReLU: it gives the Dense layer's scores before its activation.",
                      "Give the Conv2D the Dense layer's activation.")
    if np.allclose(out, np.maximum(flat @ kernel, 0), **tolerance):
        raise Mistake("Your convolution leaves out the bias.", "set_weights([kernel, bias]) with the Dense layer's bias.")
    reordered = x.transpose(0, 3, 1, 2).reshape(len(x), -1).astype(float)  # channels first, as (c, h, w)
    if np.allclose(out, np.maximum(reordered @ kernel + bias, 0), **tolerance):
        raise Mistake("Your kernel reads the weights in (channels, height, width) order.",
                      "Flatten runs over height, then width, then channels: kernel.reshape(3, 4, 5, 6) keeps that order.")
    raise Mistake("Your convolution's output differs from the Dense layer's.",
                  "The Dense kernel has shape (60, 6): reshape it to (3, 4, 5, 6) and copy the bias.")


@exercise("Exercise 10.2: a Dense layer as a convolution", check=_check_dense_as_conv, answer="function")
def dense_as_conv():
    import keras

    # Flatten lists the features height first, then width, then channels: reshaping the (h*w*c, units)
    # kernel to (h, w, c, units) puts each weight where a Conv2D kernel of size h x w reads the same feature.
    def dense_as_conv(dense, input_shape):
        height, width, channels = input_shape
        kernel, bias = dense.get_weights()
        conv = keras.layers.Conv2D(kernel.shape[1], (height, width), activation=dense.activation, dtype="float32")
        conv.build((None, height, width, channels))
        conv.set_weights([kernel.reshape(height, width, channels, -1), bias])
        return conv

    return dense_as_conv
