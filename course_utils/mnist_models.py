"""The MNIST models of lesson 04, written with the Keras functional API (the MLP and the convnet as
Ollion and Grisel's lecture writes them).

- ``mlp``: Flatten - Dense(256, relu) - Dense(10, softmax): 203,530 parameters.
- ``convnet``: Conv2D(32, 5, same) - MaxPool(2) - Conv2D(64, 3, same) - MaxPool(2) - Flatten
  - Dense(256) - Dense(10): 824,970 parameters.

The output layer is float32 even under mixed precision, so the softmax stays accurate on a GPU.

Example:
    >>> mlp().count_params(), convnet().count_params()
    (203530, 824970)
"""

from __future__ import annotations

from course_utils.validation import model_arguments

MNIST_SHAPE = (28, 28, 1)


def mlp(input_shape=MNIST_SHAPE, num_classes: int = 10):
    """The lecture's dense network: every pixel connected to each of 256 hidden units.

    Shown in lesson 04: the lesson writes this model out in a cell and checks it against this builder.
    """
    import keras
    from keras import layers

    input_shape, num_classes = model_arguments(input_shape, num_classes)
    inputs = keras.Input(input_shape, name="image")
    x = layers.Flatten(name="flatten")(inputs)
    x = layers.Dense(256, activation="relu", name="hidden")(x)
    outputs = layers.Dense(num_classes, activation="softmax", dtype="float32", name="predictions")(x)
    return keras.Model(inputs, outputs, name="mlp")


def convnet(input_shape=MNIST_SHAPE, num_classes: int = 10):
    """The lecture's convolutional network: two conv + max-pool stages, then the same dense head.

    Shown in lesson 04: the lesson writes this model out in a cell and checks it against this builder.
    """
    import keras
    from keras import layers

    input_shape, num_classes = model_arguments(input_shape, num_classes, min_side=4, builder="convnet")
    inputs = keras.Input(input_shape, name="image")
    x = layers.Conv2D(32, 5, padding="same", activation="relu", name="conv1")(inputs)
    x = layers.MaxPooling2D(2, strides=2, name="pool1")(x)
    x = layers.Conv2D(64, 3, padding="same", activation="relu", name="conv2")(x)
    x = layers.MaxPooling2D(2, strides=2, name="pool2")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(256, activation="relu", name="hidden")(x)
    outputs = layers.Dense(num_classes, activation="softmax", dtype="float32", name="predictions")(x)
    return keras.Model(inputs, outputs, name="convnet")
