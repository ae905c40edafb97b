"""The classic ImageNet architectures of lesson 05, and small versions of them for MNIST.

Full size (input shape and number of classes are arguments; never trained in the course):

- ``alexnet``: the single-stream AlexNet of Ollion and Grisel's lecture (227x227x3; conv1 96 11x11
  stride 4 -> 55x55x96).
- ``vgg16``: VGG16 exactly as ``keras.applications.VGG16`` builds it (same layer names).
- ``googlenet``: GoogLeNet (Szegedy et al. 2014): nine Inception modules, without the
  auxiliary classifiers and local response normalization.
- ``resnet50``: ResNet50 exactly as ``keras.applications.ResNet50`` builds it (same layer names).

The building blocks: ``inception_module``, ``basic_block`` (two 3x3 convolutions, ResNet18/34)
and ``bottleneck_block`` (1x1 - 3x3 - 1x1, ResNet50 and deeper).  ``deep_cnn`` is lesson 05's
deep stack without batch normalization, plain or residual, in which the signal fades or does not.

For 28x28x1 digits: ``lenet5``, LeCun et al. (1998) in its usual modern simplification (every C3
map sees all six S2 maps, plain average pooling, a softmax output; 'same' padding on the first layer
so a 28x28 digit plays the part of LeNet's 32x32 input: 61,706 parameters), and small versions of
the others: ``small_alexnet``, ``small_vgg``, ``small_googlenet``, ``small_resnet``.

Example:
    >>> alexnet().count_params(), vgg16().count_params()
    (62378344, 138357544)
"""

from __future__ import annotations

from course_utils.mnist_models import MNIST_SHAPE
from course_utils.validation import flag, keras_image_tensor, model_arguments, positive_int, real

IMAGENET_SHAPE = (224, 224, 3)
ALEXNET_SHAPE = (227, 227, 3)
BN_EPSILON = 1.001e-5  # keras.applications' ResNet value
# GoogLeNet's Inception modules (Szegedy et al. 2014, table 1): #1x1, #3x3 reduce, #3x3,
# #5x5 reduce, #5x5, pool proj; None marks a max pooling 3x3 stride 2 between stages.
GOOGLENET_MODULES = {
    "3a": (64, 96, 128, 16, 32, 32), "3b": (128, 128, 192, 32, 96, 64), "pool3": None,
    "4a": (192, 96, 208, 16, 48, 64), "4b": (160, 112, 224, 24, 64, 64), "4c": (128, 128, 256, 24, 64, 64),
    "4d": (112, 144, 288, 32, 64, 64), "4e": (256, 160, 320, 32, 128, 128), "pool4": None,
    "5a": (256, 160, 320, 32, 128, 128), "5b": (384, 192, 384, 48, 128, 128),
}


def _classifier(x, num_classes: int):
    """The softmax output layer, float32 even under mixed precision."""
    from keras import layers

    return layers.Dense(num_classes, activation="softmax", dtype="float32", name="predictions")(x)


