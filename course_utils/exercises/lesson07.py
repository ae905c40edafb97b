"""Exercises of lesson 07, fine-tuning and transfer learning.

>>> from course_utils.exercises import lesson07 as ex
>>> ex.head_parameters.check(402_181).passed
True
"""

from __future__ import annotations

import numpy as np

from course_utils.exercises import Mistake, Unanswered, exercise, expect_number


def _check_head_parameters(answer) -> None:
    value = expect_number(answer, "The number of trainable parameters")
    if value == 402_181:
        return
    known = {
        402_048: ("That counts the weights only.", "Each Dense unit also has one bias."),
        15_685: ("That is a softmax layer straight on the 3,136 features.",
                 "The new head has a Dense(128) layer first, then Dense(5)."),
        (5 * 5 + 1) * 32 + (3 * 3 * 32 + 1) * 64 + 402_181: ("That counts the frozen convolutions too.", "Frozen weights are not trainable."),
    }
    message, hint = known.get(value, (f"{value:g} is not the count.",
                                      "flatten gives 7 * 7 * 64 = 3,136 features; count (inputs + 1) * units "
                                      "for each of the two new Dense layers."))
    raise Mistake(message, hint)


@exercise("Exercise 7.1: what a new head trains", check=_check_head_parameters)
def head_parameters():
    # Only the new layers train: Dense(128) on the 7 * 7 * 64 flattened features, then Dense(5).
    features = 7 * 7 * 64
    n_trainable = (features + 1) * 128 + (128 + 1) * 5
    return n_trainable


def _check_few_labels(answer) -> None:
    if not callable(answer):
        raise Mistake(f"Your answer should be a function, but you gave a {type(answer).__name__}.",
                      "Define few_labels(labels, per_class) and pass the function itself.")
    labels = np.random.default_rng(7).integers(5, 10, size=300)
    result = answer(labels, 4)
    if result is None:
        raise Unanswered("Your function returns None: write its body and return the indices.")
    result = np.asarray(result)
    expected = np.concatenate([np.flatnonzero(labels == c)[:4] for c in range(5, 10)])
    if result.shape != expected.shape:
        raise Mistake(f"For 5 classes and per_class=4 you should return {expected.size} indices, "
                      f"yours returns {result.size}.", "Take per_class indices of each class in labels.")
    if np.array_equal(np.sort(result), np.sort(labels[expected])) and not np.array_equal(result, expected):
        raise Mistake("Your function returns labels, not indices.", "np.flatnonzero(labels == c) gives indices.")
    if not np.array_equal(np.sort(result), np.sort(expected)):
        raise Mistake("Your indices are not the first per_class examples of each class.",
                      "For each class c in np.unique(labels): np.flatnonzero(labels == c)[:per_class].")


@exercise("Exercise 7.2: a few labels per class", check=_check_few_labels)
def few_labels():
    # The first per_class examples of each class, class after class.
    def few_labels(labels, per_class):
        return np.concatenate([np.flatnonzero(labels == c)[:per_class] for c in np.unique(labels)])

    return few_labels
