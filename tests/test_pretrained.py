"""The keras.applications path, exercised offline with weight files made here, and the transfer helpers.

No download ever happens: Keras's cache is pointed at an empty temporary folder and
keras' get_file is replaced by a function that fails the test if it is called.
"""

import numpy as np
import pytest

from course_utils import pretrained
from course_utils.pretrained import imagenet_input, imagenet_labels, imagenet_model, keras_cache, load_shipped_model
from course_utils.transfer import set_trainable_from, with_new_head

SMALL = {"alpha": 0.35, "input_shape": (96, 96, 3)}  # a 1.7M-parameter MobileNetV2: quick to build


@pytest.fixture
def offline_cache(tmp_path, monkeypatch):
    """An empty Keras cache, and no way to download."""
    from keras.src.utils import file_utils

    def no_download(*args, **kwargs):
        raise AssertionError(f"a download was attempted: {args}")

    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setattr(file_utils, "get_file", no_download)
    return tmp_path / "models"


@pytest.fixture(scope="module")
def small_mobilenet():
    import keras

    return keras.applications.MobileNetV2(weights=None, **SMALL)


def _same_weights(a, b):
    return len(a.weights) == len(b.weights) and all(
        np.array_equal(x, y) for x, y in zip(a.get_weights(), b.get_weights()))


def test_without_weights_it_says_so_in_one_line_and_returns_none(offline_cache, capsys):
    assert imagenet_model("VGG16") is None
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "No ImageNet weights for VGG16" in out and "shipped models" in out
    assert keras_cache() == offline_cache


def test_a_download_that_finds_no_network_says_so_and_returns_none(tmp_path, monkeypatch, capsys):
    import urllib.error

    from keras.src.utils import file_utils

    def no_network(url, *args, **kwargs):
        raise urllib.error.URLError("[Errno -2] Name or service not known")

    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setattr(file_utils, "urlretrieve", no_network)  # what keras.utils.get_file downloads with
    assert imagenet_model("MobileNetV2", download=True, **SMALL) is None
    *keras_says, ours = capsys.readouterr().out.splitlines()
    assert [line for line in keras_says if not line.startswith("Downloading data from")] == []
    assert "could not be downloaded (URLError" in ours and "shipped models" in ours


def test_other_errors_of_a_download_are_not_hidden(offline_cache):
    with pytest.raises(ValueError):  # not a network error: Keras's own check of the arguments
        imagenet_model("MobileNetV2", download=True, input_shape=(96, 96, 3), alpha=0.2)


def test_a_local_weights_file_is_loaded(offline_cache, small_mobilenet, tmp_path):
    path = tmp_path / "mine.weights.h5"
    small_mobilenet.save_weights(path)
    net = imagenet_model("MobileNetV2", weights=path, **SMALL)
    assert _same_weights(net, small_mobilenet)


def test_weights_in_the_keras_cache_are_found(offline_cache, small_mobilenet, capsys):
    import h5py
    from keras.src.legacy.saving import legacy_h5_format

    offline_cache.mkdir(parents=True)
    with h5py.File(offline_cache / pretrained.IMAGENET["MobileNetV2"][1], "w") as f:  # the format Keras downloads
        legacy_h5_format.save_weights_to_hdf5_group(f, small_mobilenet)
    net = imagenet_model("MobileNetV2", **SMALL)
    assert _same_weights(net, small_mobilenet) and capsys.readouterr().out == ""


