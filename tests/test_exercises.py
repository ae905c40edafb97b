"""Every exercise against a table of answers: right ones in every reasonable type, wrong ones, malformed ones.

Each row runs the check twice on the same object, under two different COURSE_SEEDs and global random
states: the verdict and the message must be the same both times, the object must be unchanged
(arrays equal, a model's weights and trainable flags identical), and no answer may reach the
framework's last-resort "checking your answer raised ..." message (that would be a check that did
not foresee it).
"""

from __future__ import annotations

import copy
import importlib
import inspect
import json
import pkgutil
import random
import re
from pathlib import Path

import keras
import numpy as np
import pytest
from keras import layers

import course_utils.exercises as exercises
from course_utils.exercises import Exercise, Feedback

MODULES = {m.name: importlib.import_module(f"course_utils.exercises.{m.name}")
           for m in pkgutil.iter_modules(exercises.__path__) if m.name.startswith("lesson")}
EXERCISES = {f"{lesson}.{name}": value for lesson, module in MODULES.items()
             for name, value in vars(module).items() if isinstance(value, Exercise)}
SAFETY_NET = "checking your answer raised"
NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def ex(key: str) -> Exercise:
    return EXERCISES[key]


def ref(key: str):
    return ex(key).reference_answer()


# ---------------------------------------------------------------------------------------------- rows
# (exercise, label, factory -> answer, expected status, regex the message + hint must match)

ROWS: list[tuple[str, str, object, str, str]] = []


def row(key, label, factory, status="fail", pattern=""):
    ROWS.append((key, label, factory, status, pattern))


def tensor(value):
    return keras.ops.convert_to_tensor(value)


NUMBER_RIGHT = {"int": int, "numpy int64": np.int64, "float, whole": float, "numpy float64": np.float64,
                "0-d array": np.array, "backend tensor": tensor, "numpy int32": np.int32}
for key, exercise in EXERCISES.items():
    if exercise.answer != "number":
        continue
    n = exercise.reference_answer()
    for label, convert in NUMBER_RIGHT.items():
        row(key, f"right as {label}", lambda n=n, convert=convert: convert(n), "pass")
    row(key, "a hair off, float", lambda n=n: n + 1e-7, "fail", re.escape(repr(n + 1e-7)) + ".*whole number|whole number.*" + re.escape(repr(n + 1e-7)))
    row(key, "NaN", lambda: float("nan"), "fail", "NaN")
    row(key, "NaN as a 0-d float32 array", lambda: np.array(np.nan, np.float32), "fail", "NaN")
    row(key, "infinity", lambda: float("inf"), "fail", "infinite")
    row(key, "minus infinity", lambda: -np.inf, "fail", "infinite")
    row(key, "huge float", lambda: 1e300, "fail", "far too large")
    row(key, "huge int", lambda: 10 ** 400, "fail", "401-digit number, is far too large")
    row(key, "text", lambda n=n: str(n), "fail", "the text")
    row(key, "bool", lambda: True, "fail", "bool")
    row(key, "list of one", lambda n=n: [n], "fail", "one number.*shape \\(1,\\)")
    row(key, "array of one", lambda n=n: np.array([n]), "fail", "one number.*shape \\(1,\\)")
    row(key, "complex", lambda n=n: complex(n, 1), "fail", "should be a number")
    row(key, "an object", lambda: object(), "fail", "should be a number")
    row(key, "wrong by one", lambda n=n: n + 1, "fail", "not the count|not the")

SHAPE_RIGHT = {"tuple": tuple, "list": list, "numpy array": np.array, "numpy ints": lambda s: tuple(map(np.int64, s)),
               "whole floats": lambda s: tuple(map(float, s)), "backend tensor": tensor,
               "a tensor's shape": lambda s: tuple(keras.ops.zeros(s).shape),
               "0-d arrays": lambda s: tuple(np.array(v) for v in s)}
for key, exercise in EXERCISES.items():
    if exercise.answer != "shape" or key == "lesson04.output_shapes":
        continue
    s = exercise.reference_answer()
    for label, convert in SHAPE_RIGHT.items():
        row(key, f"right as {label}", lambda s=s, convert=convert: convert(s), "pass")
    row(key, "half-way size", lambda s=s: (s[0] + 0.5, *s[1:]), "fail", re.escape(str(s[0] + 0.5)) + ".*whole|whole.*" + re.escape(str(s[0] + 0.5)))
    row(key, "a hair off", lambda s=s: (s[0] + 1e-9, *s[1:]), "fail", "whole number")
    row(key, "NaN size", lambda s=s: (np.nan, *s[1:]), "fail", "NaN")
    row(key, "infinite size", lambda s=s: (np.inf, *s[1:]), "fail", "infinite")
    row(key, "huge size", lambda s=s: (10 ** 400, *s[1:]), "fail", "far too large")
    row(key, "text", lambda s=s: str(s), "fail", "the text")
    row(key, "with the batch axis", lambda s=s: (None, *s), "fail", "batch axis")
    row(key, "two numbers", lambda s=s: s[:2], "fail", "3 numbers.*has 2")
    row(key, "a number", lambda: 5, "fail", "tuple of 3 numbers")
    row(key, "zero size", lambda s=s: (0, *s[1:]), "fail", "below 1")
    row(key, "a None inside", lambda s=s: (s[0], None, s[2]), "fail", "None")
    row(key, "nested", lambda s=s: [[s[0]], s[1], s[2]], "fail", "should be one number|tuple of")
    row(key, "a dict", lambda: {"h": 1}, "fail", "tuple of 3 numbers")

for key, exercise in EXERCISES.items():
    if exercise.answer != "function":
        continue
    row(key, "a number", lambda: 5, "fail", "should be a function")
    row(key, "a class", lambda: int, "fail", "should be a function")
    row(key, "text", lambda: "def f(x): ...", "fail", "should be a function")
    row(key, "the result of calling it", lambda: np.zeros((3, 3)), "fail", "should be a function")
    row(key, "raises", lambda: lambda *args: 1 / 0, "fail", "Your function raised ZeroDivisionError")
    row(key, "wrong number of arguments", lambda: lambda: 1, "fail", "Your function raised TypeError")
    row(key, "returns None", lambda: lambda *args: None, "unanswered", "returns None")
    row(key, "returns text", lambda: lambda *args: "answer", "fail", ".")

