"""Exercises of lesson 04, MLP vs CNN on MNIST.

>>> from course_utils.exercises import lesson04 as ex
>>> ex.convnet_params.check(824_970).passed
True

Usual mistakes get named (counts and losses worked out by hand):

>>> ex.convnet_params.check(800 + 18_432 + 802_816 + 2_560).message      # no biases
'That counts the weights only.'
>>> ex.convnet_params.check(12_867_210).message                           # no pooling: 28 * 28 * 64 inputs
'That forgets the two pooling layers.'
>>> ex.cross_entropy.check(0.4493).passed, ex.cross_entropy.check(0.6381).message
(True, 'That is the probability of the true class, not the loss.')
>>> ex.output_shapes.check([(24, 24, 32)] + [(1,)] * 6).hint
"padding='same' keeps 28x28; the channels are the 32 filters."
"""

from __future__ import annotations

import numpy as np
import scipy.special

from course_utils.exercises import Mistake, exercise, expect_number

LOGITS = np.array([2.0, 1.0, 0.1, -1.0])
TRUE_CLASS = 0
PARAMETER_BUDGET = 100_000
BUDGET_ACCURACY = 0.9  # on 1,000 test digits after fit_fast on 2,000 digits, 2 epochs of batch 32 (the MLP: 0.87)


def _convnet_count(*, biases: bool = True, pools: int = 2) -> int:
    """The seed convnet's parameters, optionally without biases or with fewer pooling layers."""
    side = 28 // 2 ** pools
    layers = [(5 * 5 * 1, 32), (3 * 3 * 32, 64), (side * side * 64, 256), (256, 10)]
    return sum((fan_in + biases) * units for fan_in, units in layers)


def _check_convnet_params(answer) -> None:
    value = expect_number(answer, "The number of parameters")
    if value == _convnet_count():
        return
    known = {
        _convnet_count(biases=False): ("That counts the weights only.", "Every filter and every unit has a bias."),
        _convnet_count(pools=0): ("That forgets the two pooling layers.",
                                  "Each 2x2 max-pool halves the height and the width before Flatten."),
        _convnet_count(pools=1): ("That halves the image only once.", "There are two pooling layers: 28 -> 14 -> 7."),
        _convnet_count() - (7 * 7 * 64 + 1) * 256: ("That leaves out the Dense(256) layer.",
                                                    "Flatten gives 7 * 7 * 64 values, each connected to 256 units."),
    }
    message, hint = known.get(value, (f"{value:,.0f} is not the count.",
                                      "Add (F * F * C_in + 1) * C_out per Conv2D and (inputs + 1) * units per Dense."))
    raise Mistake(message, hint)


@exercise("Exercise 4.1: the convnet's parameters by hand", check=_check_convnet_params)
def convnet_params():
    conv1 = (5 * 5 * 1 + 1) * 32      # 5x5 kernels on 1 channel, 32 filters, one bias each
    conv2 = (3 * 3 * 32 + 1) * 64     # 3x3 kernels on the 32 channels of conv1
    hidden = (7 * 7 * 64 + 1) * 256   # 28 -> 14 -> 7 after two poolings: 7 * 7 * 64 inputs
    output = (256 + 1) * 10
    n_params = conv1 + conv2 + hidden + output
    return n_params


def _keras_shapes() -> list[tuple[int, ...]]:
    from course_utils.mnist_models import convnet

    return [tuple(layer.output.shape[1:]) for layer in convnet().layers[1:]]


def _check_shapes(answer) -> None:
    if not isinstance(answer, (list, tuple)) or not all(isinstance(s, (list, tuple)) for s in answer):
        raise Mistake(f"Give a list of shapes, one tuple per layer, e.g. [(28, 28, 32), ...]; you gave {answer!r}.")
    shapes = [tuple(int(n) for n in shape) for shape in answer]
    right = _keras_shapes()
    if len(shapes) != len(right):
        raise Mistake(f"The convnet has {len(right)} layers after its input (conv1, pool1, conv2, pool2, flatten, "
                      f"hidden, predictions); you gave {len(shapes)} shapes.")
    for (name, wanted), given in zip(zip(["conv1", "pool1", "conv2", "pool2", "flatten", "hidden", "predictions"],
                                         right), shapes):
        if given != wanted:
            hint = {"conv1": "padding='same' keeps 28x28; the channels are the 32 filters.",
                    "pool1": "A 2x2 max-pool with stride 2 halves height and width and keeps the channels.",
                    "conv2": "padding='same' keeps the size; 64 filters give 64 channels.",
                    "pool2": "Halve 14x14 again.",
                    "flatten": "Flatten multiplies height, width and channels into one axis."}.get(
                        name, "A Dense layer outputs one value per unit.")
            raise Mistake(f"The shape after {name} is not {given}.", hint)


