"""Pretrained networks, offline first: the course's shipped models, and keras.applications when its weights are here.

(Reusing them on a new task is :mod:`course_utils.transfer`.)

- :func:`load_shipped_model`: the small convnets the course trains itself
  (``scripts/train_shipped_models.py``), loaded in Keras's safe mode and identified by the file's
  sha256 or, for a file remade by the script (whose bytes differ: a .keras archive records the
  date), by :func:`model_digest` of its architecture and weights.
- :func:`imagenet_model`: a keras.applications network with ImageNet weights taken from a local
  file or from Keras's cache, never downloaded unless asked; ``None`` (and one line saying so)
  when the weights are not on this machine.

Example:
    >>> model = load_shipped_model("digits_0_4_convnet")
    >>> model.output.shape, model.count_params()
    ((None, 5), 823685)
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from course_utils.data import DataFileError, data_dir, missing_file_advice, sha256_of
from course_utils.validation import flag, numeric_array, positive_int


@dataclass(frozen=True)
class ShippedModel:
    """A .keras file in data/: the sha256 of the file shipped, the :func:`model_digest` of what it
    holds, and what it was trained on (data/README.md gives its accuracy)."""

    file: str
    sha256: str
    digest: str
    trained_on: str


SHIPPED = {
    "mnist_convnet": ShippedModel(
        "mnist_convnet.keras", "9d21707be238af65861434486d10244d2fa6a2ef4953b01ec9dff92eea6ac32d",
        "6be30ab446969f8b3f9c321dd8d55b8056de7cd8b5235cc13ce295fc283b77ff", "all 60,000 MNIST training digits (10 classes)"),
    "digits_0_4_convnet": ShippedModel(
        "digits_0_4_convnet.keras", "69d0db7fbc0f5ac51abdbb2baa186709faee8886c757f40d0a39b6926a757d91",
        "7e21d8f0dd9a8608cb167c723e6c61132e258e86e1ab62515bc219d1d3d01211", "the MNIST training digits 0-4 only (30,596 digits, 5 classes)"),
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


def model_digest(model) -> str:
    """sha256 of a model's architecture (its Keras config as sorted JSON) and weights (float32 bytes).

    Equal for two saves of the same model, unlike the .keras files' bytes; different as soon as
    one layer, setting or weight differs.

    >>> import keras
    >>> a = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, kernel_initializer="ones")], name="a")
    >>> b = keras.models.clone_model(a); b.set_weights(a.get_weights())
    >>> model_digest(a) == model_digest(b)
    True
    >>> b.set_weights([w + 1 for w in b.get_weights()]); model_digest(a) == model_digest(b)
    False
    """
    digest = hashlib.sha256(json.dumps(model.get_config(), sort_keys=True).encode())
    for array in model.get_weights():
        array = np.ascontiguousarray(array, dtype=np.float32)
        digest.update(str(array.shape).encode() + array.tobytes())
    return digest.hexdigest()


def load_shipped_model(name: str):
    """One of the models in :data:`SHIPPED`, loaded with ``safe_mode=True`` (uncompiled).

    The file is the course's when its sha256 is the one shipped or, for a copy remade by
    ``scripts/train_shipped_models.py``, when the model in it has the recorded :func:`model_digest`;
    anything else is refused with :class:`~course_utils.data.DataFileError`.
    """
    import keras

    if not isinstance(name, str) or name not in SHIPPED:
        raise ValueError(f"name must be one of {', '.join(SHIPPED)}; got {name!r}.")
    spec = SHIPPED[name]
    path = data_dir() / spec.file
    fix = (f"Restore it with `git checkout -- data/{spec.file}`, or remake it with "
           "`python scripts/train_shipped_models.py`.")
    if not path.is_file():
        raise DataFileError(f"{missing_file_advice(spec.file)} (A clone can also remake it: "
                            "`python scripts/train_shipped_models.py`.)")
    file_sha256 = sha256_of(path)
    try:
        model = keras.saving.load_model(path, safe_mode=True, compile=False)
    except Exception as error:  # a truncated or altered archive: zip, h5 or config errors  # noqa: BLE001
        raise DataFileError(f"{path} is corrupt: Keras cannot read it ({type(error).__name__}); its sha256 is "
                            f"{file_sha256}, expected {spec.sha256}. {fix}") from None
    if file_sha256 != spec.sha256 and model_digest(model) != spec.digest:
        raise DataFileError(f"{path} is not the course's {name}: its sha256 is {file_sha256}, expected "
                            f"{spec.sha256}, and the architecture and weights in it differ from the recorded "
                            f"digest {spec.digest}. {fix}")
    return model


def keras_cache() -> Path:
    """Where keras.applications keeps downloaded weights: ``$KERAS_HOME/models``, else ``~/.keras/models``."""
    return Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")) / "models"


def _check_name(name: str) -> None:
    if not isinstance(name, str) or name not in IMAGENET:
        raise ValueError(f"name must be one of {', '.join(IMAGENET)}; got {name!r}.")


HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


def _weights_file(weights, name: str, include_top: bool) -> Path:
    """``weights`` as the path of an existing HDF5 weights file, else a ``TypeError``/``ValueError`` that says
    which file keras.applications would use for ``name`` (its name in Keras's cache)."""
    expected = IMAGENET[name][1 if include_top else 2]
    if not isinstance(weights, (str, os.PathLike)):
        raise TypeError(f"weights must be the path of a weights file (str or Path), got {weights!r} "
                        f"({type(weights).__name__}).")
    path = Path(weights)
    if not path.is_file():
        raise ValueError(f"weights must be an existing weights file, got {str(weights)!r}.")
    if not path.name.endswith(".h5"):
        raise ValueError(f"weights must be an .h5 weights file, such as {expected}; got {str(weights)!r}.")
    with open(path, "rb") as f:
        if f.read(8) != HDF5_SIGNATURE:
            raise ValueError(f"weights: {str(weights)!r} is not an HDF5 file (a partial download, or a page saved "
                             f"in its place?). The file keras.applications uses here is {expected}.")
    return path


def _load_weights(model, path: Path, name: str, include_top: bool):
    """``model.load_weights(path)`` with Keras's per-layer warnings held back; a file that does not fit becomes
    one ``ValueError`` saying which file was expected (instead of a hundred warnings and Keras's error)."""
    expected = IMAGENET[name][1 if include_top else 2]
    chatter = io.StringIO()
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(chatter), contextlib.redirect_stderr(chatter):
            warnings.simplefilter("ignore")
            model.load_weights(str(path))
    except Exception as err:  # noqa: BLE001  Keras raises ValueError, OSError, KeyError ... for a foreign file
        reason = (str(err).strip().splitlines() or [type(err).__name__])[0][:200]
        other = IMAGENET[name][2 if include_top else 1]
        swapped = f" ({other} is the file for include_top={not include_top})" if path.name == other else ""
        raise ValueError(f"weights: {str(path)!r} does not fit {name} with include_top={include_top} "
                         f"({type(err).__name__}: {reason}). The file keras.applications uses here is "
                         f"{expected}{swapped}.") from None
    return model


def _network_error(error: BaseException) -> OSError | None:
    """The network error (``urllib``'s ``URLError``, a socket's ``OSError``) behind ``error``, if any."""
    while error is not None:
        if isinstance(error, OSError):
            return error
        error = error.__cause__ or error.__context__
    return None


def imagenet_model(name: str, *, weights: str | Path | None = None, include_top: bool = True,
                   download: bool = False, **kwargs):
    """``keras.applications.<name>`` with ImageNet weights, or ``None`` when they are not on this machine.

    The weights come from ``weights`` (a local .h5 / .weights.h5 file) if given, else from
    Keras's cache (:func:`keras_cache`), else, only with ``download=True``, from the internet.
    When none of these applies, or the download fails for want of a network, one line says so and the
    function returns ``None``.
    Other keyword arguments (``input_shape``, ``alpha``, ``pooling``, ...) go to the constructor.
    """
    import keras

    _check_name(name)
    include_top, download = flag(include_top, "include_top"), flag(download, "download")
    cached = keras_cache() / IMAGENET[name][1 if include_top else 2]
    path = _weights_file(weights, name, include_top) if weights is not None else (cached if cached.is_file() else None)
    if path is None and not download:
        print(f"No ImageNet weights for {name} on this machine (not in {keras_cache()}, no file given, "
              "no download asked for): using the course's shipped models instead.")
        return None
    if path is None:
        try:
            return getattr(keras.applications, name)(weights="imagenet", include_top=include_top, **kwargs)
        except Exception as err:  # noqa: BLE001  Keras wraps a failed download in a bare Exception
            network = _network_error(err)
            if network is None:
                raise
            print(f"The ImageNet weights for {name} could not be downloaded ({type(network).__name__}: "
                  f"{str(network)[:120]}): using the course's shipped models instead.")
            return None
    if weights is None:
        path = _weights_file(path, name, include_top)  # a cached file can be a broken download too
    model = getattr(keras.applications, name)(weights=None, include_top=include_top, **kwargs)
    return _load_weights(model, path, name, include_top)


def imagenet_input(name: str, images: np.ndarray, size: int = 224) -> np.ndarray:
    """Photographs in [0, 1], shape (n, h, w, 3), resized to ``size`` x ``size`` and preprocessed for ``name``."""
    import keras
    import skimage.transform

    _check_name(name)
    images = numeric_array(images, "images", finite=True).astype(np.float32)
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

    probabilities = numeric_array(probabilities, "probabilities")
    if probabilities.ndim != 2 or probabilities.shape[1] != 1000:
        raise ValueError(f"probabilities must have shape (n, 1000), got {probabilities.shape}.")
    top = positive_int(top, "top")
    if top > 1000:
        raise ValueError(f"top must be at most 1000 (the number of ImageNet classes), got {top}.")
    if (keras_cache() / CLASS_INDEX_FILE).is_file():
        decoded = keras.applications.imagenet_utils.decode_predictions(probabilities, top=top)
        return [[(label, float(p)) for _, label, p in row] for row in decoded]
    return [[(f"class {i}", float(row[i])) for i in np.argsort(row)[::-1][:top]] for row in probabilities]