def alexnet(input_shape=ALEXNET_SHAPE, num_classes: int = 1000, *, dropout: float = 0.5):
    """AlexNet as Ollion and Grisel's lecture tabulates it: one stream instead of the paper's two GPUs, no LRN.

    CONV1 96 11x11 stride 4 pad 0, POOL 3x3/2, CONV2 256 5x5 pad 2, POOL, CONV3-4 384 3x3,
    CONV5 256 3x3, POOL, FC6 and FC7 4096 with dropout, FC8 softmax.

    >>> [tuple(alexnet().get_layer(n).output.shape[1:]) for n in ("conv1", "pool3", "fc8")]
    [(55, 55, 96), (6, 6, 256), (1000,)]
    """
    import keras
    from keras import layers

    input_shape, num_classes = model_arguments(input_shape, num_classes, min_side=67, builder="alexnet")
    dropout = real(dropout, "dropout", low=0, high=1, high_open=True)
    inputs = keras.Input(input_shape, name="image")
    x = layers.Conv2D(96, 11, strides=4, activation="relu", name="conv1")(inputs)
    x = layers.MaxPooling2D(3, strides=2, name="pool1")(x)
    x = layers.Conv2D(256, 5, padding="same", activation="relu", name="conv2")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool2")(x)
    for name, filters in (("conv3", 384), ("conv4", 384), ("conv5", 256)):
        x = layers.Conv2D(filters, 3, padding="same", activation="relu", name=name)(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool3")(x)
    x = layers.Flatten(name="flatten")(x)
    for name in ("fc6", "fc7"):
        x = layers.Dense(4096, activation="relu", name=name)(x)
        x = layers.Dropout(dropout, name=f"{name}_dropout")(x)
    outputs = layers.Dense(num_classes, activation="softmax", dtype="float32", name="fc8")(x)
    return keras.Model(inputs, outputs, name="alexnet")


def vgg16(input_shape=IMAGENET_SHAPE, num_classes: int = 1000):
    """VGG16 (configuration D): five blocks of 3x3 'same' convolutions and 2x2 max pooling, then
    fc1, fc2 (4096) and predictions, with ``keras.applications.VGG16``'s layer names (and, like it,
    without the paper's dropout).
    """
    import keras
    from keras import layers

    input_shape, num_classes = model_arguments(input_shape, num_classes, min_side=32, builder="vgg16")
    inputs = keras.Input(input_shape, name="input_layer")
    x = inputs
    for block, (filters, convs) in enumerate([(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)], start=1):
        for conv in range(1, convs + 1):
            x = layers.Conv2D(filters, 3, padding="same", activation="relu", name=f"block{block}_conv{conv}")(x)
        x = layers.MaxPooling2D(2, strides=2, name=f"block{block}_pool")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(4096, activation="relu", name="fc1")(x)
    x = layers.Dense(4096, activation="relu", name="fc2")(x)
    return keras.Model(inputs, _classifier(x, num_classes), name="vgg16")


def inception_module(x, filters_1x1: int, reduce_3x3: int | None, filters_3x3: int,
                     reduce_5x5: int | None, filters_5x5: int, pool_proj: int | None, *, name: str):
    """Four parallel branches concatenated along the channels: 1x1; 1x1 -> 3x3; 1x1 -> 5x5;
    3x3 max pooling -> 1x1.  ``None`` for a reduction leaves its 1x1 convolution out (the
    "naive" module, whose cost the 1x1 reductions cut down).

    Shown in lesson 05: the lesson writes module 3a out layer by layer and checks it against this builder.

    >>> import keras
    >>> x = keras.Input((28, 28, 192))
    >>> tuple(inception_module(x, 64, 96, 128, 16, 32, 32, name="3a").shape)
    (None, 28, 28, 256)
    """
    from keras import layers

    keras_image_tensor(x)

    def conv(tensor, filters, argument, size, label):
        filters = positive_int(filters, argument)
        return layers.Conv2D(filters, size, padding="same", activation="relu", name=f"{name}_{label}")(tensor)

    def reduced(filters, argument):
        return x if filters is None else conv(x, filters, argument, 1, f"{argument[-3:]}_reduce")

    branch1 = conv(x, filters_1x1, "filters_1x1", 1, "1x1")
    branch3 = conv(reduced(reduce_3x3, "reduce_3x3"), filters_3x3, "filters_3x3", 3, "3x3")
    branch5 = conv(reduced(reduce_5x5, "reduce_5x5"), filters_5x5, "filters_5x5", 5, "5x5")
    pooled = layers.MaxPooling2D(3, strides=1, padding="same", name=f"{name}_pool")(x)
    branch_pool = pooled if pool_proj is None else conv(pooled, pool_proj, "pool_proj", 1, "pool_proj")
    return layers.Concatenate(name=f"{name}_concat")([branch1, branch3, branch5, branch_pool])


def googlenet(input_shape=IMAGENET_SHAPE, num_classes: int = 1000):
    """GoogLeNet (Inception v1) without its two auxiliary classifiers and without LRN.

    >>> tuple(googlenet().get_layer("5b_concat").output.shape[1:])
    (7, 7, 1024)
    """
    import keras
    from keras import layers

    input_shape, num_classes = model_arguments(input_shape, num_classes)
    inputs = keras.Input(input_shape, name="image")
    x = layers.Conv2D(64, 7, strides=2, padding="same", activation="relu", name="conv1")(inputs)
    x = layers.MaxPooling2D(3, strides=2, padding="same", name="pool1")(x)
    x = layers.Conv2D(64, 1, activation="relu", name="conv2_reduce")(x)
    x = layers.Conv2D(192, 3, padding="same", activation="relu", name="conv2")(x)
    x = layers.MaxPooling2D(3, strides=2, padding="same", name="pool2")(x)
    for name, filters in GOOGLENET_MODULES.items():
        if filters is None:
            x = layers.MaxPooling2D(3, strides=2, padding="same", name=name)(x)
        else:
            x = inception_module(x, *filters, name=name)
    x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    x = layers.Dropout(0.4, name="dropout")(x)
    return keras.Model(inputs, _classifier(x, num_classes), name="googlenet")


def _conv_bn(x, filters: int, size: int, *, strides: int = 1, name: str, relu: bool = True,
             bn_momentum: float = 0.99):
    """Conv2D -> BatchNormalization (-> ReLU), named ``{name}_conv``, ``{name}_bn``, ``{name}_relu``."""
    from keras import layers

    x = layers.Conv2D(filters, size, strides=strides, padding="same", name=f"{name}_conv")(x)
    x = layers.BatchNormalization(momentum=bn_momentum, epsilon=BN_EPSILON, name=f"{name}_bn")(x)
    return layers.Activation("relu", name=f"{name}_relu")(x) if relu else x


def _shortcut(x, channels: int, strides: int, name: str, bn_momentum: float):
    """Identity when the shapes match; else a 1x1 projection (with batch norm) to the new shape."""
    if strides == 1 and x.shape[-1] == channels:
        return x
    return _conv_bn(x, channels, 1, strides=strides, name=f"{name}_0", relu=False, bn_momentum=bn_momentum)


def basic_block(x, filters: int, *, strides: int = 1, name: str, bn_momentum: float = 0.99):
    """ResNet's basic block: relu(F(x) + x) with F = 3x3 conv-BN-ReLU, 3x3 conv-BN.

    ``bn_momentum`` is the batch norms' running-average momentum (Keras's default 0.99; a short
    training needs a smaller one before the running statistics can serve at inference).
    Shown in lesson 05: the lesson writes the identity-shortcut block out, layer by layer, first.

    >>> import keras
    >>> tuple(basic_block(keras.Input((8, 8, 16)), 32, strides=2, name="b").shape)
    (None, 4, 4, 32)
    """
    from keras import layers

    keras_image_tensor(x)
    filters, strides = positive_int(filters, "filters"), positive_int(strides, "strides")
    real(bn_momentum, "bn_momentum", low=0, high=1)
    shortcut = _shortcut(x, filters, strides, name, bn_momentum)
    x = _conv_bn(x, filters, 3, strides=strides, name=f"{name}_1", bn_momentum=bn_momentum)
    x = _conv_bn(x, filters, 3, name=f"{name}_2", relu=False, bn_momentum=bn_momentum)
    x = layers.Add(name=f"{name}_add")([shortcut, x])
    return layers.Activation("relu", name=f"{name}_out")(x)


def bottleneck_block(x, filters: int, *, strides: int = 1, name: str):
    """ResNet's bottleneck block: 1x1 (``filters``) - 3x3 (``filters``) - 1x1 (``4 * filters``), plus
    the shortcut; the stride sits on the first 1x1, as in ``keras.applications.ResNet50``.

    >>> import keras
    >>> tuple(bottleneck_block(keras.Input((56, 56, 64)), 64, name="b").shape)
    (None, 56, 56, 256)
    """
    from keras import layers

    keras_image_tensor(x)
    filters, strides = positive_int(filters, "filters"), positive_int(strides, "strides")
    shortcut = _shortcut(x, 4 * filters, strides, name, 0.99)
    x = _conv_bn(x, filters, 1, strides=strides, name=f"{name}_1")
    x = _conv_bn(x, filters, 3, name=f"{name}_2")
    x = _conv_bn(x, 4 * filters, 1, name=f"{name}_3", relu=False)
    x = layers.Add(name=f"{name}_add")([shortcut, x])
    return layers.Activation("relu", name=f"{name}_out")(x)


def resnet50(input_shape=IMAGENET_SHAPE, num_classes: int = 1000):
    """ResNet50 (He et al. 2016): a 7x7/2 stem, then 3, 4, 6 and 3 bottleneck blocks, global average
    pooling and the classifier, with ``keras.applications.ResNet50``'s layer names.
    """
    import keras
    from keras import layers

    input_shape, num_classes = model_arguments(input_shape, num_classes)
    inputs = keras.Input(input_shape, name="input_layer")
    x = layers.ZeroPadding2D(3, name="conv1_pad")(inputs)
    x = layers.Conv2D(64, 7, strides=2, name="conv1_conv")(x)
    x = layers.BatchNormalization(epsilon=BN_EPSILON, name="conv1_bn")(x)
    x = layers.Activation("relu", name="conv1_relu")(x)
    x = layers.ZeroPadding2D(1, name="pool1_pad")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1_pool")(x)
    for stage, (filters, blocks) in enumerate([(64, 3), (128, 4), (256, 6), (512, 3)], start=2):
        for block in range(1, blocks + 1):
            strides = 2 if block == 1 and stage > 2 else 1
            x = bottleneck_block(x, filters, strides=strides, name=f"conv{stage}_block{block}")
    x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    return keras.Model(inputs, _classifier(x, num_classes), name="resnet50")


def deep_cnn(depth: int, *, residual: bool, width: int = 16, initializer: str = "glorot_uniform",
             batch_norm: bool = False, input_shape=MNIST_SHAPE, num_classes: int = 10):
    """Lesson 05's deep stack: a stem, ``depth`` 3x3 convolutions of ``width`` channels on a 7x7
    grid, global average pooling and the classifier.  No batch normalization: with the default
    ``initializer`` (Glorot) the plain stack's signal fades layer after layer and it hardly trains;
    ``initializer="he_normal"`` keeps the signal; with ``residual=True`` every pair of convolutions
    gets an identity shortcut, relu(F(x) + x), and nothing else changes (same layers, same parameters).
    ``batch_norm=True`` (lesson 08) puts a ``BatchNormalization`` (momentum 0.9, so a few hundred steps
    settle its moving averages) after each of those convolutions, before its ReLU or the addition; the
    convolutions then drop their bias, which the normalization's beta replaces.

    >>> plain, res = deep_cnn(8, residual=False), deep_cnn(8, residual=True)
    >>> plain.count_params() == res.count_params()
    True
    >>> deep_cnn(8, residual=False, batch_norm=True).count_params() - plain.count_params()  # 8 x (4 - 1) x 16
    384
    """
    import keras
    from keras import layers

    input_shape, num_classes = model_arguments(input_shape, num_classes, min_side=3, builder="deep_cnn")
    depth, width = positive_int(depth, "depth"), positive_int(width, "width")
    if depth % 2:
        raise ValueError(f"depth must be even (the convolutions come in pairs), got {depth}.")
    residual, batch_norm = flag(residual, "residual"), flag(batch_norm, "batch_norm")
    try:
        keras.initializers.get(initializer)
    except (ValueError, TypeError):
        raise ValueError(f"initializer must name a Keras initializer, such as 'glorot_uniform' or 'he_normal'; "
                         f"got {initializer!r}.") from None
    inputs = keras.Input(input_shape, name="image")
    x = layers.Conv2D(width, 3, strides=2, padding="same", activation="relu", name="stem")(inputs)
    x = layers.MaxPooling2D(2, name="stem_pool")(x)
    def conv(tensor, name, relu):
        y = layers.Conv2D(width, 3, padding="same", activation="relu" if relu and not batch_norm else None,
                          use_bias=not batch_norm, kernel_initializer=initializer, name=name)(tensor)
        if not batch_norm:
            return y
        y = layers.BatchNormalization(momentum=0.9, name=f"{name}_bn")(y)
        return layers.Activation("relu", name=f"{name}_relu")(y) if relu else y

    for pair in range(1, depth // 2 + 1):
        y = conv(conv(x, f"pair{pair}_conv1", relu=True), f"pair{pair}_conv2", relu=False)
        if residual:
            y = layers.Add(name=f"pair{pair}_add")([x, y])
        x = layers.Activation("relu", name=f"pair{pair}_relu")(y)
    x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    return keras.Model(inputs, _classifier(x, num_classes), name=f"{'residual' if residual else 'plain'}{depth}")


def lenet5(input_shape=MNIST_SHAPE, num_classes: int = 10):
    """LeNet-5 (LeCun et al. 1998): tanh units and average pooling ("subsampling"), C1-S2-C3-S4-C5-F6.

    The usual modern simplification: the paper connects each C3 map to only some of the S2 maps,
    gives each subsampling map a trainable coefficient and bias, and ends with RBF units (distances to
    fixed codes); here C3 is a full convolution, S2/S4 plain average pooling, the output a softmax.
    """
    import keras
    from keras import layers

    input_shape, num_classes = model_arguments(input_shape, num_classes, min_side=12, builder="lenet5")
    inputs = keras.Input(input_shape, name="image")
    x = layers.Conv2D(6, 5, padding="same", activation="tanh", name="C1")(inputs)
    x = layers.AveragePooling2D(2, name="S2")(x)
    x = layers.Conv2D(16, 5, activation="tanh", name="C3")(x)
    x = layers.AveragePooling2D(2, name="S4")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(120, activation="tanh", name="C5")(x)
    x = layers.Dense(84, activation="tanh", name="F6")(x)
    outputs = layers.Dense(num_classes, activation="softmax", dtype="float32", name="predictions")(x)
    return keras.Model(inputs, outputs, name="lenet5")


def small_alexnet(input_shape=MNIST_SHAPE, num_classes: int = 10):
    """AlexNet's pattern at MNIST size: a large first kernel, overlapping 3x3/2 max pooling, three
    stacked 3x3 convolutions, two dropout-regularized dense layers."""
    import keras
    from keras import layers

    input_shape, num_classes = model_arguments(input_shape, num_classes, min_side=15, builder="small_alexnet")
    inputs = keras.Input(input_shape, name="image")
    x = layers.Conv2D(24, 5, padding="same", activation="relu", name="conv1")(inputs)
    x = layers.MaxPooling2D(3, strides=2, name="pool1")(x)
    x = layers.Conv2D(48, 3, padding="same", activation="relu", name="conv2")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool2")(x)
    for name, filters in (("conv3", 64), ("conv4", 64), ("conv5", 48)):
        x = layers.Conv2D(filters, 3, padding="same", activation="relu", name=name)(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool3")(x)
    x = layers.Flatten(name="flatten")(x)
    for name in ("fc6", "fc7"):
        x = layers.Dense(256, activation="relu", name=name)(x)
        x = layers.Dropout(0.5, name=f"{name}_dropout")(x)
    return keras.Model(inputs, _classifier(x, num_classes), name="small_alexnet")


def small_vgg(input_shape=MNIST_SHAPE, num_classes: int = 10):
    """VGG's pattern at MNIST size: two blocks of two 3x3 convolutions and 2x2 max pooling, a dense head.

    Shown in lesson 05: the lesson writes it out as a ``keras.Sequential`` model and trains that one.
    """
    import keras
    from keras import layers

    input_shape, num_classes = model_arguments(input_shape, num_classes, min_side=4, builder="small_vgg")
    inputs = keras.Input(input_shape, name="image")
    x = inputs
    for block, filters in enumerate((16, 32), start=1):
        for conv in (1, 2):
            x = layers.Conv2D(filters, 3, padding="same", activation="relu", name=f"block{block}_conv{conv}")(x)
        x = layers.MaxPooling2D(2, name=f"block{block}_pool")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(128, activation="relu", name="fc1")(x)
    return keras.Model(inputs, _classifier(x, num_classes), name="small_vgg")


def small_googlenet(input_shape=MNIST_SHAPE, num_classes: int = 10):
    """GoogLeNet's pattern at MNIST size: a stem, three Inception modules, global average pooling."""
    import keras
    from keras import layers

    input_shape, num_classes = model_arguments(input_shape, num_classes, min_side=4, builder="small_googlenet")
    inputs = keras.Input(input_shape, name="image")
    x = layers.Conv2D(32, 3, padding="same", activation="relu", name="stem")(inputs)
    x = layers.MaxPooling2D(2, name="stem_pool")(x)
    x = inception_module(x, 16, 16, 24, 4, 8, 8, name="a")
    x = inception_module(x, 24, 24, 32, 4, 8, 8, name="b")
    x = layers.MaxPooling2D(2, name="pool_b")(x)
    x = inception_module(x, 32, 24, 48, 8, 16, 16, name="c")
    x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    return keras.Model(inputs, _classifier(x, num_classes), name="small_googlenet")


def small_resnet(input_shape=MNIST_SHAPE, num_classes: int = 10):
    """ResNet's pattern at MNIST size: a conv-BN-ReLU stem and 2x2 max pooling, three basic blocks
    (the last two halve the grid and double the channels), global average pooling.  Batch norm
    momentum 0.9, so that a few hundred training steps are enough for its running statistics."""
    import keras
    from keras import layers

    input_shape, num_classes = model_arguments(input_shape, num_classes, min_side=2, builder="small_resnet")
    inputs = keras.Input(input_shape, name="image")
    x = _conv_bn(inputs, 16, 3, name="stem", bn_momentum=0.9)
    x = layers.MaxPooling2D(2, name="stem_pool")(x)
    for stage, (filters, strides) in enumerate([(16, 1), (32, 2), (64, 2)], start=1):
        x = basic_block(x, filters, strides=strides, name=f"stage{stage}", bn_momentum=0.9)
    x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    return keras.Model(inputs, _classifier(x, num_classes), name="small_resnet")