@exercise("Exercise 4.2: the output shape after each layer", check=_check_shapes)
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


def _check_cross_entropy(answer) -> None:
    value = expect_number(answer, "The loss")
    right = -scipy.special.log_softmax(LOGITS)[TRUE_CLASS]
    if np.isclose(value, right, rtol=1e-3):
        return
    probabilities = scipy.special.softmax(LOGITS)
    known = [
        (-right, "That is the log-probability itself: the loss is its negative.", "Put a minus sign in front."),
        (probabilities[TRUE_CLASS], "That is the probability of the true class, not the loss.",
         "Take minus its natural logarithm."),
        (-np.log10(probabilities[TRUE_CLASS]), "That uses the base-10 logarithm.", "Keras uses the natural log, np.log."),
        (-np.log(LOGITS[TRUE_CLASS]), "That takes the log of the raw score.", "Apply the softmax first."),
    ]
    for wrong, message, hint in known:
        if np.isclose(value, wrong, rtol=1e-3):
            raise Mistake(message, hint)
    raise Mistake(f"{value:g} is not the cross-entropy.", "Softmax the scores, then take -log of the true class's probability.")


@exercise("Exercise 4.3: softmax and cross-entropy by hand", check=_check_cross_entropy)
def cross_entropy():
    # Softmax: exponentiate the scores and divide by their sum, so they add up to 1.
    probabilities = np.exp(LOGITS) / np.exp(LOGITS).sum()
    # Cross-entropy for one digit: minus the log of the probability given to the true class.
    loss = -np.log(probabilities[TRUE_CLASS])
    return loss


def _check_budget_model(answer) -> None:
    import keras

    from course_utils.data import as_network_input, load_mnist
    from course_utils.profiles import PROFILES
    from course_utils.training import fit_fast, predicted_classes

    if not isinstance(answer, keras.Model):
        raise Mistake(f"Give a Keras model, e.g. keras.Sequential([...]); you gave a {type(answer).__name__}.")
    if tuple(answer.input_shape[1:]) != (28, 28, 1) or tuple(answer.output_shape[1:]) != (10,):
        raise Mistake(f"The model maps {answer.input_shape} to {answer.output_shape}.",
                      "Start with keras.Input((28, 28, 1)) and end with Dense(10, activation='softmax').")
    if answer.count_params() > PARAMETER_BUDGET:
        raise Mistake(f"Your model has {answer.count_params():,} parameters, over the budget of {PARAMETER_BUDGET:,}.",
                      "Most of the seed convnet's parameters sit in Dense(256) after Flatten: shrink or drop it.")
    if not any(isinstance(layer, keras.layers.Conv2D) for layer in answer.layers):
        raise Mistake("Your model has no Conv2D layer.", "This lesson is about convolutions: use at least one.")
    (x_train, y_train), (x_test, y_test) = load_mnist(PROFILES["ci"])
    fit_fast(answer, as_network_input(x_train), y_train, epochs=2, batch_size=32, verbose=0, seed=0)
    accuracy = float(np.mean(predicted_classes(answer, as_network_input(x_test)) == y_test))
    if accuracy < BUDGET_ACCURACY:
        raise Mistake(f"Trained with fit_fast on {len(x_train):,} digits for 2 epochs, your model reaches "
                      f"{accuracy:.1%} on {len(x_test):,} test digits; the goal is {BUDGET_ACCURACY:.0%}.",
                      "Check the last layer is a softmax over 10 classes, and keep a few filters in each Conv2D.")


@exercise("Exercise 4.4: a convnet under a parameter budget", check=_check_budget_model)
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
