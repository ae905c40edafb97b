"""Every public helper of course_utils, given what a careless student gives it: wrong types, empty and
extreme values, a profile's name for a Profile, a layer without feature maps, a broken weights file.

Each row is (helper, input, expected exception, message regex): the helper must raise a ValueError
or TypeError that names the argument, says what was given and what is allowed, before Keras or
numpy fail in their own words.  Probes that need files or folders get them from fixtures.
"""

from __future__ import annotations

import numpy as np
import pytest

from course_utils import architectures as arch
from course_utils import arithmetic as ar
from course_utils import canvases
from course_utils import convolution as conv
from course_utils import data, environment, explorer, layer_table, mnist_models, padding, plotting, pretrained
from course_utils import evaluation, training, transfer, visualization as vis


@pytest.fixture(scope="module")
def convnet():
    return mnist_models.convnet()


@pytest.fixture(scope="module")
def mlp():
    return mnist_models.mlp()


def _sequential_without_input():
    import keras

    return keras.Sequential([keras.layers.Dense(3)])


def _dense_layer():
    import keras

    return keras.layers.Dense(3)


def _flip_model():
    import keras

    return keras.Sequential([keras.layers.RandomFlip()])


def _input(shape):
    import keras

    return keras.Input(shape)


X = np.zeros((4, 28, 28, 1), np.float32)
Y = np.zeros(4, np.int64)
DIGIT = np.zeros((28, 28, 1), np.float32)