for key, exercise in EXERCISES.items():
    if exercise.answer not in ("model", "layer"):
        continue
    row(key, "text", lambda: "model", "fail", "should be a Keras")
    row(key, "an array", lambda: np.zeros((2, 2)), "fail", "should be a Keras")
    row(key, "a function", lambda: (lambda x: x), "fail", "should be a Keras")
for key in ("lesson02.same_by_hand", "lesson02.wide_stack", "lesson04.budget_model"):
    row(key, "a layer", lambda: layers.Dense(10), "fail", "is a layer")
    row(key, "a model without an input", lambda: keras.Sequential([layers.Dense(10)]), "fail", "no input shape")
    row(key, "the wrong input shape", lambda: keras.Sequential([keras.Input((5, 5, 2)), layers.Conv2D(1, 1)]),
        "fail", "inputs of shape|maps")

# The reference answer of every exercise, and what solution() shows, pasted and run.
for key in EXERCISES:
    row(key, "the reference answer", lambda key=key: ref(key), "pass")

# ---- lesson 01
row("lesson01.conv_params", "weights only", lambda: 1728, "fail", "weights only.*bias")
row("lesson01.conv_params", "one channel", lambda: 640, "fail", "single channel.*3 channels")
row("lesson01.conv_params", "one filter", lambda: 28, "fail", "one filter")
kernel = [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]
for label, convert in {"list": list, "int array": np.array, "float32 array": lambda k: np.array(k, np.float32),
                       "backend tensor": lambda k: tensor(np.array(k, np.float32))}.items():
    row("lesson01.vertical_edge_kernel", f"right as {label}", lambda convert=convert: convert(kernel), "pass")
row("lesson01.vertical_edge_kernel", "ones", lambda: np.ones((3, 3)), "fail", "flat.*sum to zero")
row("lesson01.vertical_edge_kernel", "diagonal", lambda: [[1, 0, 0], [0, 0, 0], [0, 0, -1]], "fail", "horizontal edge.*row")
row("lesson01.vertical_edge_kernel", "sign flipped", lambda: [[1, 0, -1]] * 3, "fail", "left column")
row("lesson01.vertical_edge_kernel", "NaN inside", lambda: [[np.nan, 0, 1]] * 3, "fail", "NaN")
row("lesson01.vertical_edge_kernel", "inf inside", lambda: [[-np.inf, 0, np.inf]] * 3, "fail", "infinite")
row("lesson01.vertical_edge_kernel", "huge", lambda: [[-1e300, 0, 1e300]] * 3, "fail", "far too large")
row("lesson01.vertical_edge_kernel", "ragged", lambda: [[-1, 0, 1], [-1, 0], [1]], "fail", "array of numbers")
row("lesson01.vertical_edge_kernel", "2x2", lambda: np.eye(2), "fail", "shape \\(3, 3\\)")
row("lesson01.vertical_edge_kernel", "text", lambda: "sobel", "fail", "array of numbers")
row("lesson01.vertical_edge_kernel", "bools", lambda: np.ones((3, 3), bool), "fail", "array of numbers")


def _cross_correlation(image, k):
    from course_utils.convolution import conv2d

    return conv2d(image, k)


row("lesson01.convolve", "returns a list", lambda: lambda i, k: ref("lesson01.convolve")(i, k).tolist(), "pass")
row("lesson01.convolve", "returns a tensor", lambda: lambda i, k: tensor(ref("lesson01.convolve")(i, k)), "pass")
row("lesson01.convolve", "cross-correlation", lambda: _cross_correlation, "fail", "cross-correlation")
row("lesson01.convolve", "one flip", lambda: lambda i, k: _cross_correlation(i, k[::-1]), "fail", "one axis")
row("lesson01.convolve", "returns NaN", lambda: lambda i, k: np.full((5, 7), np.nan), "fail", "NaN")
row("lesson01.convolve", "wrong shape", lambda: lambda i, k: np.zeros((7, 8)), "fail", "shape \\(5, 7\\)")
row("lesson01.convolve", "modifies its arguments", lambda: lambda i, k: (i.fill(0), _cross_correlation(i, k[::-1, ::-1]))[1],
    "fail", "differs")


def _conv_layer(kernel_of, bias=False, built=True, **settings):
    def make(kernel):
        layer = layers.Conv2D(1, kernel.shape, use_bias=bias, dtype="float32", **settings)
        if built:
            layer.build((None, None, None, 1))
            layer.set_weights([kernel_of(kernel).reshape(*kernel.shape, 1, 1)] + ([np.zeros(1)] if bias else []))
        return layer
    return make


row("lesson01.conv_layer", "with a zero bias", lambda: _conv_layer(lambda k: k, bias=True), "pass")
row("lesson01.conv_layer", "flipped kernel", lambda: _conv_layer(lambda k: k[::-1, ::-1]), "fail", "flips the kernel")
row("lesson01.conv_layer", "weights never set", lambda: lambda k: layers.Conv2D(1, k.shape, use_bias=False), "fail",
    "no weights yet")
row("lesson01.conv_layer", "padding same", lambda: _conv_layer(lambda k: k, padding="same"), "fail", "padding='valid'")
row("lesson01.conv_layer", "random weights", lambda: _conv_layer(lambda k: np.ones_like(k)), "fail", "weights are not the kernel")
row("lesson01.conv_layer", "not a Conv2D", lambda: lambda k: keras.Sequential([keras.Input((None, None, 1)), layers.Conv2D(1, k.shape)]),
    "fail", "not a Conv2D")
row("lesson01.conv_layer", "not a layer", lambda: lambda k: k, "fail", "should be a Keras layer")

# ---- lesson 02
row("lesson02.output_shape", "stride 1", lambda: (60, 44, 32), "fail", "stride 1")
row("lesson02.output_shape", "same", lambda: (32, 24, 32), "fail", "padding='same'")
row("lesson02.output_shape", "channels", lambda: (30, 22, 3), "fail", "channels")
row("lesson02.output_shape", "half-way", lambda: (30.5, 22.5, 32), "fail", "30.5.*round down")


def _padded(zeros, **conv):
    return keras.Sequential([keras.Input((28, 28, 1)), layers.ZeroPadding2D(zeros),
                             layers.Conv2D(8, 3, dilation_rate=3, **conv)])


