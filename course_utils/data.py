"""Offline data: MNIST from the course's ``data/`` folder, photographs from scikit-image.

MNIST comes in the layout of ``keras.datasets.mnist.load_data()``, checked
against its sha256 once per process, cut to the running profile's subset.
The files are read from a clone's ``data/`` folder, or from the copy the package
carries (``course_utils/_data``, the same files: an install from the repository,
as in Colab, works offline too).  Where neither is there, the MNIST loader falls
back to the real download and says so.  When a file cannot be
found, the message names the folder searched and the fix for where you are
(:func:`missing_file_advice`): a clone of the course, an installed package,
Colab, or a ``COURSE_DATA_DIR`` of your own.

Example:
    >>> (x_train, y_train), (x_test, y_test) = load_mnist(subset=False)
    >>> x_train.shape, x_train.dtype, y_test.shape
    ((60000, 28, 28), dtype('uint8'), (10000,))
"""

from __future__ import annotations

import functools
import hashlib
import os
import sys
from pathlib import Path

import numpy as np

from course_utils.profiles import PROFILES, Profile, current_profile
from course_utils.validation import flag, positive_int

DATA_DIR_VAR = "COURSE_DATA_DIR"
MNIST_FILE = "mnist.npz"
MNIST_SHA256 = "06af5dfe73b70e3bc1c36439982b18a8d76803db9b544f6fdf838a37fbb01b64"
MNIST_LAYOUT = {"x_train": (60000, 28, 28), "y_train": (60000,), "x_test": (10000, 28, 28), "y_test": (10000,)}
PHOTOS = ("astronaut", "camera", "coffee", "chelsea", "rocket", "horse", "moon", "coins", "brick", "grass", "gravel")

MnistSplits = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


class DataFileError(ValueError):
    """A shipped data file is missing, corrupt, or not in the expected layout."""


PACKAGED_DATA = Path(__file__).resolve().parent / "_data"
"""Where an installed wheel keeps its copy of the course's ``data/`` folder (see pyproject.toml)."""


def data_dir() -> Path:
    """The folder holding the course's data: ``$COURSE_DATA_DIR``, else a clone's ``data/``, else the package's copy.

    >>> data_dir().name in ("data", "_data")
    True
    """
    override = os.environ.get(DATA_DIR_VAR)
    if override:
        return Path(override)
    clone = Path(__file__).resolve().parent.parent / "data"
    return clone if _is_course_data_folder(clone) else PACKAGED_DATA


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@functools.cache
def _verify(path: Path, expected: str, _stamp: tuple[int, int]) -> None:
    """Check a file's sha256; cached per (path, mtime, size) so it runs once per process."""
    actual = sha256_of(path)
    if actual != expected:
        raise DataFileError(
            f"{path} is corrupt: its sha256 is {actual}, expected {expected}. "
            "Restore it with `git checkout -- data/` (or copy it again from the course repository)."
        )


def verify_sha256(path: Path, expected: str) -> None:
    """Raise :class:`DataFileError` unless ``path``'s sha256 is ``expected`` (checked once per process)."""
    stat = Path(path).stat()
    _verify(Path(path).resolve(), expected, (stat.st_mtime_ns, stat.st_size))


def _read_mnist(path: Path) -> MnistSplits:
    verify_sha256(path, MNIST_SHA256)
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in MNIST_LAYOUT}
    except (KeyError, ValueError, OSError) as err:
        raise DataFileError(f"{path} is not an MNIST file in the keras.datasets layout: {err}") from err
    for key, shape in MNIST_LAYOUT.items():
        if arrays[key].shape != shape or arrays[key].dtype != np.uint8:
            raise DataFileError(
                f"{path}: {key} has shape {arrays[key].shape} and dtype {arrays[key].dtype}, "
                f"expected {shape} uint8."
            )
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


def _is_course_data_folder(folder: Path) -> bool:
    """True for the course's own data/ folder (its README lists mnist.npz), where a missing file is an error."""
    readme = folder / "README.md"
    return readme.is_file() and MNIST_FILE in readme.read_text(encoding="utf-8", errors="replace")


def _download_mnist() -> MnistSplits:
    import keras

    return keras.datasets.mnist.load_data()


def _in_colab() -> bool:
    return "google.colab" in sys.modules


def missing_file_advice(filename: str) -> str:
    """Why ``filename`` is not in :func:`data_dir`, which folder was searched, and the fix that applies here.

    Four places a student can be: ``COURSE_DATA_DIR`` set (a folder of their own, perhaps mistyped),
    a clone of the course (its ``data/`` folder lost the file), Colab, or another installation of
    ``course_utils`` without the course's ``data/`` folder.

    >>> import os; os.environ["COURSE_DATA_DIR"] = "/no/such/folder"
    >>> missing_file_advice("mnist.npz")
    "COURSE_DATA_DIR is set to '/no/such/folder', which is not a folder on this machine (a typo?). Set it to the folder that holds mnist.npz (the course's data/ folder), or unset it to use the course's own data/ folder."
    >>> del os.environ["COURSE_DATA_DIR"]
    """
    folder = data_dir()
    custom = os.environ.get(DATA_DIR_VAR)
    if custom:
        if not folder.is_dir():
            return (f"{DATA_DIR_VAR} is set to {custom!r}, which is not a folder on this machine (a typo?). Set it "
                    f"to the folder that holds {filename} (the course's data/ folder), or unset it to use the "
                    "course's own data/ folder.")
        return (f"{folder / filename} not found: {DATA_DIR_VAR}={custom!r} names a folder without {filename}. "
                f"Copy data/{filename} from the course repository into it, or unset {DATA_DIR_VAR}.")
    if folder == PACKAGED_DATA and folder.is_dir():
        return (f"{folder / filename} is missing from the data course_utils was installed with. Install it again "
                "(`pip install --force-reinstall` with the same source), or set "
                f"{DATA_DIR_VAR} to a folder holding {filename} (the course repository's data/ folder).")
    if _is_course_data_folder(folder):
        return (f"{folder / filename} is missing from the course's data folder. Restore it with "
                f"`git checkout -- data/{filename}` in your clone, or set {DATA_DIR_VAR} to a folder holding it.")
    package = Path(__file__).resolve().parent
    if _in_colab():
        return (f"{folder / filename} not found: in Colab, course_utils is installed without the course's data/ "
                f"folder. Upload data/{filename} from the course repository and set os.environ['{DATA_DIR_VAR}'] "
                "to its folder, or check that the runtime has internet access and run the cell again.")
    return (f"{folder / filename} not found: course_utils is installed (at {package}) without the course's data/ "
            f"folder. Run the course from a clone of its repository (`make lab` there), or set {DATA_DIR_VAR} to a "
            f"folder holding {filename} (the repository's data/ folder).")