# (helper, input, callable taking the fixtures (convnet, mlp), exception, message regex)
PROBES = [
    # arithmetic
    ("conv2d_params", "kernel_size=3.0", lambda c, m: ar.conv2d_params(3.0, 3, 64), ValueError, "kernel_size must be a positive int, got 3.0"),
    ("conv2d_params", "kernel_size=(3, 3, 3)", lambda c, m: ar.conv2d_params((3, 3, 3), 3, 64), ValueError, "kernel_size must be an int or a pair"),
    ("conv2d_params", "kernel_size=None", lambda c, m: ar.conv2d_params(None, 3, 64), ValueError, "kernel_size must be a positive int, got None"),
    ("dense_params", "n_inputs=5.5", lambda c, m: ar.dense_params(5.5, 2), ValueError, "n_inputs must be a positive int, got 5.5"),
    ("conv_output_size", "padding='SAME'", lambda c, m: ar.conv_output_size(16, 3, padding="SAME"), ValueError, "padding must be 'valid', 'same'.*got 'SAME'"),
    ("conv_output_size", "padding=None", lambda c, m: ar.conv_output_size(16, 3, padding=None), ValueError, r"padding must be 'valid', 'same', a non-negative int or a \(before, after\) pair of them; got None\."),
    ("conv_output_size", "size=16.0", lambda c, m: ar.conv_output_size(16.0, 3), ValueError, "size must be a positive int, got 16.0"),
    ("conv_output_shape", "input_shape=16", lambda c, m: ar.conv_output_shape(16, 3), ValueError, r"input_shape must be \(height, width\); got 16"),
    ("conv_output_shape", "input_shape=(16, 16, 3)", lambda c, m: ar.conv_output_shape((16, 16, 3), 3), ValueError, r"input_shape must be \(height, width\)"),
    ("pool_output_shape", "strides=2.0", lambda c, m: ar.pool_output_shape((16, 16), 2, strides=2.0), ValueError, "stride must be a positive int, got 2.0"),
    ("pool_output_shape", "padding=1", lambda c, m: ar.pool_output_shape((16, 16), 2, padding=1), ValueError, "padding must be 'valid' or 'same'"),
    ("transposed_conv_output_size", "output_padding=-1", lambda c, m: ar.transposed_conv_output_size(4, 3, stride=2, output_padding=-1), ValueError, "output_padding must be a non-negative int"),
    ("receptive_field", "kernel_sizes=3", lambda c, m: ar.receptive_field(3), ValueError, "kernel_sizes must be a sequence of positive ints"),
    ("receptive_field", "kernel_sizes=[]", lambda c, m: ar.receptive_field([]), ValueError, "kernel_sizes must list at least one layer"),
    ("receptive_field", "kernel_sizes='33'", lambda c, m: ar.receptive_field("33"), ValueError, "kernel_sizes must be a sequence of positive ints.*'33'"),
    # convolution and padding
    ("conv2d", "image='image'", lambda c, m: conv.conv2d("image", np.ones((3, 3))), TypeError, "image must be an array of numbers, got a str"),
    ("conv2d", "a ragged image", lambda c, m: conv.conv2d([[1, 2], [3]], np.ones((1, 1))), TypeError, "image must be an array of numbers, got a list"),
    ("conv2d", "an object array", lambda c, m: conv.conv2d(np.ones((5, 5), dtype=object), np.ones((3, 3))), TypeError, "image must be an array of numbers, got an array of dtype object"),
    ("conv2d", "kernel=None", lambda c, m: conv.conv2d(np.ones((5, 5)), None), TypeError, "kernel must be an array of numbers, got a NoneType"),
    ("conv2d", "an empty image", lambda c, m: conv.conv2d(np.ones((0, 5)), np.ones((1, 1))), ValueError, r"image must not be empty; got shape \(0, 5\)"),
    ("conv2d", "stride=1.5", lambda c, m: conv.conv2d(np.ones((5, 5)), np.ones((3, 3)), stride=1.5), ValueError, "stride must be a positive int, got 1.5"),
    ("conv2d", "mode='mirror'", lambda c, m: conv.conv2d(np.ones((5, 5)), np.ones((3, 3)), mode="mirror"), ValueError, "mode must be one of zero, replicate"),
    ("conv2d", "a kernel larger than the image", lambda c, m: conv.conv2d(np.ones((5, 5)), np.ones((7, 7))), ValueError, "kernel of size 7x7 is larger than the 5x5 image"),
    ("flip_kernel", "kernel=3", lambda c, m: conv.flip_kernel(3), ValueError, "kernel must have at least 2 dimensions"),
    ("conv_as_matrix", "input_shape=6", lambda c, m: conv.conv_as_matrix(6, np.ones((3, 3))), ValueError, r"input_shape must be \(H, W\); got 6"),
    ("conv_as_matrix", "input_shape=(6.5, 6)", lambda c, m: conv.conv_as_matrix((6.5, 6), np.ones((3, 3))), ValueError, "input_shape must be a positive int, got 6.5"),
    ("conv_as_matrix", "input_shape=(1000, 1000)", lambda c, m: conv.conv_as_matrix((1000, 1000), np.ones((3, 3))), ValueError, "1,000,000 pixels.*keep to 4,096"),
    ("pad", "an empty image, mode 'wrap'", lambda c, m: padding.pad(np.ones((0, 3)), 1, mode="wrap"), ValueError, "image has no pixels to copy.*only mode 'zero'"),
    ("pad", "padding=10**9", lambda c, m: padding.pad(np.ones((3, 3)), 10 ** 9), ValueError, "would make an array of .* values; keep it under"),
    ("pad", "padding=1.5", lambda c, m: padding.pad(np.ones((3, 3)), 1.5), ValueError, "padding must be a non-negative int"),
    # data
    ("load_mnist", "profile=5", lambda c, m: data.load_mnist(5), TypeError, r"profile must be a Profile \(e.g. info.profile\), a profile's name \(ci, student, full\) or None; got 5"),
    ("load_mnist", "profile='fast'", lambda c, m: data.load_mnist("fast"), ValueError, "profile must be a Profile or one of the names ci, student, full; got 'fast'"),
    ("load_mnist", "subset='no'", lambda c, m: data.load_mnist(subset="no"), TypeError, "subset must be True or False, got 'no'"),
    ("as_network_input", "float images", lambda c, m: data.as_network_input(np.ones((2, 28, 28))), ValueError, "images must be uint8"),
    ("load_photo", "name='Camera'", lambda c, m: data.load_photo("Camera"), ValueError, "name must be one of astronaut.*got 'Camera'"),
    ("load_photo", "name=['camera']", lambda c, m: data.load_photo(["camera"]), ValueError, r"name must be one of .*got \['camera'\]"),
    ("load_photo", "max_side=True", lambda c, m: data.load_photo("camera", max_side=True), ValueError, "max_side must be a positive int or None, got True"),
    ("load_photo", "gray='yes'", lambda c, m: data.load_photo("camera", gray="yes"), TypeError, "gray must be True or False"),
    # environment
    ("setup", "seed=2**40", lambda c, m: environment.setup(seed=2 ** 40, verbose=False), ValueError, "seed must be an int from 0 to 4294967295"),
    ("setup", "verbose='no'", lambda c, m: environment.setup(seed=1, verbose="no"), TypeError, "verbose must be True or False"),
    ("current_seed", "COURSE_SEED='99999999999'", lambda c, m: environment.current_seed({"COURSE_SEED": "99999999999"}), ValueError, "COURSE_SEED='99999999999' is not a seed"),
    # training
    ("learning_rate_schedule", "peak='0.1'", lambda c, m: training.learning_rate_schedule(10, peak="0.1"), ValueError, "peak must be a learning rate between 0 and 1, got '0.1'"),
    ("learning_rate_schedule", "warmup_fraction=None", lambda c, m: training.learning_rate_schedule(10, warmup_fraction=None), TypeError, "warmup_fraction must be a real number, got None"),
    ("learning_rate_schedule", "warmup_fraction=nan", lambda c, m: training.learning_rate_schedule(10, warmup_fraction=float("nan")), ValueError, "warmup_fraction must be a number >= 0 and < 1, got nan"),
    ("fit_fast", "model='model'", lambda c, m: training.fit_fast("model", X, Y, epochs=1), TypeError, "model must be a keras.Model, got a str"),
    ("fit_fast", "a model without an Input", lambda c, m: training.fit_fast(_sequential_without_input(), X, Y, epochs=1), ValueError, "model 'sequential.*' has no input yet"),
    ("fit_fast", "32x32 images for a 28x28 model", lambda c, m: training.fit_fast(c, np.zeros((4, 32, 32, 1)), Y, epochs=1), ValueError, r"x_train must be a batch of shape \(n, 28, 28, 1\) for model 'convnet'"),
    ("fit_fast", "validation_data=(images,)", lambda c, m: training.fit_fast(c, X, Y, epochs=1, validation_data=(X,)), ValueError, r"validation_data must be a pair \(images, labels\), got a tuple of 1"),
    ("fit_fast", "seed=-3", lambda c, m: training.fit_fast(c, X, Y, epochs=1, seed=-3), ValueError, "seed must be an int from 0"),
    ("fit_fast", "verbose=True", lambda c, m: training.fit_fast(c, X, Y, epochs=1, verbose=True), ValueError, "verbose must be 0 .*, 1 .* or 2"),
    ("fit_fast", "text images", lambda c, m: training.fit_fast(c, "digits", Y, epochs=1), TypeError, "training images must be an array of numbers"),
    ("fit_fast", "augmentation=a Sequential model", lambda c, m: training.fit_fast(c, X, Y, epochs=1, augmentation=_flip_model()), TypeError, r"augmentation must be a Keras layer, such as keras.layers.Pipeline.*got Sequential \(a model"),
    ("augmented_batches", "augmentation=a function", lambda c, m: training.augmented_batches(X, Y, lambda x: x), TypeError, "augmentation must be a Keras layer, .*got function"),
    ("predicted_classes", "model='model'", lambda c, m: evaluation.predicted_classes("model", X), TypeError, r"model must be a keras.Model \(or anything with a predict method\), got 'model'"),
    ("predicted_classes", "32x32 images for a 28x28 model", lambda c, m: evaluation.predicted_classes(c, np.zeros((2, 32, 32, 1))), ValueError, r"images must be a batch of shape \(n, 28, 28, 1\)"),
    ("predicted_classes", "batch_size=0", lambda c, m: evaluation.predicted_classes(c, X, batch_size=0), ValueError, "batch_size must be a positive int, got 0"),
    ("predicted_classes", "no images", lambda c, m: evaluation.predicted_classes(c, np.zeros((0, 28, 28, 1))), ValueError, "images must be a non-empty batch"),
    ("shifted_accuracy", "shifts=5", lambda c, m: evaluation.shifted_accuracy(c, X, Y, shifts=5), ValueError, r"shifts must be a sequence of ints .* such as range\(5\); got 5"),
    # plotting
    ("show_images", "a batch array", lambda c, m: plotting.show_images(np.zeros((2, 5, 5)), ["a"], suptitle="s"), ValueError, "images and titles must have the same length; got 2 images and 1 titles"),
    ("show_images", "titles='a'", lambda c, m: plotting.show_images([np.zeros((5, 5))], "a", suptitle="s"), TypeError, "titles must be a list of str, one per image, got 'a'"),
    ("show_images", "a 1-D image", lambda c, m: plotting.show_images([np.zeros(5)], ["a"], suptitle="s"), ValueError, r"images\[0\] must be a grey image \(H, W\) or a colour image \(H, W, 3\); got shape \(5,\)"),
    ("show_images", "a 4-D image", lambda c, m: plotting.show_images([np.zeros((5, 5, 5, 5))], ["a"], suptitle="s"), ValueError, r"images\[0\] must be a grey image"),
    ("show_images", "ncols=0", lambda c, m: plotting.show_images([np.zeros((5, 5))], ["a"], suptitle="s", ncols=0), ValueError, "ncols must be a positive int, got 0"),
    ("show_images", "size=0", lambda c, m: plotting.show_images([np.zeros((5, 5))], ["a"], suptitle="s", size=0), ValueError, "size must be a number > 0, got 0"),
    ("show_images", "percentiles=(1,)", lambda c, m: plotting.show_images([np.zeros((5, 5))], ["a"], suptitle="s", percentiles=(1,)), ValueError, r"percentiles must be None or a pair \(low, high\)"),
    ("show_images", "percentiles=(99, 1)", lambda c, m: plotting.show_images([np.zeros((5, 5))], ["a"], suptitle="s", percentiles=(99, 1)), ValueError, "percentiles must be .*low < high"),
    ("show_images", "images=[]", lambda c, m: plotting.show_images([], [], suptitle="s"), ValueError, "images must not be empty"),
    ("plot_history", "metrics='loss'", lambda c, m: plotting.plot_history({"m": {"loss": [1]}}, title="t", metrics="loss"), ValueError, "metrics must be a non-empty list of names.*got 'loss'"),
    ("plot_history", "a list of histories", lambda c, m: plotting.plot_history([{"loss": [1]}], title="t"), TypeError, r"histories must be a dict \{model name: history\}, got a list"),
    ("plot_history", "metrics=[]", lambda c, m: plotting.plot_history({"m": {"loss": [1]}}, title="t", metrics=[]), ValueError, "metrics must be a non-empty list"),
    ("plot_history", "a history that is a number", lambda c, m: plotting.plot_history({"m": 3}, title="t", metrics=["loss"]), TypeError, r"histories\['m'\] must be a History or its .history dict, got a int"),
    # layer_table
    ("layer_table", "model='vgg'", lambda c, m: layer_table.layer_table("vgg"), ValueError, "model must be a built keras.Model"),
    ("LayerTable.to_text", "kinds='Dense'", lambda c, m: layer_table.layer_table(m).to_text(kinds="Dense"), TypeError, "kinds must be a tuple of layer type names"),
    ("LayerTable.parameter_bytes", "optimizer='Adam'", lambda c, m: layer_table.layer_table(m).parameter_bytes("Adam"), ValueError, "optimizer must be None or one of sgd, momentum, adam; got 'Adam'"),
    # model builders
    ("mlp", "input_shape=(28, 28)", lambda c, m: mnist_models.mlp((28, 28)), ValueError, r"input_shape must be \(height, width, channels\)"),
    ("convnet", "num_classes=10.0", lambda c, m: mnist_models.convnet(num_classes=10.0), ValueError, "num_classes must be a positive int, got 10.0"),
    ("convnet", "input_shape=(3, 3, 1)", lambda c, m: mnist_models.convnet(input_shape=(3, 3, 1)), ValueError, r"input_shape \(3, 3, 1\) is too small for convnet.*at least 4x4"),
    ("lenet5", "input_shape=(8, 8, 1)", lambda c, m: arch.lenet5(input_shape=(8, 8, 1)), ValueError, r"too small for lenet5.*at least 12x12"),
    ("alexnet", "input_shape=(32, 32, 3)", lambda c, m: arch.alexnet(input_shape=(32, 32, 3)), ValueError, "too small for alexnet.*at least 67x67"),
    ("alexnet", "dropout=1.5", lambda c, m: arch.alexnet(dropout=1.5), ValueError, "dropout must be a number >= 0 and < 1, got 1.5"),
    ("vgg16", "input_shape=(16, 16, 3)", lambda c, m: arch.vgg16(input_shape=(16, 16, 3)), ValueError, "too small for vgg16.*at least 32x32"),
    ("small_alexnet", "input_shape=(8, 8, 1)", lambda c, m: arch.small_alexnet(input_shape=(8, 8, 1)), ValueError, "too small for small_alexnet.*15x15"),
    ("small_vgg", "input_shape=(2, 2, 1)", lambda c, m: arch.small_vgg(input_shape=(2, 2, 1)), ValueError, "too small for small_vgg.*4x4"),
    ("small_googlenet", "input_shape=(2, 2, 1)", lambda c, m: arch.small_googlenet(input_shape=(2, 2, 1)), ValueError, "too small for small_googlenet.*4x4"),
    ("small_resnet", "input_shape=(1, 1, 1)", lambda c, m: arch.small_resnet(input_shape=(1, 1, 1)), ValueError, "too small for small_resnet.*2x2"),
    ("deep_cnn", "residual='yes'", lambda c, m: arch.deep_cnn(4, residual="yes"), TypeError, "residual must be True or False, got 'yes'"),
    ("deep_cnn", "batch_norm='yes'", lambda c, m: arch.deep_cnn(4, residual=False, batch_norm="yes"), TypeError, "batch_norm must be True or False, got 'yes'"),
    ("cluttered_digits", "profile='gpu'", lambda c, m: canvases.cluttered_digits("gpu"), ValueError, "profile must be a Profile or one of the names.*got 'gpu'"),
    ("cluttered_digits", "seed=1.5", lambda c, m: canvases.cluttered_digits("ci", seed=1.5), ValueError, "seed must be an int.*got 1.5"),
    ("deep_cnn", "initializer='he'", lambda c, m: arch.deep_cnn(4, residual=False, initializer="he"), ValueError, "initializer must name a Keras initializer.*got 'he'"),
    ("deep_cnn", "input_shape=(2, 2, 1)", lambda c, m: arch.deep_cnn(2, residual=False, input_shape=(2, 2, 1)), ValueError, "too small for deep_cnn.*3x3"),
    ("inception_module", "a numpy array", lambda c, m: arch.inception_module(np.zeros((1, 8, 8, 3)), 4, 4, 4, 4, 4, 4, name="a"), TypeError, r"x must be a Keras tensor .* keras.Input\(\(28, 28, 192\)\); got a ndarray"),
    ("inception_module", "a flat tensor", lambda c, m: arch.inception_module(_input((8,)), 4, 4, 4, 4, 4, 4, name="a"), ValueError, r"x must be a Keras tensor of shape \(batch, height, width, channels\); got shape \(None, 8\)"),
    ("basic_block", "x='x'", lambda c, m: arch.basic_block("x", 4, name="b"), TypeError, "x must be a Keras tensor"),
    ("bottleneck_block", "a flat tensor", lambda c, m: arch.bottleneck_block(_input((8,)), 4, name="b"), ValueError, "x must be a Keras tensor of shape"),
    # visualization
    ("kernel_images", "model='model'", lambda c, m: vis.kernel_images("model"), TypeError, "model must be a keras.Model, got a str"),
    ("kernel_images", "layer_name='hidden'", lambda c, m: vis.kernel_images(c, "hidden"), ValueError, r"layer_name must name a Conv2D layer of 'convnet' \(conv1, conv2\); 'hidden' is a Dense"),
    ("kernel_images", "a layer", lambda c, m: vis.kernel_images(_dense_layer()), TypeError, r"model must be a keras.Model, got a Dense.*put the layer in a model"),
    ("feature_maps", "image='digit'", lambda c, m: vis.feature_maps(c, "digit", ["conv1"]), TypeError, "image must be an array of numbers, got a str"),
    ("feature_maps", "a batch of one", lambda c, m: vis.feature_maps(c, np.zeros((1, 28, 28, 1)), ["conv1"]), ValueError, r"image must have shape \(28, 28, 1\).*got \(1, 28, 28, 1\)"),
    ("feature_maps", "layer_names='conv1'", lambda c, m: vis.feature_maps(c, DIGIT, "conv1"), ValueError, "layer_names must be a non-empty list of layer names, got 'conv1'"),
    ("feature_maps", "a NaN image", lambda c, m: vis.feature_maps(c, np.full((28, 28, 1), np.nan), ["conv1"]), ValueError, "image contains NaN or infinite values"),
    ("convolutional_part", "last_layer='hidden'", lambda c, m: vis.convolutional_part(c, "hidden"), ValueError, "last_layer must come before 'flatten' .* one of conv1, pool1, conv2, pool2; got 'hidden'"),
    ("convolutional_part", "channels=0", lambda c, m: vis.convolutional_part(c, "conv2", channels=0), ValueError, "channels must be a positive int, got 0"),
    ("class_scores", "model='m'", lambda c, m: vis.class_scores("m"), TypeError, "model must be a keras.Model"),
    ("maximize_activation", "step_size='big'", lambda c, m: vis.maximize_activation(c, "conv1", 0, steps=1, step_size="big"), TypeError, "step_size must be a real number, got 'big'"),
    ("maximize_activation", "step_size=nan", lambda c, m: vis.maximize_activation(c, "conv1", 0, steps=1, step_size=float("nan")), ValueError, "step_size must be a number >= 0, got nan"),
    ("maximize_activation", "jitter=1.5", lambda c, m: vis.maximize_activation(c, "conv1", 0, steps=1, jitter=1.5), ValueError, "jitter must be a non-negative int, got 1.5"),
    ("maximize_activation", "value_range=(1, 0)", lambda c, m: vis.maximize_activation(c, "conv1", 0, steps=1, value_range=(1, 0)), ValueError, r"value_range must be \(low, high\) with low < high"),
    ("maximize_activation", "seed=-1", lambda c, m: vis.maximize_activation(c, "conv1", 0, steps=1, seed=-1), ValueError, "seed must be an int from 0 to 4294967295, got -1"),
    ("maximize_activation", "l2_decay=1", lambda c, m: vis.maximize_activation(c, "conv1", 0, steps=1, l2_decay=1), ValueError, "l2_decay must be a number >= 0 and < 1"),
    ("maximize_activation", "filter_index=99", lambda c, m: vis.maximize_activation(c, "conv1", 99, steps=1), ValueError, "filter_index must be an int from 0 to 31"),
    ("saliency_map", "class_index=1.0", lambda c, m: vis.saliency_map(c, DIGIT, class_index=1.0), ValueError, "class_index must be an int from 0 to 9 or None, got 1.0"),
    ("saliency_map", "an infinite image", lambda c, m: vis.saliency_map(c, np.full((28, 28, 1), np.inf)), ValueError, "image contains NaN or infinite values"),
    ("grad_cam", "layer_name='hidden'", lambda c, m: vis.grad_cam(c, DIGIT, layer_name="hidden"), ValueError, r"layer_name must name a layer with feature maps.*conv1, pool1, conv2, pool2; 'hidden' outputs \(None, 256\)"),
    ("grad_cam", "layer_name='flatten'", lambda c, m: vis.grad_cam(c, DIGIT, layer_name="flatten"), ValueError, r"'flatten' outputs \(None, 3136\)"),
    ("grad_cam", "layer_name='predictions'", lambda c, m: vis.grad_cam(c, DIGIT, layer_name="predictions"), ValueError, r"'predictions' outputs \(None, 10\)"),
    ("grad_cam", "layer_name='image' (the input)", lambda c, m: vis.grad_cam(c, DIGIT, layer_name="image"), ValueError, r"'image' outputs \(None, 28, 28, 1\)"),
    ("grad_cam", "an MLP", lambda c, m: vis.grad_cam(m, DIGIT), ValueError, "model 'mlp' has no Conv2D layer; give layer_name"),
    ("value_and_gradient", "function='f'", lambda c, m: vis.value_and_gradient("f", np.array([1.0])), TypeError, "function must be a function of one tensor that returns a scalar"),
    ("value_and_gradient", "a function that returns a vector", lambda c, m: vis.value_and_gradient(lambda t: t * 2, np.array([1.0, 2.0], np.float32)), ValueError, r"function must return a scalar .* it returned shape \(2,\)"),
    # pretrained
    ("load_shipped_model", "name=None", lambda c, m: pretrained.load_shipped_model(None), ValueError, "name must be one of mnist_convnet, digits_0_4_convnet; got None"),
    ("imagenet_model", "name='vgg16'", lambda c, m: pretrained.imagenet_model("vgg16"), ValueError, "name must be one of MobileNetV2, VGG16, ResNet50; got 'vgg16'"),
    ("imagenet_model", "weights=123", lambda c, m: pretrained.imagenet_model("VGG16", weights=123), TypeError, r"weights must be the path of a weights file \(str or Path\), got 123"),
    ("imagenet_model", "include_top='no'", lambda c, m: pretrained.imagenet_model("VGG16", include_top="no"), TypeError, "include_top must be True or False"),
    ("imagenet_input", "images='photo'", lambda c, m: pretrained.imagenet_input("VGG16", "photo"), TypeError, "images must be an array of numbers, got a str"),
    ("imagenet_input", "one image without the batch axis", lambda c, m: pretrained.imagenet_input("VGG16", np.zeros((224, 224, 3))), ValueError, r"images must be RGB images of shape \(n, height, width, 3\), got \(224, 224, 3\)"),
    ("imagenet_labels", "top=2000", lambda c, m: pretrained.imagenet_labels(np.zeros((1, 1000)), top=2000), ValueError, "top must be at most 1000"),
    ("with_new_head", "base='model'", lambda c, m: transfer.with_new_head("model", "flatten", 5), TypeError, "base must be a keras.Model, got a str"),
    ("with_new_head", "features_layer='conv2'", lambda c, m: transfer.with_new_head(mnist_models.convnet(), "conv2", 5), ValueError, r"features_layer must output one feature vector per image.*'conv2' outputs \(None, 14, 14, 64\).*flatten, hidden, predictions"),
    ("with_new_head", "name=''", lambda c, m: transfer.with_new_head(mnist_models.convnet(), "flatten", 5, name=""), ValueError, "name must be a non-empty str"),
    ("set_trainable_from", "model='model'", lambda c, m: transfer.set_trainable_from("model", "conv2"), TypeError, "model must be a keras.Model, got a str"),
    ("set_trainable_from", "first_trainable=2", lambda c, m: transfer.set_trainable_from(mnist_models.convnet(), 2), ValueError, "first_trainable must be a layer of 'convnet'.*got 2"),
    # explorer (the widget: its sliders would silently clamp a value out of range)
    ("ConvExplorer", "padding=4", lambda c, m: explorer.ConvExplorer(padding=4), ValueError, "padding must be one of 'valid', 'same', 1, 2, 3 .* got 4"),
    ("ConvExplorer", "padding='SAME'", lambda c, m: explorer.ConvExplorer(padding="SAME"), ValueError, "padding must be one of .* got 'SAME'"),
    ("ConvExplorer", "size=40", lambda c, m: explorer.ConvExplorer(size=40), ValueError, r"size must be an int from 1 to 16 \(the slider's range\), got 40"),
    ("ConvExplorer", "stride=0", lambda c, m: explorer.ConvExplorer(stride=0), ValueError, "stride must be an int from 1 to 4"),
    ("ConvExplorer", "kernel_size=3.0", lambda c, m: explorer.ConvExplorer(kernel_size=3.0), ValueError, "kernel_size must be an int from 1 to 7 .* got 3.0"),
    ("output_size_formula", "padding=4.5", lambda c, m: explorer.output_size_formula(7, 3, padding=4.5), ValueError, r"padding must be 'valid', 'same', a non-negative int or a \(before, after\) pair of them; got 4\.5\."),
]