row("lesson02.same_by_hand", "one zero a side", lambda: _padded(1), "fail", "24x24.*dilated")
row("lesson02.same_by_hand", "six zeros a side", lambda: _padded(6), "fail", "34x34")
row("lesson02.same_by_hand", "uneven zeros", lambda: _padded(((2, 4), (3, 3))), "fail", "numbers of padding='same'")
row("lesson02.same_by_hand", "no padding layer", lambda: keras.Sequential([keras.Input((28, 28, 1)), layers.Conv2D(8, 3, dilation_rate=3)]),
    "fail", "no ZeroPadding2D")
row("lesson02.same_by_hand", "padding same on the conv", lambda: _padded(0, padding="same"), "fail", "padding='valid'")
row("lesson02.same_by_hand", "right, with a ReLU", lambda: _padded(3, activation="relu"), "pass")


def _stack(dilations, **extra):
    return keras.Sequential([keras.Input((32, 32, 1)),
                             *[layers.Conv2D(4, 3, padding="same", dilation_rate=d, **extra) for d in dilations]])


row("lesson02.wide_stack", "no dilation", lambda: _stack([1, 1, 1]), "fail", "7x7.*ordinary")
row("lesson02.wide_stack", "right, other order", lambda: _stack([4, 2, 1]), "pass")
row("lesson02.wide_stack", "right, two layers", lambda: _stack([3, 4]), "pass")
row("lesson02.wide_stack", "too wide", lambda: _stack([2, 4, 8]), "fail", "29x29")
row("lesson02.wide_stack", "four layers", lambda: _stack([1, 1, 1, 4]), "fail", "at most 3")
row("lesson02.wide_stack", "with pooling", lambda: keras.Sequential([keras.Input((32, 32, 1)), layers.Conv2D(4, 3, padding="same"),
                                                                    layers.MaxPooling2D(2)]), "fail", "other than Conv2D")
row("lesson02.wide_stack", "valid padding", lambda: keras.Sequential([keras.Input((32, 32, 1)), layers.Conv2D(4, 7)]), "fail",
    "kernel")

# ---- lesson 03
row("lesson03.pool_shape", "stride 1", lambda: (18, 18, 16), "fail", "stride of 1.*pool size")
row("lesson03.pool_shape", "same", lambda: (7, 7, 16), "fail", "rounds up")
row("lesson03.pool_shape", "a third", lambda: (20 / 3, 20 / 3, 16), "fail", "whole number")
row("lesson03.max_pool", "returns a tensor", lambda: lambda x: tensor(ref("lesson03.max_pool")(x)), "pass")
row("lesson03.max_pool", "averages", lambda: lambda x: x.reshape(3, 2, 4, 2).mean(axis=(1, 3)), "fail", "averages")
row("lesson03.max_pool", "no pooling", lambda: lambda x: x, "fail", "shape \\(3, 4\\)")
row("lesson03.max_pool", "subsamples", lambda: lambda x: x[::2, ::2], "fail", "maximum of each 2x2 block")


def _pooling_conv(kernel_of, strides=2, built=True):
    layer = layers.Conv2D(3, 2, strides=strides, use_bias=False, dtype="float32")
    if built:
        layer.build((None, None, None, 3))
        layer.set_weights([kernel_of()])
    return layer


def _diagonal(value):
    kernel = np.zeros((2, 2, 3, 3), "float32")
    for c in range(3):
        kernel[:, :, c, c] = value
    return kernel


row("lesson03.pooling_conv", "sums", lambda: _pooling_conv(lambda: _diagonal(1)), "fail", "adds up")
row("lesson03.pooling_conv", "mixes channels", lambda: _pooling_conv(lambda: np.full((2, 2, 3, 3), 0.25, "float32")), "fail",
    "mixes the channels")
row("lesson03.pooling_conv", "stride 1", lambda: _pooling_conv(lambda: _diagonal(0.25), strides=1), "fail", "overlap")
row("lesson03.pooling_conv", "unbuilt", lambda: layers.Conv2D(3, 2, strides=2), "fail", "no weights yet")
row("lesson03.pooling_conv", "the pooling layer", lambda: layers.AveragePooling2D(2), "fail", "pooling layer itself")
row("lesson03.pooling_conv", "a Dense", lambda: (lambda d: (d.build((None, 3)), d)[1])(layers.Dense(3)), "fail", "not a Conv2D")
row("lesson03.pooling_conv", "a model", lambda: keras.Sequential([keras.Input((8, 6, 3)), layers.AveragePooling2D(2)]), "fail",
    "not a Conv2D")

# ---- lesson 04
row("lesson04.valid_convnet_params", "the same-padding count", lambda: 824_970, "fail", "padding='same'")
row("lesson04.valid_convnet_params", "no biases", lambda: 800 + 18_432 + 409_600 + 2_560, "fail", "weights only")
shapes = [(28, 28, 32), (14, 14, 32), (14, 14, 64), (7, 7, 64), (3136,), (256,), (10,)]
row("lesson04.output_shapes", "right as lists", lambda: [list(s) for s in shapes], "pass")
row("lesson04.output_shapes", "right with bare numbers for one axis", lambda: shapes[:4] + [3136, 256, 10], "pass")
row("lesson04.output_shapes", "right as numpy", lambda: [np.array(s) for s in shapes], "pass")
row("lesson04.output_shapes", "right as a tuple of tuples", lambda: tuple(shapes), "pass")
row("lesson04.output_shapes", "half-way flatten", lambda: shapes[:4] + [(3136.9,)] + shapes[5:], "fail", "3136.9")
row("lesson04.output_shapes", "half-way conv1", lambda: [(28.5, 28, 32)] + shapes[1:], "fail", "28.5")
row("lesson04.output_shapes", "with batch axes", lambda: [(None, *s) for s in shapes], "fail", "batch axis")
row("lesson04.output_shapes", "NaN", lambda: [(np.nan, 28, 32)] + shapes[1:], "fail", "NaN")
row("lesson04.output_shapes", "too few", lambda: shapes[:6], "fail", "7 layers.*gave 6")
row("lesson04.output_shapes", "text", lambda: "28x28x32", "fail", "list of shapes")
row("lesson04.output_shapes", "a number", lambda: 7, "fail", "list of shapes")
row("lesson04.output_shapes", "conv1 valid", lambda: [(24, 24, 32)] + shapes[1:], "fail", "after conv1.*padding='same'")
row("lesson04.output_shapes", "flatten wrong", lambda: shapes[:4] + [(49,)] + shapes[5:], "fail", "after flatten")


