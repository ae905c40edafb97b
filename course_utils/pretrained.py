"""Pretrained networks, offline first: the course's shipped models, and keras.applications when its weights are here.

- :func:`load_shipped_model`: the small convnets the course trains itself
  (``scripts/train_shipped_models.py``), checked against their sha256 and loaded in Keras's safe mode.
- :func:`imagenet_model`: a keras.applications network with ImageNet weights taken from a local
  file or from Keras's cache, never downloaded unless asked; ``None`` (and one line saying so)
  when the weights are not on this machine.
- :func:`with_new_head`, :func:`set_trainable_from`: the two moves of transfer learning.

Example:
    >>> model = load_shipped_model("digits_0_4_convnet")
    >>> model.output.shape, model.count_params()
    ((None, 5), 823685)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from course_utils.data import DataFileError, data_dir, verify_sha256
from course_utils.validation import model_layer, non_negative_int, positive_int


@dataclass(frozen=True)
class ShippedModel:
    """A .keras file in data/, its sha256, and what it was trained on (data/README.md gives its accuracy)."""

    file: str
    sha256: str
    trained_on: str


SHIPPED = {
    "mnist_convnet": ShippedModel(
        "mnist_convnet.keras", "ab54f77de26e01dedcf5e06700e86282e3ff77b8dcc0f4257d6402db4de08ff8",
        "all 60,000 MNIST training digits (10 classes)"),
    "digits_0_4_convnet": ShippedModel(
        "digits_0_4_convnet.keras", "4130b647868ad33e880467246cf813e44883478a31d5bd755a28df359397b143",
        "the MNIST training digits 0-4 only (30,596 digits, 5 classes)"),
}

# keras.applications networks the lessons use: module in keras.applications, weight files in Keras's cache.
IMAGENET = {
    "MobileNetV2": ("mobilenet_v2", "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224.h5",
                    "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5"),
    "VGG16": ("vgg16", "vgg16_weights_tf_dim_ordering_tf_kernels.h5",
              "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5"),
    "ResNet50": ("resnet50", "resnet50_weights_tf_dim_ordering_tf_kernels.h5",
                 "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5"),
}
CLASS_INDEX_FILE = "imagenet_class_index.json"


def load_shipped_model(name: str):
    """One of the models in :data:`SHIPPED`, sha256-checked, loaded with ``safe_mode=True`` (uncompiled)."""
    import keras

    if name not in SHIPPED:
        raise ValueError(f"name must be one of {', '.join(SHIPPED)}; got {name!r}.")
    path = data_dir() / SHIPPED[name].file
    if not path.is_file():
        raise DataFileError(f"{path} is missing. Restore it with `git checkout -- data/{SHIPPED[name].file}`, "
                            "or remake it with `python scripts/train_shipped_models.py`.")
    verify_sha256(path, SHIPPED[name].sha256)
    return keras.saving.load_model(path, safe_mode=True, compile=False)


def keras_cache() -> Path:
    """Where keras.applications keeps downloaded weights: ``$KERAS_HOME/models``, else ``~/.keras/models``."""
    return Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")) / "models"


def _check_name(name: str) -> None:
    if name not in IMAGENET:
        raise ValueError(f"name must be one of {', '.join(IMAGENET)}; got {name!r}.")


def imagenet_model(name: str, *, weights: str | Path | None = None, include_top: bool = True,
                   download: bool = False, **kwargs):
    """``keras.applications.<name>`` with ImageNet weights, or ``None`` when they are not on this machine.

    The weights come from ``weights`` (a local .h5 / .weights.h5 file) if given, else from
    Keras's cache (:func:`keras_cache`), else, only with ``download=True``, from the internet.
    When none of these applies, one line says so and the function returns ``None``.
    Other keyword arguments (``input_shape``, ``alpha``, ``pooling``, ...) go to the constructor.
    """
    import keras

    _check_name(name)
    cached = keras_cache() / IMAGENET[name][1 if include_top else 2]
    if weights is not None and not Path(weights).is_file():
        raise ValueError(f"weights must be an existing weights file, got {str(weights)!r}.")
    source = weights or (cached if cached.is_file() else ("imagenet" if download else None))
    if source is None:
        print(f"No ImageNet weights for {name} on this machine (not in {keras_cache()}, no file given, "
              "no download asked for): using the course's shipped models instead.")
        return None
    return getattr(keras.applications, name)(weights=str(source), include_top=include_top, **kwargs)


def imagenet_input(name: str, images: np.ndarray, size: int = 224) -> np.ndarray:
    """Photographs in [0, 1], shape (n, h, w, 3), resized to ``size`` x ``size`` and preprocessed for ``name``."""
    import keras
    import skimage.transform

    _check_name(name)
    images = np.asarray(images, dtype=np.float32)
    if images.ndim != 4 or images.shape[-1] != 3:
        raise ValueError(f"images must be RGB images of shape (n, height, width, 3), got {images.shape}.")
    size = positive_int(size, "size")
    resized = np.stack([skimage.transform.resize(image, (size, size), anti_aliasing=True) for image in images])
    module = getattr(keras.applications, IMAGENET[name][0])
    return keras.ops.convert_to_numpy(module.preprocess_input(255 * resized.astype(np.float32)))


def imagenet_labels(probabilities: np.ndarray, top: int = 3) -> list[list[tuple[str, float]]]:
    """The ``top`` ImageNet classes of each row, as (name, probability).

    Names come from Keras's class index when it is in the cache (it is downloaded together
    with the weights); otherwise the classes are given by number, e.g. ``"class 285"``.
    """
    import keras

    probabilities = np.asarray(probabilities)
    if probabilities.ndim != 2 or probabilities.shape[1] != 1000:
        raise ValueError(f"probabilities must have shape (n, 1000), got {probabilities.shape}.")
    top = positive_int(top, "top")
    if (keras_cache() / CLASS_INDEX_FILE).is_file():
        decoded = keras.applications.imagenet_utils.decode_predictions(probabilities, top=top)
        return [[(label, float(p)) for _, label, p in row] for row in decoded]
    return [[(f"class {i}", float(row[i])) for i in np.argsort(row)[::-1][:top]] for row in probabilities]


def with_new_head(base, features_layer: str, num_classes: int, *, hidden_units: int = 0,
                  name: str = "transfer"):
    """A new classifier on ``base``'s layer ``features_layer``: a fresh Dense(``hidden_units``, relu)
    layer when ``hidden_units`` > 0, then a fresh softmax layer of ``num_classes``.

    The base layers are shared with ``base`` (not copied) and frozen; see :func:`set_trainable_from`.
    Shown in lesson 07: the lesson freezes the base (``base.trainable = False``) and writes the head out first.
    """
    import keras

    num_classes = positive_int(num_classes, "num_classes")
    features = model_layer(base, features_layer, "features_layer")
    hidden_units = non_negative_int(hidden_units, "hidden_units")
    for layer in base.layers:
        layer.trainable = False
    x = features.output
    if hidden_units:
        x = keras.layers.Dense(hidden_units, activation="relu", name="new_hidden")(x)
    outputs = keras.layers.Dense(num_classes, activation="softmax", dtype="float32", name="new_predictions")(x)
    return keras.Model(base.input, outputs, name=name)


def set_trainable_from(model, first_trainable: str) -> list[str]:
    """Freeze the layers before ``first_trainable``, unfreeze it and those after; return the trainable names.

    Compile the model again afterwards: Keras reads the trainable flags when it compiles.
    Shown in lesson 07: the lesson unfreezes ``conv2`` by hand (``layer.trainable = True``) and recompiles first.
    """
    start = model.layers.index(model_layer(model, first_trainable, "first_trainable"))
    for i, layer in enumerate(model.layers):
        layer.trainable = i >= start
    return [layer.name for layer in model.layers[start:] if layer.weights]
