"""The one setup call at the top of every notebook.

It fixes the random seeds, reads the course profile, picks up a GPU when the
running Keras backend sees one (and only then turns on mixed precision: on a CPU the course trains in
float32, because ``mixed_bfloat16`` was more than twice as slow as float32 for lesson 04's recipe on a
2-core AVX2 CPU, ``benchmarks/mnist_recipes.py``: a CPU without bfloat16 instructions emulates them), trains data
parallel over several GPUs in the ``full`` profile under JAX (:func:`data_parallel`),
keeps TensorFlow's C++ start-up log out of the notebook, and reports all of that in a
few lines.

Example:
    >>> from course_utils import setup
    >>> info = setup(seed=0)          # doctest: +SKIP
    Course profile: student (full data, enough epochs for the lesson's point: minutes on a laptop CPU)
    Keras 3.15.1, backend tensorflow 2.21.0 | Python 3.11.7 | numpy 2.4.6
    Devices: CPU only (no GPU visible to tensorflow) | mixed precision: off (never on a CPU)
    Random seed: 0 (Python, numpy and tensorflow; set COURSE_SEED to change it)

The seed comes from ``COURSE_SEED`` when it is set (42 otherwise), so a whole lesson can be
re-run with other random draws without editing it:

    >>> current_seed({"COURSE_SEED": "7"}), current_seed({})
    (7, 42)
"""

from __future__ import annotations

import contextlib
import os
import platform
from collections.abc import Mapping
from dataclasses import dataclass, field

from course_utils.profiles import Profile, current_profile
from course_utils.validation import MAX_SEED, flag, seed_value

SEED_VAR = "COURSE_SEED"
DEFAULT_SEED = 42


@dataclass(frozen=True)
class SetupInfo:
    """What :func:`setup` found and did; ``report()`` is the text it prints."""

    profile: Profile
    backend: str
    versions: dict[str, str]
    gpus: list[str] = field(default_factory=list)
    mixed_precision: bool = False
    seed: int = DEFAULT_SEED
    parallel: str = ""

    def report(self) -> str:
        devices = (f"GPU: {', '.join(self.gpus)}" if self.gpus
                   else f"CPU only (no GPU visible to {self.backend})")
        v = self.versions
        return "\n".join([
            f"Course profile: {self.profile.name} ({self.profile.description})",
            f"Keras {v['keras']}, backend {self.backend} {v.get(self.backend, '')}".rstrip()
            + f" | Python {v['python']} | numpy {v['numpy']}",
            f"Devices: {devices} | mixed precision: {'on (mixed_float16)' if self.mixed_precision else 'off (never on a CPU)'}"
            + (f" | {self.parallel}" if self.parallel else ""),
            f"Random seed: {self.seed} (Python, numpy and {self.backend}; set {SEED_VAR} to change it)",
        ])


@contextlib.contextmanager
def _stderr_silenced():
    """Send file descriptor 2 to /dev/null for the duration (C++ libraries write there directly)."""
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _version(package: str) -> str:
    import importlib.metadata  # about 40 ms: kept out of `import course_utils`

    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def _visible_gpus(backend: str) -> list[str]:
    """Names of the GPUs the running backend can use (empty on a CPU-only machine)."""
    if backend == "tensorflow":
        import tensorflow as tf

        gpus = tf.config.list_physical_devices("GPU")
        for gpu in gpus:  # share the card politely instead of grabbing all its memory
            with contextlib.suppress(RuntimeError):
                tf.config.experimental.set_memory_growth(gpu, True)
        return [gpu.name for gpu in gpus]
    if backend == "jax":
        import jax

        return [str(d) for d in jax.devices() if d.platform == "gpu"]
    if backend == "torch":
        import torch

        return [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    return []


def data_parallel(devices: list[str]):
    """Train every model on ``devices`` at once: each batch split along its first axis, one slice per device.

    Keras's distribution API (``keras.distribution.DataParallel``; JAX backend): the weights are
    replicated, each device computes the gradient of its slice, and the gradients are averaged, so one
    step equals a step on the whole batch up to float rounding. Returns the distribution, now global.

    >>> import keras
    >>> data_parallel(keras.distribution.list_devices("cpu")[:1]).device_mesh.shape   # doctest: +SKIP
    (1,)
    """
    import keras

    if keras.backend.backend() != "jax":
        raise ValueError(f"data_parallel needs the JAX backend (KERAS_BACKEND=jax), not {keras.backend.backend()!r}: "
                         "Keras's distribution API runs on JAX.")
    if isinstance(devices, str) or not devices:
        raise ValueError(f"devices must be a non-empty list of device names such as ['gpu:0', 'gpu:1'], got {devices!r}.")
    distribution = keras.distribution.DataParallel(devices=list(devices))
    keras.distribution.set_distribution(distribution)
    return distribution


def _parallel(backend: str, gpus: list[str], profile: Profile) -> str:
    """Set up training over several GPUs where the course can (the full profile under JAX); say what was done."""
    if len(gpus) < 2:
        return ""
    if backend != "jax":
        return f"{len(gpus)} GPUs visible, models train on the first (KERAS_BACKEND=jax trains on all)"
    if profile.name != "full":
        return f"{len(gpus)} GPUs visible, models train on the first (COURSE_PROFILE=full trains on all)"
    import keras

    data_parallel(keras.distribution.list_devices("gpu"))
    return f"data parallel over {len(gpus)} GPUs (keras.distribution.DataParallel)"


def current_seed(environ: Mapping[str, str] | None = None) -> int:
    """The course's random seed: ``COURSE_SEED`` when set, else 42.

    Raises ``ValueError`` naming the variable unless it is a non-negative whole number.
    """
    environ = os.environ if environ is None else environ
    text = environ.get(SEED_VAR, "").strip()
    if not text:
        return DEFAULT_SEED
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_SEED:
        raise ValueError(f"{SEED_VAR}={environ[SEED_VAR]!r} is not a seed; allowed: a whole number from 0 to "
                         f"{MAX_SEED} (unset means {DEFAULT_SEED}).")
    return int(text)


def setup(seed: int | None = None, *, verbose: bool = True) -> SetupInfo:
    """Prepare a notebook: profile, seeds, backend, GPU, quiet logs; print a short report.

    Call it once, at the top of the notebook, before building any model. ``seed=None`` takes
    :func:`current_seed` (``COURSE_SEED``, else 42); the notebook passes ``info.seed`` on to
    every training run, so one variable changes every random draw of the lesson.
    """
    seed = current_seed() if seed is None else seed_value(seed)
    verbose = flag(verbose, "verbose")
    profile = current_profile()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # before TensorFlow is first imported
    with _stderr_silenced():  # also around set_random_seed: under JAX or torch it may import TensorFlow
        import keras

        backend = keras.backend.backend()
        gpus = _visible_gpus(backend)
        keras.utils.set_random_seed(seed)
        keras.mixed_precision.set_global_policy("mixed_float16" if gpus else "float32")
        parallel = _parallel(backend, gpus, profile)
    versions = {"keras": keras.__version__, "python": platform.python_version()}
    versions |= {package: _version(package) for package in (backend, "numpy")}  # backends are named as on PyPI
    info = SetupInfo(profile, backend, versions, gpus, bool(gpus), seed, parallel)
    if verbose:
        print(info.report())
    return info
