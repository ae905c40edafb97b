"""Exercises of lesson 06, filter and feature visualization: a shape, one ascent step, a saliency map.

>>> from course_utils.exercises import lesson06 as ex
>>> ex.feature_map_shape.check((16, 24, 64)).passed
True
"""

from __future__ import annotations

import numpy as np

from course_utils.exercises import (Mistake, call_student, exercise, expect_array, expect_function, expect_shape,
                                    fixed_seed)


def _check_feature_map_shape(answer) -> None:
    shape = expect_shape(answer, "Your shape")
    if shape == (16, 24, 64):
        return
    known = {
        (64, 96, 64): ("That is the size before any pooling.", "pool1 and pool2 each halve the height and width."),
        (32, 48, 64): ("That counts one pooling layer.", "There are two: pool1 and pool2."),
        (16, 24, 1): ("The height and width are right, the channels are not.",
                      "The output has one channel per filter of conv2."),
        (16, 24, 32): ("The height and width are right, the channels are not.",
                       "32 is conv1's filter count; pool2 follows conv2."),
    }
    message, hint = known.get(shape, (f"{shape} is not the shape.",
                                      "'same' convolutions keep the size, each 2x2 pooling halves it."))
    raise Mistake(message, hint)


@exercise("Exercise 6.1: the feature maps of a photograph", check=_check_feature_map_shape, answer="shape")
def feature_map_shape():
    # 'same' convolutions keep 64x96; pool1 and pool2 each halve it; conv2 has 64 filters.
    shape = (64 // 2 // 2, 96 // 2 // 2, 64)
    return shape


def _check_ascent_step(answer) -> None:
    function = expect_function(answer, "Your answer", "def ascent_step(image, gradient, step_size)")
    rng = np.random.default_rng(6)
    image, gradient = rng.random((28, 28, 1)), 0.01 * rng.normal(size=(28, 28, 1))
    result = call_student(function, image.copy(), gradient.copy(), 0.1, returns="the new image")
    result = expect_array(result, "The image your function returns")
    rms = np.sqrt(np.mean(gradient ** 2))
    if result.shape != image.shape:
        raise Mistake(f"The new image should have the image's shape {image.shape}, yours has {result.shape}.")
    if np.allclose(result, image + 0.1 * gradient / rms):
        return
    if np.allclose(result, image - 0.1 * gradient / rms):
        raise Mistake("Your step goes down the gradient: that is descent.", "Ascent adds the gradient.")
    if np.allclose(result, image + 0.1 * gradient):
        raise Mistake("Your step is not normalised: its size depends on the gradient's scale.",
                      "Divide the gradient by its root-mean-square, np.sqrt(np.mean(gradient ** 2)).")
    raise Mistake("Your new image differs from image + step_size * gradient / RMS(gradient).",
                  "RMS(gradient) = np.sqrt(np.mean(gradient ** 2)).")


@exercise("Exercise 6.2: one step of gradient ascent", check=_check_ascent_step, answer="function")
def ascent_step():
    # Move up the gradient; dividing by its RMS makes every step the same size.
    def ascent_step(image, gradient, step_size):
        return image + step_size * gradient / np.sqrt(np.mean(gradient ** 2))

    return ascent_step


SALIENCY_CLASS = 2


def _small_classifier():
    """A tiny colour-image classifier with fixed weights: 6x6x3 -> Conv2D(4) -> Flatten -> Dense(5, softmax)."""
    import keras

    from keras import layers

    with fixed_seed(6):
        inputs = keras.Input((6, 6, 3), name="image")
        x = layers.Conv2D(4, 3, activation="relu", dtype="float32", name="conv")(inputs)
        x = layers.Flatten(dtype="float32", name="flatten")(x)
        outputs = layers.Dense(5, activation="softmax", dtype="float32", name="predictions")(x)
        model = keras.Model(inputs, outputs, name="small_classifier")
    rng = np.random.default_rng(6)
    model.set_weights([rng.normal(scale=0.5, size=w.shape).astype("float32") for w in model.get_weights()])
    return model, rng.random((6, 6, 3)).astype("float32")


def _check_saliency(answer) -> None:
    from course_utils.visualization import class_scores, saliency_map, value_and_gradient

    function = expect_function(answer, "Your answer", "def my_saliency(model, image, class_index)")
    model, image = _small_classifier()
    result = call_student(function, model, image.copy(), SALIENCY_CLASS, returns="the saliency map")
    result = expect_array(result, "The map your function returns")
    right = saliency_map(model, image, SALIENCY_CLASS)[0]
    if result.shape != right.shape:
        hint = ("Take the largest absolute value over the colour channels (axis=-1)." if result.shape == image.shape
                else "Return one value per pixel: shape (height, width).")
        raise Mistake(f"For a 6x6x3 image your map has shape {result.shape}, not {right.shape}.", hint)
    if np.allclose(result, right, rtol=1e-3, atol=1e-6):
        return
    scores = class_scores(model)
    _, of_score = value_and_gradient(lambda x: scores(x)[0, SALIENCY_CLASS], image[None])
    _, of_probability = value_and_gradient(lambda x: model(x)[0, SALIENCY_CLASS], image[None])
    known = [
        (np.abs(of_probability[0]).max(axis=-1), "That is the gradient of the probability, after the softmax.",
         "Use the score before the softmax: class_scores(model)(x)[0, class_index]."),
        (of_score[0].max(axis=-1), "Your map keeps the sign of the gradient.",
         "Take the absolute value first: a pixel matters as much when it lowers the score."),
        (np.abs(of_score[0]).mean(axis=-1), "Your map averages the channels.", "Take the largest over the channels."),
    ]
    for wrong, message, hint in known:
        if np.allclose(result, wrong, rtol=1e-3, atol=1e-6):
            raise Mistake(message, hint)
    raise Mistake("Your map differs from |d score / d pixel|, the largest over the channels.",
                  "value_and_gradient(lambda x: class_scores(model)(x)[0, class_index], image[None]), then "
                  "np.abs(gradient[0]).max(axis=-1).")


@exercise("Exercise 6.3: a saliency map from a gradient", check=_check_saliency, answer="function")
def saliency():
    from course_utils.visualization import class_scores, value_and_gradient

    def my_saliency(model, image, class_index):
        scores = class_scores(model)  # the class scores before the softmax
        _, gradient = value_and_gradient(lambda x: scores(x)[0, class_index], image[None])
        return np.abs(gradient[0]).max(axis=-1)

    return my_saliency
