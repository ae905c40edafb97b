"""Exercises of lesson 04, MLP vs CNN on MNIST: a count, the shapes, a loss function, a model to design.

>>> from course_utils.exercises import lesson04 as ex
>>> ex.valid_convnet_params.check(431_754).passed
True

Usual mistakes get named (counts worked out by hand):

>>> ex.valid_convnet_params.check(824_970).message                        # the lesson's 'same' convnet
"That is the count with padding='same'."
>>> ex.valid_convnet_params.check(800 + 18_432 + 409_600 + 2_560).message # no biases
'That counts the weights only.'
>>> ex.output_shapes.check([(24, 24, 32)] + [(1,)] * 6).hint
"padding='same' keeps 28x28; the channels are the 32 filters."
"""

from __future__ import annotations

import numpy as np
import scipy.special

from course_utils.exercises import (CHECK_SEED, Mistake, call_student, copy_of, exercise, expect_function,
                                    expect_model, expect_number, expect_shape, fixed_seed, output_of, show)

PARAMETER_BUDGET = 100_000
BUDGET_ACCURACY = 0.9  # on 1,000 test digits after fit_fast on 2,000 digits, 2 epochs of batch 32 (the MLP: 0.87)


def _convnet_count(*, biases: bool = True, sides: tuple[int, int] = (5, 5)) -> int:
    """The lecture's convnet's parameters with a ``sides[0] x sides[1]`` map before Flatten, optionally without biases."""
    layers = [(5 * 5 * 1, 32), (3 * 3 * 32, 64), (sides[0] * sides[1] * 64, 256), (256, 10)]
    return sum((fan_in + biases) * units for fan_in, units in layers)


def _check_valid_convnet_params(answer) -> None:
    value = expect_number(answer, "The number of parameters", whole=True)
    if value == _convnet_count():
        return
    known = {
        _convnet_count(sides=(7, 7)): ("That is the count with padding='same'.",
                                       "'valid' shrinks each map: 28 -> 24 after conv1, 12 after pool1, 10 after "
                                       "conv2, 5 after pool2. The convolutions keep their parameters; Flatten sees fewer values."),
        _convnet_count(biases=False): ("That counts the weights only.", "Every filter and every unit has a bias."),
        _convnet_count(sides=(6, 6)): ("That shrinks the maps in one convolution only.",
                                       "Both convolutions are 'valid' here: 28 -> 24 -> 12 -> 10 -> 5."),
        _convnet_count(sides=(10, 10)): ("That forgets the second pooling.", "pool2 halves 10x10 to 5x5."),
    }
    message, hint = known.get(value, (f"{show(value)} is not the count.",
                                      "Add (F * F * C_in + 1) * C_out per Conv2D and (inputs + 1) * units per Dense; "
                                      "'valid' takes F - 1 pixels off each side length."))
    raise Mistake(message, hint)


@exercise("Exercise 4.1: the convnet with 'valid' padding, counted by hand", check=_check_valid_convnet_params,
          answer="number")