@pytest.mark.parametrize(("helper", "given", "call", "error", "message"),
                         [pytest.param(*p, id=f"{p[0]}: {p[1]}") for p in PROBES])
def test_a_careless_argument_gets_a_clear_error(helper, given, call, error, message, convnet, mlp):
    with pytest.raises(error, match=message):
        call(convnet, mlp)


# ---- probes that need files: a mistyped COURSE_DATA_DIR, broken weights files

@pytest.fixture
def offline(tmp_path, monkeypatch):
    """No Keras cache, no download: keras' get_file fails the test if it is called."""
    from keras.src.utils import file_utils

    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setattr(file_utils, "get_file", lambda *a, **k: pytest.fail(f"a download was attempted: {a}"))
    return tmp_path


def _vgg_weights(folder):
    import keras

    path = folder / "vgg_notop.weights.h5"
    keras.applications.VGG16(weights=None, include_top=False, input_shape=(32, 32, 3)).save_weights(path)
    return path


@pytest.mark.parametrize(("given", "make", "message"), [
    ("a text file named .h5", lambda folder: (folder / "page.h5").write_text("<html>404</html>") and folder / "page.h5",
     "is not an HDF5 file .* The file keras.applications uses here is mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224.h5"),
    ("a README", lambda folder: (folder / "README.md").write_text("hi") and folder / "README.md",
     r"weights must be an .h5 weights file, such as mobilenet_v2_.*_224.h5"),
    ("VGG16's weights", _vgg_weights,
     r"weights: '.*vgg_notop.weights.h5' does not fit MobileNetV2 with include_top=True \(ValueError: .*\). "
     r"The file keras.applications uses here is mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224.h5"),
])
def test_imagenet_model_with_a_wrong_weights_file_says_so_in_one_error(offline, capfd, given, make, message):
    path = make(offline)
    capfd.readouterr()
    with pytest.raises(ValueError, match=message):
        pretrained.imagenet_model("MobileNetV2", weights=path)
    out, err = capfd.readouterr()
    assert len((out + err).strip().splitlines()) <= 1, f"{given}: {(out + err)[:500]}"  # was about 150 warnings


