"""Exercises of lesson 08, training convnets well: batch normalization of a convnet's batch and dropout of whole channels, in numpy.

>>> from course_utils.exercises import lesson08 as ex
>>> ex.batch_norm.check(ex.batch_norm.reference_answer()).passed
True
>>> ex.dropout.check(lambda x, rate, rng: x).message
'Your function returns its input unchanged: nothing is dropped.'
"""

from __future__ import annotations

import numpy as np

from course_utils.exercises import Mistake, call_student, exercise, expect_array, expect_function

EPSILON = 1e-3
"""Keras's default ``epsilon`` of ``BatchNormalization``."""


def _normalized(x, gamma, beta, axes, *, ddof=0, epsilon=EPSILON):
    mean = x.mean(axis=axes, keepdims=True)
    return gamma * (x - mean) / np.sqrt(x.var(axis=axes, keepdims=True, ddof=ddof) + epsilon) + beta


def _check_batch_norm(answer) -> None:
    function = expect_function(answer, "Your answer", "def my_batch_norm(x, gamma, beta)")
    rng = np.random.default_rng(8)
    x = rng.normal(3.0, 2.0, size=(16, 5, 5, 4)).astype("float32")
    gamma, beta = rng.uniform(0.5, 2.0, 4).astype("float32"), rng.normal(size=4).astype("float32")
    result = expect_array(call_student(function, x.copy(), gamma.copy(), beta.copy(), returns="the normalized batch"),
                          "The result of your function")
    if result.shape != x.shape:
        raise Mistake(f"For a batch of shape {x.shape} your function returns shape {result.shape}.",
                      "Batch normalization keeps the shape: each value is shifted and scaled.")
    close = dict(rtol=1e-4, atol=1e-4)
    if np.allclose(result, _normalized(x, gamma, beta, (0, 1, 2)), **close):
        return
    known = [
        ((0,), {}, "Your function takes a mean and a variance for every pixel position separately.",
         "In a convnet one channel shares its statistics over the batch and all positions: axes (0, 1, 2)."),
        ((0, 1, 2, 3), {}, "Your function mixes the channels: one mean and variance for the whole batch.",
         "Each channel has its own statistics (and its own gamma and beta): average over axes (0, 1, 2) only."),
        ((0, 1, 2), {"ddof": 1}, "Your function uses the sample variance (divided by n - 1).",
         "Batch normalization, like Keras, divides by n: x.var(axis=(0, 1, 2)) with numpy's default ddof=0."),
        ((0, 1, 2), {"epsilon": 0.0}, "Your function leaves out epsilon.",
         "Divide by sqrt(variance + epsilon), epsilon = 1e-3 as in Keras: a channel that is constant in the "
         "batch would otherwise divide by zero."),
    ]
    for axes, options, message, hint in known:
        if np.allclose(result, _normalized(x, gamma, beta, axes, **options), **close):
            raise Mistake(message, hint)
    if np.allclose(result, _normalized(x, 1.0, 0.0, (0, 1, 2)), **close):
        raise Mistake("Your function normalizes, but ignores gamma and beta.", "Return gamma * x_hat + beta.")
    if np.allclose(result, _normalized(x, beta, gamma, (0, 1, 2)), **close):
        raise Mistake("Your function swaps gamma and beta.", "gamma scales x_hat, beta is added: gamma * x_hat + beta.")
    if np.allclose(result, gamma * (x - x.mean(axis=(0, 1, 2))) / (x.std(axis=(0, 1, 2)) + EPSILON) + beta, **close):
        raise Mistake("Your function adds epsilon to the standard deviation.",
                      "Keras adds it to the variance, under the square root: sqrt(variance + epsilon).")
    raise Mistake("Your result differs from batch normalization in training mode.",
                  "mean and variance over axes (0, 1, 2), then gamma * (x - mean) / sqrt(variance + 1e-3) + beta.")


@exercise("Exercise 8.1: batch normalization of a convnet's batch, in numpy", check=_check_batch_norm,
          answer="function")