def _naive_loss(scores, true_class):
    return -np.log(np.exp(scores)[true_class] / np.exp(scores).sum())


for label, convert in {"numpy float32": np.float32, "0-d array": np.array, "python float": float, "backend tensor": tensor}.items():
    row("lesson04.cross_entropy", f"right, returning a {label}",
        lambda convert=convert: lambda s, c: convert(ref("lesson04.cross_entropy")(s, c)), "pass")
row("lesson04.cross_entropy", "naive, overflows", lambda: _naive_loss, "fail", "1000.*overflows.*largest score")
row("lesson04.cross_entropy", "probability", lambda: lambda s, c: np.exp(s - s.max())[c] / np.exp(s - s.max()).sum(), "fail",
    "probability of the true class")
row("lesson04.cross_entropy", "log10", lambda: lambda s, c: -np.log10(np.exp(s - s.max())[c] / np.exp(s - s.max()).sum()), "fail",
    "base-10")
row("lesson04.cross_entropy", "returns all losses", lambda: lambda s, c: -(s - s.max()), "fail", "one number")
row("lesson04.cross_entropy", "returns NaN", lambda: lambda s, c: np.nan, "fail", "NaN")
row("lesson04.cross_entropy", "returns huge", lambda: lambda s, c: 1e300, "fail", "far too large")


def _budget(*convs, dense=()):
    return keras.Sequential([keras.Input((28, 28, 1)), *convs, layers.Flatten(), *dense,
                             layers.Dense(10, activation="softmax")])


row("lesson04.budget_model", "the seed convnet", lambda: importlib.import_module("course_utils.mnist_models").convnet(),
    "fail", "824,970 parameters, over the budget")
row("lesson04.budget_model", "no convolution", lambda: _budget(dense=[layers.Dense(32, activation="relu")]), "fail", "no Conv2D")
row("lesson04.budget_model", "too weak", lambda: _budget(layers.Conv2D(1, 3, activation="relu"), layers.MaxPooling2D(4)), "fail",
    "reaches .*% on 1,000 test digits; the goal is 90%")
row("lesson04.budget_model", "ten outputs missing", lambda: keras.Sequential([keras.Input((28, 28, 1)), layers.Conv2D(2, 3), layers.Flatten(),
                                                                             layers.Dense(5)]), "fail", "maps")

# ---- lesson 05
row("lesson05.conv1_macs", "parameters", lambda: 9_472, "fail", "number of parameters")
row("lesson05.conv1_macs", "stride 1", lambda: 472_055_808, "fail", "stride 1")
row("lesson05.conv1_macs", "FLOPs", lambda: 236_027_904, "fail", "floating-point")
row("lesson05.conv1_macs", "one channel", lambda: 39_337_984, "fail", "one channel")


def _inception(**change):
    def module(x):
        def conv(filters, size, tensor, activation="relu"):
            return layers.Conv2D(filters, size, padding="same", activation=activation)(tensor)
        widths = {"b1": 16, "r3": 8, "b3": 16, "r5": 4, "b5": 8, "proj": 8} | change.get("widths", {})
        branch3_input = x if change.get("no_reduction") else conv(widths["r3"], 1, x)
        branches = [conv(widths["b1"], 1, x), conv(widths["b3"], 3, branch3_input),
                    conv(widths["b5"], 5, conv(widths["r5"], 1, x), activation=change.get("activation", "relu")),
                    conv(widths["proj"], 1, layers.MaxPooling2D(3, strides=change.get("pool_stride", 1), padding="same")(x))]
        return layers.Concatenate()(branches)
    return module


row("lesson05.inception", "the course's builder", lambda: lambda x: importlib.import_module("course_utils.architectures")
    .inception_module(x, 16, 8, 16, 4, 8, 8, name="m"), "pass")
row("lesson05.inception", "3x3 without reduction", lambda: _inception(no_reduction=True), "fail", "1x1")
row("lesson05.inception", "wrong width", lambda: _inception(widths={"b1": 8}), "fail", "should output \\(None, 12, 12, 48\\)")
row("lesson05.inception", "pooling at stride 2", lambda: _inception(pool_stride=2), "fail", "Your function raised ValueError")
row("lesson05.inception", "a linear 5x5", lambda: _inception(activation=None), "fail", "without a ReLU")
row("lesson05.inception", "swapped reductions", lambda: _inception(widths={"r3": 4, "r5": 8}), "fail", "parameters, not 3,164")
row("lesson05.inception", "returns a model", lambda: lambda x: keras.Model(x, _inception()(x)), "fail", "returns a Functional")
row("lesson05.inception", "returns a list", lambda: lambda x: [x, x], "fail", "returns a list")


def _plain_branch(x):
    return layers.Conv2D(16, 3, padding="same")(layers.Conv2D(16, 3, padding="same", activation="relu")(x))


row("lesson05.residual_block", "no shortcut", lambda: _plain_branch, "fail", "never reaches the output")
row("lesson05.residual_block", "no final ReLU", lambda: lambda x: layers.Add()([x, _plain_branch(x)]), "fail", "no ReLU")
row("lesson05.residual_block", "with batch norm (the course's block)",
    lambda: lambda x: importlib.import_module("course_utils.architectures").basic_block(x, 16, name="b"), "pass")
row("lesson05.residual_block", "ReLU layer", lambda: lambda x: layers.ReLU()(layers.Add()([x, _plain_branch(x)])), "pass")
row("lesson05.residual_block", "shrinks", lambda: lambda x: layers.Conv2D(16, 3)(x), "fail", "8x8x16")
row("lesson05.residual_block", "returns the input array", lambda: lambda x: np.zeros((8, 8, 16)), "fail", "8x8x16")
SHARED = {}  # layers made once: a student who keeps them outside the function


def _shared_block(x):
    if "convs" not in SHARED:
        SHARED["convs"] = (layers.Conv2D(16, 3, padding="same", activation="relu"), layers.Conv2D(16, 3, padding="same"))
    first, second = SHARED["convs"]
    return layers.Activation("relu")(layers.Add()([x, second(first(x))]))


row("lesson05.residual_block", "layers made outside the function", lambda: _shared_block, "pass")