def _profile(profile) -> Profile:
    """A :class:`Profile`, or a profile's name (``"ci"``), or None for the running one (``COURSE_PROFILE``)."""
    if profile is None:
        return current_profile()
    if isinstance(profile, Profile):
        return profile
    if isinstance(profile, str):
        if profile not in PROFILES:
            raise ValueError(f"profile must be a Profile or one of the names {', '.join(PROFILES)}; got {profile!r}.")
        return PROFILES[profile]
    raise TypeError(f"profile must be a Profile (e.g. info.profile), a profile's name ({', '.join(PROFILES)}) or None; "
                    f"got {profile!r} ({type(profile).__name__}).")


def load_mnist(profile: Profile | str | None = None, *, subset: bool = True) -> MnistSplits:
    """MNIST as ``((x_train, y_train), (x_test, y_test))``, uint8 images of shape (n, 28, 28).

    ``profile`` is a :class:`Profile` (``info.profile`` in a notebook), a profile's name such as ``"ci"``,
    or ``None`` for the running one.  With ``subset=True`` (the default) the first ``profile.mnist_train``
    training and ``profile.mnist_test`` test digits are kept (the whole split when the profile says ``None``).

    >>> (x_train, _), (x_test, _) = load_mnist("ci")
    >>> len(x_train), len(x_test)
    (2000, 1000)
    """
    profile = _profile(profile)
    subset = flag(subset, "subset")
    folder = data_dir()
    path = folder / MNIST_FILE
    if path.exists():
        (x_train, y_train), (x_test, y_test) = _read_mnist(path)
    elif os.environ.get(DATA_DIR_VAR) or _is_course_data_folder(folder):
        raise DataFileError(missing_file_advice(MNIST_FILE))
    else:
        print(f"No local copy of MNIST ({path} not found: course_utils is installed without the course's "
              "data/ folder). Downloading it with keras.datasets.mnist.load_data() instead.")
        try:
            (x_train, y_train), (x_test, y_test) = _download_mnist()
        except Exception as err:  # no network, a proxy, a full disk: say what to do, without urllib's traceback
            reason = (str(err).strip().splitlines() or [type(err).__name__])[0]
            raise DataFileError(f"Downloading MNIST failed ({reason}). {missing_file_advice(MNIST_FILE)}") from None
    if subset:
        x_train, y_train = x_train[: profile.mnist_train], y_train[: profile.mnist_train]
        x_test, y_test = x_test[: profile.mnist_test], y_test[: profile.mnist_test]
    return (x_train, y_train), (x_test, y_test)


def as_network_input(images: np.ndarray) -> np.ndarray:
    """uint8 digits of shape (n, 28, 28) as float32 in [0, 1] with a channel axis: (n, 28, 28, 1).

    >>> as_network_input(np.full((2, 28, 28), 255, np.uint8)).shape
    (2, 28, 28, 1)
    """
    images = np.asarray(images)
    if images.ndim != 3 or images.dtype != np.uint8:
        raise ValueError(f"images must be uint8 of shape (n, height, width), got {images.dtype} {images.shape}.")
    return (images[..., None] / np.float32(255)).astype(np.float32)


def load_photo(name: str, *, max_side: int | None = None, gray: bool = False) -> np.ndarray:
    """A photograph shipped with scikit-image, as float32 in [0, 1].

    ``max_side`` shrinks it (keeping its aspect ratio) so that its longer side is at most
    that many pixels; ``gray`` converts a colour photograph to one channel.

    >>> load_photo("astronaut", max_side=64).shape
    (64, 64, 3)
    """
    if not isinstance(name, str) or name not in PHOTOS:
        raise ValueError(f"name must be one of {', '.join(PHOTOS)}; got {name!r}.")
    if max_side is not None:
        try:
            max_side = positive_int(max_side, "max_side")
        except ValueError:
            raise ValueError(f"max_side must be a positive int or None, got {max_side!r}.") from None
    gray = flag(gray, "gray")
    import skimage.color
    import skimage.data
    import skimage.transform
    import skimage.util

    image = skimage.util.img_as_float32(getattr(skimage.data, name)())
    if gray and image.ndim == 3:
        image = skimage.color.rgb2gray(image[..., :3]).astype(np.float32)
    if max_side is not None and max(image.shape[:2]) > max_side:
        scale = max_side / max(image.shape[:2])
        image = skimage.transform.rescale(image, scale, anti_aliasing=True,
                                          channel_axis=2 if image.ndim == 3 else None)
    return image.astype(np.float32)