def test_a_mistyped_course_data_dir_names_the_folder_and_the_fix(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "dtaa"))
    with pytest.raises(data.DataFileError, match="COURSE_DATA_DIR is set to '.*dtaa', which is not a folder") as caught:
        data.load_mnist()
    assert caught.value.__context__ is None
    with pytest.raises(data.DataFileError, match="COURSE_DATA_DIR is set to '.*dtaa'.*Set it to the folder that holds "
                                                 "digits_0_4_convnet.keras"):
        pretrained.load_shipped_model("digits_0_4_convnet")


def test_a_sequential_model_works_with_the_visualization_helpers():
    """Keras 3 gives a Sequential model no .input until it is called; the helpers use .inputs and work anyway."""
    import keras

    model = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Conv2D(2, 3, name="c"), keras.layers.Flatten(name="flat"),
                              keras.layers.Dense(3, activation="softmax")])
    image = np.random.default_rng(0).random((8, 8, 1)).astype("float32")
    assert vis.feature_maps(model, image, ["c"])["c"].shape == (6, 6, 2)
    assert vis.saliency_map(model, image, 1)[0].shape == (8, 8)
    assert vis.grad_cam(model, image, 1)[0].shape == (8, 8)
    assert transfer.with_new_head(model, "flat", 2).output_shape == (None, 2)