# ---- lesson 06
row("lesson06.feature_map_shape", "no pooling", lambda: (64, 96, 64), "fail", "before any pooling")
row("lesson06.feature_map_shape", "conv1 channels", lambda: (16, 24, 32), "fail", "channels")
row("lesson06.ascent_step", "descent", lambda: lambda i, g, s: i - s * g / np.sqrt(np.mean(g ** 2)), "fail", "descent")
row("lesson06.ascent_step", "not normalised", lambda: lambda i, g, s: i + s * g, "fail", "not normalised")
row("lesson06.ascent_step", "in place", lambda: lambda i, g, s: i.__iadd__(s * g / np.sqrt(np.mean(g ** 2))), "pass")
row("lesson06.ascent_step", "returns a tensor", lambda: lambda i, g, s: tensor(i + s * g / np.sqrt(np.mean(g ** 2))), "pass")
row("lesson06.ascent_step", "returns NaN", lambda: lambda i, g, s: i * np.nan, "fail", "NaN")
row("lesson06.ascent_step", "drops the channel axis", lambda: lambda i, g, s: (i + s * g / np.sqrt(np.mean(g ** 2)))[..., 0],
    "fail", "shape")


def _saliency(of, reduce):
    from course_utils.visualization import class_scores, value_and_gradient

    def my_saliency(model, image, class_index):
        f = class_scores(model) if of == "score" else model
        _, gradient = value_and_gradient(lambda x: f(x)[0, class_index], image[None])
        return reduce(gradient[0])
    return my_saliency


row("lesson06.saliency", "of the probability", lambda: _saliency("probability", lambda g: np.abs(g).max(axis=-1)), "fail",
    "probability, after the softmax")
row("lesson06.saliency", "signed", lambda: _saliency("score", lambda g: g.max(axis=-1)), "fail", "sign")
row("lesson06.saliency", "mean over channels", lambda: _saliency("score", lambda g: np.abs(g).mean(axis=-1)), "fail", "averages")
row("lesson06.saliency", "keeps the channels", lambda: _saliency("score", np.abs), "fail", "largest absolute value")
row("lesson06.saliency", "returns a tensor", lambda: _saliency("score", lambda g: tensor(np.abs(g).max(axis=-1))), "pass")
row("lesson06.saliency", "the course's helper", lambda: lambda m, i, c: importlib.import_module("course_utils.visualization")
    .saliency_map(m, i, c)[0], "pass")

# ---- lesson 07
row("lesson07.head_parameters", "frozen too", lambda: (5 * 5 + 1) * 32 + (3 * 3 * 32 + 1) * 64 + 402_181, "fail", "frozen")
row("lesson07.head_parameters", "softmax only", lambda: 15_685, "fail", "Dense\\(128\\)")


def _head(freeze=True, compile_loss="sparse_categorical_crossentropy", activation="softmax", sequential=False,
          compile_first=False, copy_base=False):
    def add_head(base, num_classes):
        if copy_base:
            base = keras.models.clone_model(base)
        if freeze and not compile_first:
            base.trainable = False
        if sequential:
            model = keras.Sequential([base, layers.Dense(num_classes, activation=activation)])
        else:
            model = keras.Model(base.input, layers.Dense(num_classes, activation=activation)(base.output))
        if compile_loss:
            model.compile(optimizer="adam", loss=compile_loss)
        if freeze and compile_first:
            base.trainable = False
        return model
    return add_head


row("lesson07.add_head", "right, a Sequential", lambda: _head(sequential=True), "pass")
row("lesson07.add_head", "not frozen", lambda: _head(freeze=False), "fail", "not frozen")
row("lesson07.add_head", "not compiled", lambda: _head(compile_loss=None), "fail", "not compiled")
row("lesson07.add_head", "no softmax", lambda: _head(activation=None), "fail", "not probabilities")
row("lesson07.add_head", "one-hot loss", lambda: _head(compile_loss="categorical_crossentropy"), "fail",
    "Training your model.*raised|sparse_categorical_crossentropy")
row("lesson07.add_head", "a copy of the base", lambda: _head(copy_base=True), "fail", "does not contain the base")
row("lesson07.add_head", "returns the base", lambda: lambda base, n: base, "fail", "maps")


def _fine_tune(unfreeze=("conv2", "pool", "head"), compile_=True, rate=1e-4, helper=False):
    def fine_tune(model, first_trainable, learning_rate):
        if helper:
            importlib.import_module("course_utils.transfer").set_trainable_from(model, first_trainable)
        else:
            for layer in model.layers:
                layer.trainable = layer.name in unfreeze
        if compile_:
            model.compile(optimizer=keras.optimizers.Adam(rate), loss="sparse_categorical_crossentropy")
        return model
    return fine_tune


row("lesson07.fine_tune", "with set_trainable_from", lambda: _fine_tune(helper=True), "pass")
row("lesson07.fine_tune", "not recompiled", lambda: _fine_tune(compile_=False), "fail", "did not compile the model again")
row("lesson07.fine_tune", "everything unfrozen", lambda: _fine_tune(unfreeze=("conv1", "conv2", "pool", "head")), "fail",
    "conv1 is trainable")
row("lesson07.fine_tune", "head frozen", lambda: _fine_tune(unfreeze=("conv2",)), "fail", "head is frozen")
row("lesson07.fine_tune", "conv2 frozen", lambda: _fine_tune(unfreeze=("head",)), "fail", "conv2 is still frozen")
row("lesson07.fine_tune", "rate not lowered", lambda: _fine_tune(rate=1e-3), "fail", "0.001, not the 0.0001")


# ---- lesson 08


def _bn(axes=(0, 1, 2), ddof=0, epsilon=1e-3, affine=True, swap=False, std_eps=False):
    def batch_norm(x, gamma, beta):
        if swap:
            gamma, beta = beta, gamma
        mean = x.mean(axis=axes, keepdims=True)
        spread = x.std(axis=axes, keepdims=True) + epsilon if std_eps else np.sqrt(x.var(axis=axes, keepdims=True, ddof=ddof) + epsilon)
        x_hat = (x - mean) / spread
        return gamma * x_hat + beta if affine else x_hat
    return batch_norm