def batch_norm():
    # One mean and one variance per channel, over the batch and every position (axes 0, 1, 2).
    def my_batch_norm(x, gamma, beta):
        mean = x.mean(axis=(0, 1, 2))
        variance = x.var(axis=(0, 1, 2))
        x_hat = (x - mean) / np.sqrt(variance + 1e-3)
        return gamma * x_hat + beta

    return my_batch_norm


def _check_dropout(answer) -> None:
    function = expect_function(answer, "Your answer", "def my_channel_dropout(x, rate, rng)")
    x = np.random.default_rng(9).uniform(1.0, 2.0, size=(100, 3, 3, 500))
    rate = 0.2
    result = expect_array(call_student(function, x.copy(), rate, np.random.default_rng(0), returns="the masked maps"),
                          "The result of your function")
    if result.shape != x.shape:
        raise Mistake(f"For feature maps of shape {x.shape} your function returns shape {result.shape}.",
                      "Dropout keeps the shape: it sets some values to 0 and scales the others.")
    if np.allclose(result, x):
        raise Mistake("Your function returns its input unchanged: nothing is dropped.",
                      "In training, each channel of each image is set to 0 with probability rate.")
    dropped = np.isclose(result, 0)
    kept = result[~dropped] / x[~dropped]
    if not np.all(np.isclose(kept, kept.flat[0])):
        raise Mistake("The values your function keeps are not all multiplied by the same number.",
                      "Keep x where the mask is 1, set it to 0 elsewhere, and divide the whole result by 1 - rate.")
    whole_maps = dropped.all(axis=(1, 2)) | ~dropped.any(axis=(1, 2))
    if not whole_maps.all():
        across = dropped.all(axis=-1) | ~dropped.any(axis=-1)
        if across.all():
            raise Mistake("Your function drops pixel positions across all channels, not channels.",
                          "One draw per image and channel: a mask of shape (n, 1, 1, channels).")
        raise Mistake("Your function drops single values, not whole channels.",
                      "One draw per image and channel: a mask of shape (n, 1, 1, channels), broadcast over "
                      "height and width.")
    per_map = dropped[:, 0, 0, :]
    if per_map.any() and np.all(per_map == per_map[:1]):
        raise Mistake("Your function drops the same channels in every image of the batch.",
                      "Each image gets its own draw: a mask of shape (n, 1, 1, channels), not (1, 1, 1, channels).")
    share = per_map.mean()  # 50,000 draws: within 0.01 of the probability, over 5 standard deviations
    if abs(share - (1 - rate)) < 0.01:
        raise Mistake("Your function drops each channel with probability 1 - rate: it keeps too few.",
                      "rng.random(...) >= rate keeps a channel with probability 1 - rate.")
    if abs(share - rate) >= 0.01:
        raise Mistake(f"Your function should drop about {rate:.0%} of the channels with rate={rate}; it drops "
                      f"{'more' if share > rate else 'fewer'}.", "Draw one uniform number per image and channel: "
                      "rng.random((n, 1, 1, channels)) >= rate is the mask of the channels kept.")
    scale = float(kept.flat[0])
    if np.isclose(scale, 1):
        raise Mistake("Your function drops channels but does not scale the others.",
                      "Inverted dropout divides what it keeps by 1 - rate, so that the mean stays the same and "
                      "nothing needs to change at inference.")
    if np.isclose(scale, 1 - rate):
        raise Mistake("Your function multiplies what it keeps by 1 - rate: the mean shrinks.",
                      "Divide by 1 - rate instead: the kept values must make up for the dropped ones.")
    if not np.isclose(scale, 1 / (1 - rate)):
        raise Mistake(f"Your function scales what it keeps by {scale:.3g}, not by 1 / (1 - rate).",
                      "The expected value of the result must be x: keep with probability 1 - rate, divide by 1 - rate.")


@exercise("Exercise 8.2: dropout of whole channels in numpy", check=_check_dropout, answer="function")
def dropout():
    # One draw per image and channel, broadcast over height and width; divide what is kept by 1 - rate.
    def my_channel_dropout(x, rate, rng):
        n, _, _, channels = x.shape
        keep = rng.random((n, 1, 1, channels)) >= rate
        return np.where(keep, x / (1 - rate), 0.0)

    return my_channel_dropout