@pytest.mark.parametrize(("builder", "smallest", "channels"), [
    (mnist_models.convnet, 4, 1), (arch.lenet5, 12, 1), (arch.small_alexnet, 15, 1), (arch.small_vgg, 4, 1),
    (arch.small_googlenet, 4, 1), (arch.small_resnet, 2, 1), (arch.vgg16, 32, 3), (arch.alexnet, 67, 3)])
def test_the_smallest_input_a_builder_accepts_is_the_smallest_keras_can_build(builder, smallest, channels,
                                                                            monkeypatch):
    """The minimum in each builder's check is Keras's own: one pixel less fails in Keras, not just in our check."""
    from course_utils import validation

    assert builder(input_shape=(smallest, smallest, channels)).output_shape[0] is None
    with pytest.raises(ValueError, match=f"at least {smallest}x{smallest}"):
        builder(input_shape=(smallest - 1, smallest + 5, channels))

    def unchecked(input_shape, num_classes, **kwargs):  # the builder's size check switched off
        return validation.model_arguments(input_shape, num_classes)

    monkeypatch.setattr(arch, "model_arguments", unchecked)
    monkeypatch.setattr(mnist_models, "model_arguments", unchecked)
    with pytest.raises(Exception, match="(?i)negative|zero|smaller|size"):  # Keras's own error
        builder(input_shape=(smallest - 1, smallest - 1, channels))