def _bn_keras(x, gamma, beta):
    layer = layers.BatchNormalization(dtype="float32")
    layer.build(x.shape)
    layer.gamma.assign(gamma)
    layer.beta.assign(beta)
    return keras.ops.convert_to_numpy(layer(x, training=True))


row("lesson08.batch_norm", "right, with Keras's layer", lambda: _bn_keras, "pass")
row("lesson08.batch_norm", "right, keepdims", lambda: _bn(), "pass")
row("lesson08.batch_norm", "per position", lambda: _bn(axes=(0,)), "fail", "every pixel position")
row("lesson08.batch_norm", "all axes", lambda: _bn(axes=(0, 1, 2, 3)), "fail", "mixes the channels")
row("lesson08.batch_norm", "sample variance", lambda: _bn(ddof=1), "fail", "n - 1")
row("lesson08.batch_norm", "no epsilon", lambda: _bn(epsilon=0.0), "fail", "leaves out epsilon")
row("lesson08.batch_norm", "no gamma or beta", lambda: _bn(affine=False), "fail", "ignores gamma and beta")
row("lesson08.batch_norm", "gamma and beta swapped", lambda: _bn(swap=True), "fail", "swaps gamma and beta")
row("lesson08.batch_norm", "epsilon on the std", lambda: _bn(std_eps=True), "fail", "standard deviation")
row("lesson08.batch_norm", "drops the channel axis", lambda: lambda x, g, b: x.mean(axis=-1), "fail", "returns shape")


def _dropout(keep_prob=0.8, scale=1 / 0.8, global_rng=False, mask="channels"):
    def dropout(x, rate, rng):
        n, h, w, c = x.shape
        shape = {"channels": (n, 1, 1, c), "values": x.shape, "positions": (n, h, w, 1), "shared": (1, 1, 1, c)}[mask]
        draws = np.random.random(shape) if global_rng else rng.random(shape)
        return np.where(draws < keep_prob, x * scale, 0.0)
    return dropout


row("lesson08.dropout", "right, numpy's global generator", lambda: _dropout(global_rng=True), "pass")
row("lesson08.dropout", "right, a mask times x",
    lambda: lambda x, rate, rng: x * (rng.random((len(x), 1, 1, x.shape[-1])) > rate) / (1 - rate), "pass")
row("lesson08.dropout", "right, with Keras's layer",
    lambda: lambda x, rate, rng: keras.ops.convert_to_numpy(layers.SpatialDropout2D(rate, seed=1)(x, training=True)), "pass")
row("lesson08.dropout", "single values", lambda: _dropout(mask="values"), "fail", "single values")
row("lesson08.dropout", "positions", lambda: _dropout(mask="positions"), "fail", "pixel positions")
row("lesson08.dropout", "same channels for the batch", lambda: _dropout(mask="shared"), "fail", "every image")
row("lesson08.dropout", "no scaling", lambda: _dropout(scale=1.0), "fail", "does not scale")
row("lesson08.dropout", "times 1 - rate", lambda: _dropout(scale=0.8), "fail", "multiplies what it keeps by 1 - rate")
row("lesson08.dropout", "keeps with probability rate", lambda: _dropout(keep_prob=0.2, scale=1 / 0.2), "fail", "1 - rate")
row("lesson08.dropout", "drops half", lambda: _dropout(keep_prob=0.5, scale=2.0), "fail", "drops more")
row("lesson08.dropout", "divides by rate", lambda: _dropout(scale=1 / 0.2), "fail", "not by 1 / \\(1 - rate\\)")
row("lesson08.dropout", "unchanged", lambda: lambda x, rate, rng: x, "fail", "unchanged")
row("lesson08.dropout", "noise on every value", lambda: lambda x, rate, rng: x * rng.uniform(0.5, 1.5, x.shape), "fail", "same number")
row("lesson08.dropout", "flattens", lambda: lambda x, rate, rng: x.ravel(), "fail", "returns shape")

# ---- lesson 09
row("lesson09.avg_pool_backward", "with np.kron", lambda: lambda g: np.kron(g, np.ones((2, 2))) / 4, "pass")
row("lesson09.avg_pool_backward", "in float32, as a tensor", lambda: lambda g: tensor(
    (np.repeat(np.repeat(g, 2, 0), 2, 1) / 4).astype("float32")), "pass")
row("lesson09.avg_pool_backward", "sum pooling's", lambda: lambda g: np.kron(g, np.ones((2, 2))), "fail", "4 times too large")
row("lesson09.avg_pool_backward", "divided by 2", lambda: lambda g: np.kron(g, np.ones((2, 2))) / 2, "fail", "twice too large")
row("lesson09.avg_pool_backward", "max pooling's", lambda: lambda g: np.kron(g, [[1, 0], [0, 0]]), "fail", "as max pooling")
row("lesson09.avg_pool_backward", "not upsampled", lambda: lambda g: g / 4, "fail", "shape of the pooled output")
row("lesson09.avg_pool_backward", "one axis only", lambda: lambda g: np.repeat(g, 2, 0) / 2, "fail", "should have shape \\(6, 8\\)")
row("lesson09.avg_pool_backward", "tiled, not repeated", lambda: lambda g: np.tile(g, (2, 2)) / 4, "fail", "np.repeat")


def _kernel_gradient(change=lambda grad: grad, via="conv2d", of="kernel", dtype="float64"):
    from course_utils.convolution import conv2d, conv2d_backward, conv2d_backward_loops

    def my_kernel_gradient(image, kernel, target):
        image, kernel, target = (np.asarray(a, dtype) for a in (image, kernel, target))
        error = conv2d(image, kernel) - target
        grad_output = 2 * error / error.size
        if via == "backward":
            return change(conv2d_backward(image, kernel, grad_output)[of == "kernel"])
        if via == "loops":
            return change(conv2d_backward_loops(image, kernel, grad_output)[1])
        return change(conv2d(image, grad_output))
    return my_kernel_gradient