def test_photographs_are_classified_and_fine_tuned_on_the_real_path(offline_cache, small_mobilenet, tmp_path):
    """What lesson 07 runs when ImageNet weights are there: top classes, then a new head trained."""
    import keras

    small_mobilenet.save_weights(tmp_path / "top.weights.h5")
    net = imagenet_model("MobileNetV2", weights=tmp_path / "top.weights.h5", **SMALL)
    photos = np.stack([np.zeros((50, 40, 3)), np.ones((50, 40, 3))])
    x = imagenet_input("MobileNetV2", photos, size=96)
    assert x.shape == (2, 96, 96, 3)
    assert np.allclose(x[0], -1) and np.allclose(x[1], 1)  # MobileNetV2 maps [0, 255] to [-1, 1]
    labels = imagenet_labels(keras.ops.convert_to_numpy(net(x)), top=2)
    assert [len(row) for row in labels] == [2, 2] and labels[1][0][0].startswith("class ")

    base = keras.applications.MobileNetV2(weights=None, include_top=False, pooling="avg", **SMALL)
    base.save_weights(tmp_path / "notop.weights.h5")
    base = imagenet_model("MobileNetV2", weights=tmp_path / "notop.weights.h5", include_top=False,
                          pooling="avg", **SMALL)
    model = with_new_head(base, base.layers[-1].name, 2)
    before = [w.copy() for w in base.get_weights()]
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x, np.array([0, 1]), epochs=1, verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(before, base.get_weights()))  # frozen base unchanged


def test_labels_without_the_class_index_are_numbers(offline_cache):
    probabilities = np.zeros((2, 1000))
    probabilities[0, [285, 3, 7]] = [0.6, 0.3, 0.1]
    probabilities[1, [999, 0]] = [0.9, 0.1]
    assert imagenet_labels(probabilities, top=2) == [[("class 285", 0.6), ("class 3", 0.3)],
                                                     [("class 999", 0.9), ("class 0", 0.1)]]


def test_new_head_and_unfreezing_count_by_hand():
    base = load_shipped_model("digits_0_4_convnet")
    model = with_new_head(base, "flatten", 3, hidden_units=128)
    trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    assert trainable == (7 * 7 * 64 * 128 + 128) + (128 * 3 + 3)
    assert set_trainable_from(model, "conv2") == ["conv2", "new_hidden", "new_predictions"]
    trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    assert trainable == (3 * 3 * 32 * 64 + 64) + (7 * 7 * 64 * 128 + 128) + (128 * 3 + 3)
    assert not model.get_layer("conv1").trainable


def test_fine_tuning_changes_only_the_unfrozen_layers():
    import keras

    model = with_new_head(load_shipped_model("digits_0_4_convnet"), "flatten", 2, hidden_units=8)
    set_trainable_from(model, "conv2")
    conv1, conv2 = (model.get_layer(n).get_weights()[0].copy() for n in ("conv1", "conv2"))
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy")
    rng = np.random.default_rng(0)
    model.fit(rng.random((16, 28, 28, 1)).astype(np.float32), rng.integers(0, 2, 16), epochs=1, verbose=0)
    assert np.array_equal(conv1, model.get_layer("conv1").get_weights()[0])
    assert not np.array_equal(conv2, model.get_layer("conv2").get_weights()[0])


@pytest.mark.parametrize(("call", "words"), [
    (lambda: imagenet_model("AlexNet"), "name must be one of MobileNetV2, VGG16, ResNet50; got 'AlexNet'"),
    (lambda: imagenet_model("VGG16", weights="/no/such.h5"), "weights must be an existing weights file"),
    (lambda: imagenet_input("VGG16", np.zeros((2, 8, 8))), r"images must be RGB images .* got \(2, 8, 8\)"),
    (lambda: imagenet_labels(np.zeros((1, 10))), r"probabilities must have shape \(n, 1000\), got \(1, 10\)"),
    (lambda: with_new_head(load_shipped_model("mnist_convnet"), "fc", 2), "features_layer must be a layer of"),
    (lambda: with_new_head(load_shipped_model("mnist_convnet"), "flatten", 0), "num_classes must be a positive int"),
    (lambda: set_trainable_from(load_shipped_model("mnist_convnet"), "conv3"), "first_trainable must be a layer"),
])
def test_bad_arguments_are_named(offline_cache, call, words):
    with pytest.raises(ValueError, match=words):
        call()