def valid_convnet_params():
    conv1 = (5 * 5 * 1 + 1) * 32      # 5x5 kernels on 1 channel, 32 filters, one bias each: as with 'same'
    conv2 = (3 * 3 * 32 + 1) * 64     # 3x3 kernels on the 32 channels of conv1
    side = ((28 - 5 + 1) // 2 - 3 + 1) // 2  # 28 -> 24 (conv1) -> 12 (pool1) -> 10 (conv2) -> 5 (pool2)
    hidden = (side * side * 64 + 1) * 256
    output = (256 + 1) * 10
    n_params = conv1 + conv2 + hidden + output
    return n_params


LAYER_NAMES = ["conv1", "pool1", "conv2", "pool2", "flatten", "hidden", "predictions"]


def _keras_shapes() -> list[tuple[int, ...]]:
    from course_utils.mnist_models import convnet

    return [tuple(layer.output.shape[1:]) for layer in convnet().layers[1:]]


def _check_shapes(answer) -> None:
    right = _keras_shapes()
    if isinstance(answer, (str, bytes)) or not isinstance(answer, (list, tuple)):
        raise Mistake(f"Give a list of shapes, one tuple per layer, e.g. [(28, 28, 32), ...]; you gave {answer!r}.")
    if len(answer) != len(right):
        raise Mistake(f"The convnet has {len(right)} layers after its input ({', '.join(LAYER_NAMES)}); "
                      f"you gave {len(answer)} shapes.")
    for name, wanted, given in zip(LAYER_NAMES, right, answer):
        shape = expect_shape(given, f"The shape after {name}", length=len(wanted))
        if shape != wanted:
            hint = {"conv1": "padding='same' keeps 28x28; the channels are the 32 filters.",
                    "pool1": "A 2x2 max-pool with stride 2 halves height and width and keeps the channels.",
                    "conv2": "padding='same' keeps the size; 64 filters give 64 channels.",
                    "pool2": "Halve 14x14 again.",
                    "flatten": "Flatten multiplies height, width and channels into one axis."}.get(
                        name, "A Dense layer outputs one value per unit.")
            raise Mistake(f"The shape after {name} is not {shape}.", hint)


@exercise("Exercise 4.2: the output shape after each layer", check=_check_shapes, answer="shape")
def output_shapes():
    shapes = [
        (28, 28, 32),     # conv1: 'same' padding keeps 28x28, 32 filters
        (14, 14, 32),     # pool1: 2x2, stride 2
        (14, 14, 64),     # conv2: 'same', 64 filters
        (7, 7, 64),       # pool2
        (7 * 7 * 64,),    # flatten: 3136 values
        (256,),           # hidden Dense
        (10,),            # predictions: one probability per digit
    ]
    return shapes


LOSS_CASES = [  # (scores, true class): small scores first, then scores whose exp overflows float64
    ([2.0, 1.0, 0.1, -1.0], 0),
    ([0.5, -1.2, 3.3, 0.0, 2.1, -0.7, 1.0, 0.2, -2.5, 1.4], 7),
    ([1000.0, 999.0, 0.0], 1),
    ([-1000.0, -1001.0, -999.0], 2),
]


def _check_cross_entropy(answer) -> None:
    function = expect_function(answer, "Your answer", "def cross_entropy(scores, true_class)")
    for scores, true_class in LOSS_CASES:
        scores = np.array(scores)
        right = -scipy.special.log_softmax(scores)[true_class]
        result = call_student(function, scores.copy(), true_class, returns="the loss")
        large = np.abs(scores).max() > 700
        what = f"For scores {scores.tolist()} and true class {true_class}, your loss"
        try:
            value = expect_number(result, what)
        except Mistake as mistake:
            if large and ("NaN" in mistake.message or "infinite" in mistake.message):
                raise Mistake(f"{mistake.message.rstrip('.')}: np.exp({scores.max():g}) overflows.",
                              "Subtract the largest score from all the scores first: the softmax does not change "
                              "(Keras does the same), and no exp is larger than 1.") from None
            raise
        if np.isclose(value, right, rtol=1e-6, atol=1e-9):
            continue
        probabilities = scipy.special.softmax(scores)
        known = [
            (-right, "That is the log-probability itself: the loss is its negative.", "Put a minus sign in front."),
            (probabilities[true_class], "That is the probability of the true class, not the loss.",
             "Take minus its natural logarithm."),
            (-np.log10(probabilities[true_class]), "That uses the base-10 logarithm.",
             "Keras uses the natural log, np.log."),
        ]
        for wrong, message, hint in known:
            if np.isclose(value, wrong, rtol=1e-6):
                raise Mistake(f"{what} is {value:.6g}. {message}", hint)
        raise Mistake(f"{what} is {value:.6g}, not {right:.6g}.",
                      "Softmax the scores, then take -log of the true class's probability.")


@exercise("Exercise 4.3: a cross-entropy that never overflows", check=_check_cross_entropy, answer="function")
def cross_entropy():
    def cross_entropy(scores, true_class):
        scores = np.asarray(scores, dtype=float)
        # Subtracting the largest score leaves the softmax unchanged, and no exp can overflow.
        shifted = scores - scores.max()
        # log p_k = z_k - log(sum_j e^z_j); the loss is minus that for the true class.
        log_probabilities = shifted - np.log(np.exp(shifted).sum())
        return -log_probabilities[true_class]

    return cross_entropy


def _check_budget_model(answer) -> str:
    import keras

    from course_utils.data import as_network_input, load_mnist
    from course_utils.profiles import PROFILES
    from course_utils.training import fit_fast

    model = expect_model(answer)
    if tuple(model.input_shape[1:]) != (28, 28, 1) or tuple(model.output_shape[1:]) != (10,):
        raise Mistake(f"The model maps {model.input_shape} to {model.output_shape}.",
                      "Start with keras.Input((28, 28, 1)) and end with Dense(10, activation='softmax').")
    if model.count_params() > PARAMETER_BUDGET:
        raise Mistake(f"Your model has {model.count_params():,} parameters, over the budget of {PARAMETER_BUDGET:,}.",
                      "Most of the lecture's convnet's parameters sit in Dense(256) after Flatten: shrink or drop it.")
    if not any(isinstance(layer, keras.layers.Conv2D) for layer in model.layers):
        raise Mistake("Your model has no Conv2D layer.", "This lesson is about convolutions: use at least one.")
    (x_train, y_train), (x_test, y_test) = load_mnist(PROFILES["ci"])
    trainee = copy_of(model)  # your model keeps its weights; a copy of it trains, from the same starting weights
    with fixed_seed(CHECK_SEED):
        fit_fast(trainee, as_network_input(x_train), y_train, epochs=2, batch_size=32, verbose=0, seed=CHECK_SEED)
    x_test = as_network_input(x_test)
    probabilities = np.concatenate([output_of(trainee, x_test[i:i + 250], "Your trained model")
                                    for i in range(0, len(x_test), 250)])  # direct calls: no tf.function to retrace
    accuracy = float(np.mean(probabilities.argmax(axis=-1) == y_test))
    trained = f"Trained with fit_fast on {len(x_train):,} digits for 2 epochs, a copy of your model reaches " \
              f"{accuracy:.1%} on {len(x_test):,} test digits"
    if not accuracy >= BUDGET_ACCURACY:
        raise Mistake(f"{trained}; the goal is {BUDGET_ACCURACY:.0%}.",
                      "Check the last layer is a softmax over 10 classes, and keep a few filters in each Conv2D.")
    return f"{trained}, with {model.count_params():,} parameters."


@exercise("Exercise 4.4: a convnet under a parameter budget", check=_check_budget_model, answer="model")
def budget_model():
    import keras
    from keras import layers

    # Keep the two conv + pool stages, drop the Dense(256): Flatten goes straight to the output.
    budget_convnet = keras.Sequential([
        keras.Input((28, 28, 1)),
        layers.Conv2D(32, 5, padding="same", activation="relu"),
        layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, padding="same", activation="relu"),
        layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dense(10, activation="softmax"),
    ])
    return budget_convnet