row("lesson09.kernel_gradient", "with conv2d_backward", lambda: _kernel_gradient(via="backward"), "pass")
row("lesson09.kernel_gradient", "with the loops", lambda: _kernel_gradient(via="loops"), "pass")
row("lesson09.kernel_gradient", "in float32", lambda: _kernel_gradient(dtype="float32"), "pass")
row("lesson09.kernel_gradient", "as a tensor", lambda: _kernel_gradient(change=tensor), "pass")
row("lesson09.kernel_gradient", "sign", lambda: _kernel_gradient(change=lambda g: -g), "fail", "wrong sign")
row("lesson09.kernel_gradient", "no factor 2", lambda: _kernel_gradient(change=lambda g: g / 2), "fail", "factor 2")
row("lesson09.kernel_gradient", "sum of squares", lambda: _kernel_gradient(change=lambda g: g * 42), "fail", "sum of squares")
row("lesson09.kernel_gradient", "flipped", lambda: _kernel_gradient(change=lambda g: g[::-1, ::-1]), "fail", "180 degrees")
row("lesson09.kernel_gradient", "transposed", lambda: _kernel_gradient(change=lambda g: g.T), "fail", "transposed")
row("lesson09.kernel_gradient", "of the image", lambda: _kernel_gradient(via="backward", of="image"), "fail",
    "respect to the image")
row("lesson09.kernel_gradient", "the kernel itself", lambda: lambda image, kernel, target: kernel, "fail", "differs")
row("lesson09.kernel_gradient", "a number", lambda: lambda image, kernel, target: 1.0, "fail", "shape \\(3, 3\\)")

# ---- lesson 10
for label, count, pattern in [
        ("a standard convolution", lambda h, w, i, o, k: h * w * k * k * i * o, "standard convolution"),
        ("the depthwise step only", lambda h, w, i, o, k: h * w * k * k * i, "depthwise step only"),
        ("the pointwise step only", lambda h, w, i, o, k: h * w * i * o, "pointwise \\(1x1\\) step only"),
        ("a kernel per output channel", lambda h, w, i, o, k: h * w * (k * k * o + i * o), "one k x k kernel per output"),
        ("the weights, once", lambda h, w, i, o, k: k * k * i + i * o, "number of weights"),
        ("the parameters", lambda h, w, i, o, k: k * k * i + i * o + o, "number of parameters"),
        ("one position short", lambda h, w, i, o, k: (h * w - 1) * (k * k * i + i * o), "does")]:
    row("lesson10.separable_macs", label, lambda count=count: count, "fail", pattern)
row("lesson10.separable_macs", "right, as a float", lambda: lambda h, w, i, o, k: float(h * w * (k * k * i + i * o)), "pass")
row("lesson10.separable_macs", "right, from numpy", lambda: lambda h, w, i, o, k: np.int64(h) * w * (k * k + o) * i, "pass")
row("lesson10.separable_macs", "half a count", lambda: lambda h, w, i, o, k: h * w * (k * k * i + i * o) / 2 + 0.5,
    "fail", "whole number|does")


def _dense_as_conv(*, activation="same", bias=True, order="hwc", kernel_size=None, built=True, kind="conv"):
    def dense_as_conv(dense, input_shape):
        h, w, c = input_shape
        kernel, b = dense.get_weights()
        units = kernel.shape[1]
        if kind == "dense":
            return dense
        conv = layers.Conv2D(units, kernel_size or (h, w), dtype="float32", use_bias=bias,
                             activation=dense.activation if activation == "same" else activation)
        if not built:
            return conv
        conv.build((None, h, w, c))
        if kernel_size == 1:
            return conv
        shaped = kernel.reshape(h, w, c, units) if order == "hwc" else kernel.reshape(c, h, w, units).transpose(1, 2, 0, 3)
        conv.set_weights([shaped, b] if bias else [shaped])
        return conv
    return dense_as_conv


row("lesson10.dense_as_conv", "right, activation by name", lambda: _dense_as_conv(activation="relu"), "pass")
row("lesson10.dense_as_conv", "no activation", lambda: _dense_as_conv(activation=None), "fail", "no ReLU")
row("lesson10.dense_as_conv", "no bias", lambda: _dense_as_conv(bias=False), "fail", "leaves out the bias")
row("lesson10.dense_as_conv", "channels first", lambda: _dense_as_conv(order="chw"), "fail", "\\(channels, height, width\\) order")
row("lesson10.dense_as_conv", "a 1x1 kernel", lambda: _dense_as_conv(kernel_size=1), "fail", "outputs \\(4, 3, 4, 6\\)")
row("lesson10.dense_as_conv", "weights never set", lambda: _dense_as_conv(built=False), "fail", "no weights yet")
row("lesson10.dense_as_conv", "returns the Dense layer", lambda: _dense_as_conv(kind="dense"), "fail", "not a Conv2D")

# ---------------------------------------------------------------------------------------------- the table's test

def snapshot(answer):
    """Everything a check could change in an answer."""
    if isinstance(answer, keras.layers.Layer):
        weights = [np.array(w) for w in answer.get_weights()] if answer.built else []
        flags = [layer.trainable for layer in getattr(answer, "layers", [answer])]
        return weights, flags, getattr(answer, "compiled", None)
    if isinstance(answer, np.ndarray):
        return answer.copy()
    if callable(answer):
        return None
    try:
        copied = copy.deepcopy(answer)
    except Exception:  # noqa: BLE001  a backend tensor
        return repr(answer)
    return copied if same(copied, answer) else "no value to compare"  # object(): equal only to itself


def same(a, b) -> bool:
    if isinstance(a, tuple) and len(a) == 3 and isinstance(a[0], list):
        return (len(a[0]) == len(b[0]) and all(np.array_equal(x, y) for x, y in zip(a[0], b[0]))
                and a[1:] == b[1:])
    if isinstance(a, np.ndarray):
        return np.array_equal(a, b, equal_nan=True)
    try:
        return bool(a == b) or (a != a and b != b)
    except Exception:  # noqa: BLE001
        return repr(a) == repr(b)


def _check_under(exercise, answer, course_seed, global_seed, monkeypatch):
    monkeypatch.setenv("COURSE_SEED", str(course_seed))
    keras.utils.set_random_seed(global_seed)
    return exercise.check(answer)


@pytest.mark.parametrize(("key", "label", "factory", "status", "pattern"),
                         [pytest.param(*r, id=f"{r[0]}: {r[1]}") for r in ROWS])
def test_check_judges_every_form_of_answer_the_same_way_twice(key, label, factory, status, pattern, monkeypatch):
    exercise = ex(key)
    answer = factory()
    before = snapshot(answer)
    first = _check_under(exercise, answer, 1, 11, monkeypatch)
    second = _check_under(exercise, answer, 2, 22, monkeypatch)
    assert isinstance(first, Feedback)
    assert (first.status, first.message, first.hint) == (second.status, second.message, second.hint), (first, second)
    assert same(before, snapshot(answer)), "the check changed the answer"
    assert SAFETY_NET not in first.message, first
    assert first.status == status, first
    assert re.search(pattern, f"{first.message} {first.hint}", flags=re.S), first
    if status == "fail":
        assert "Not yet" in repr(first) and "Not yet" in first._repr_html_()


# ---------------------------------------------------------------------------------------------- whole-exercise tests

@pytest.mark.parametrize("key", list(EXERCISES))
def test_shown_solution_runs_and_passes(key):
    """What solution() shows, run as a student would paste it, gives an answer that passes."""
    exercise = ex(key)
    source = exercise.solution().source
    last = inspect.getsource(exercise._reference).strip().splitlines()[-1].strip()
    assert last.startswith("return "), "a reference must end with `return <variable>`"
    namespace = dict(vars(importlib.import_module(exercise._reference.__module__)))
    exec(source, namespace)
    assert exercise.check(namespace[last.removeprefix("return ").strip()]).passed


@pytest.mark.parametrize("key", list(EXERCISES))
@pytest.mark.parametrize("placeholder", [None, ...])
def test_unanswered_gets_a_friendly_message(key, placeholder):
    feedback = ex(key).check(placeholder)
    assert feedback.status == "unanswered" and not feedback
    assert "Not answered yet" in repr(feedback)


@pytest.mark.parametrize("lesson", sorted(MODULES))
def test_each_lesson_has_two_exercises_and_at_least_half_ask_for_code(lesson):
    mine = [e for key, e in EXERCISES.items() if key.startswith(f"{lesson}.")]
    assert len(mine) >= 2
    assert 2 * sum(e.asks_for_code for e in mine) >= len(mine), [(e.title, e.answer) for e in mine]


def test_lesson07_exercises_freeze_a_base_add_a_head_and_recompile():
    sources = "\n".join(ex(key).solution().source for key in EXERCISES if key.startswith("lesson07."))
    assert "trainable = False" in sources and "Dense(num_classes" in sources
    assert sources.count(".compile(") >= 2


def _notebook(lesson):
    return json.loads(next(NOTEBOOKS.glob(f"{lesson[-2:]}_*.ipynb")).read_text(encoding="utf-8"))


@pytest.mark.parametrize("key", [k for k, e in EXERCISES.items() if e.answer in ("number", "shape")])
def test_no_answer_is_written_in_the_lesson_above_its_exercise(key):
    """The answer to a number or shape question appears nowhere in the cells before the Exercises section."""
    cells = _notebook(key.split(".")[0])["cells"]
    end = next(i for i, c in enumerate(cells) if "".join(c["source"]).lstrip().startswith("## Exercises"))
    above = "\n".join("".join(c["source"]) for c in cells[:end])
    answer = ref(key)
    if isinstance(answer, int):
        forms = {str(answer), f"{answer:,}", f"{answer:_}"} if answer >= 1000 else set()
        for form in forms:
            assert not re.search(rf"(?<![\d,_.]){re.escape(form)}(?![\d,_])", above), form
    elif isinstance(answer[0], int):
        for form in (str(tuple(answer)), "x".join(map(str, answer)), str(list(answer))):
            assert form not in above, form


def test_no_two_exercises_ask_the_same_question():
    titles = [e.title.split(": ", 1)[1] for e in EXERCISES.values()]
    assert len(set(titles)) == len(titles)
    answers = [repr(e.reference_answer()) for e in EXERCISES.values() if e.answer in ("number", "shape")]
    assert len(set(answers)) == len(answers)


def test_a_check_leaves_the_notebooks_random_numbers_alone():
    for key in ("lesson01.conv_params", "lesson07.add_head", "lesson02.same_by_hand"):
        answer = ref(key)
        keras.utils.set_random_seed(5)
        expected = (random.random(), np.random.random(), float(keras.random.uniform(())))
        keras.utils.set_random_seed(5)
        assert ex(key).check(answer).passed
        assert (random.random(), np.random.random(), float(keras.random.uniform(()))) == expected, key


def test_feedback_html_escapes_the_student_text():
    feedback = ex("lesson01.conv_params").check("<script>")
    assert "<script>" in repr(feedback) and "<script>" not in feedback._repr_html_()


def test_the_valid_padding_count_is_what_keras_counts():
    model = keras.Sequential([keras.Input((28, 28, 1)), layers.Conv2D(32, 5, activation="relu"), layers.MaxPooling2D(2),
                              layers.Conv2D(64, 3, activation="relu"), layers.MaxPooling2D(2), layers.Flatten(),
                              layers.Dense(256, activation="relu"), layers.Dense(10, activation="softmax")])
    assert model.count_params() == ref("lesson04.valid_convnet_params")


def test_the_resnet_conv1_cost_is_what_layer_table_counts():
    from course_utils.layer_table import layer_table

    x = keras.Input((224, 224, 3))
    model = keras.Model(x, layers.Conv2D(64, 7, strides=2, name="conv1")(layers.ZeroPadding2D(3)(x)))
    row_ = next(r for r in layer_table(model).rows if r.name == "conv1")
    assert row_.output_shape == (112, 112, 64) and row_.macs == ref("lesson05.conv1_macs")


def test_the_inception_answer_has_the_builders_parameters():
    from course_utils.architectures import inception_module

    x = keras.Input((12, 12, 32))
    assert keras.Model(x, inception_module(x, 16, 8, 16, 4, 8, 8, name="m")).count_params() == 3_164


def test_exercise_kinds_are_checked():
    with pytest.raises(ValueError, match="answer must be one of number, shape"):
        exercises.exercise("x", check=lambda a: None, answer="essay")


def test_a_check_does_not_touch_layers_the_student_made_outside_the_function():
    SHARED.clear()
    assert ex("lesson05.residual_block").check(_shared_block).passed
    before = [np.array(w) for layer in SHARED["convs"] for w in layer.get_weights()]
    assert ex("lesson05.residual_block").check(_shared_block).passed
    assert all(np.array_equal(a, np.array(b)) for a, b in
               zip(before, [w for layer in SHARED["convs"] for w in layer.get_weights()]))
    assert any(np.abs(w).sum() > 0 for w in before), "the check zeroed the student's own convolutions"
