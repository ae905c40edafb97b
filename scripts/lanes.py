"""The numeric lanes the notebooks are tested in, and whether this machine can run each one.

A lane is a set of environment variables that picks a backend and its kernels. TensorFlow's CPU
kernels differ by CPU: oneDNN on CPUs with AVX-512-class features, other kernels elsewhere (most
laptops), and the two round differently; ``TF_ENABLE_ONEDNN_OPTS`` forces either family on any
x86 machine. A lesson's claim counts only if it holds in every lane.

Used by ``scripts/run_lanes.py`` (``make test``) and ``scripts/claim_margins.py``.

Example:
    >>> LANES["tf-onednn-off"].env["TF_ENABLE_ONEDNN_OPTS"]
    '0'
    >>> sorted(DEFAULT_LANES)
    ['gpu', 'jax', 'tf-onednn-off', 'tf-onednn-on']
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass

NO_GPU = {"CUDA_VISIBLE_DEVICES": "-1"}  # CPU lanes stay on the CPU even where a GPU is visible


@dataclass(frozen=True)
class Lane:
    name: str
    description: str
    env: dict[str, str]
    module: str  # what must import in this lane's Python

    def environ(self, base: dict[str, str] | None = None) -> dict[str, str]:
        """``base`` (default: this process's environment) with the lane's variables set."""
        return dict(os.environ if base is None else base) | self.env


LANES = {lane.name: lane for lane in (
    Lane("tf-onednn-off", "TensorFlow, CPU, oneDNN off (most laptops: AMD, many Intel Core chips)",
         {"KERAS_BACKEND": "tensorflow", "TF_ENABLE_ONEDNN_OPTS": "0", **NO_GPU}, "tensorflow"),
    Lane("tf-onednn-on", "TensorFlow, CPU, oneDNN on (the default on CPUs with AVX-512)",
         {"KERAS_BACKEND": "tensorflow", "TF_ENABLE_ONEDNN_OPTS": "1", **NO_GPU}, "tensorflow"),
    Lane("jax", "JAX, CPU (XLA's kernels)", {"KERAS_BACKEND": "jax", "JAX_PLATFORMS": "cpu", **NO_GPU}, "jax"),
    Lane("torch", "PyTorch, CPU (maintainers: make test-torch)", {"KERAS_BACKEND": "torch", **NO_GPU}, "torch"),
    Lane("gpu", "TensorFlow on the visible GPU, mixed_float16 (setup() turns it on)",
         {"KERAS_BACKEND": "tensorflow"}, "tensorflow"),
)}
DEFAULT_LANES = ("tf-onednn-off", "tf-onednn-on", "jax", "gpu")

_GPU_PROBE = "import tensorflow as tf; print(len(tf.config.list_physical_devices('GPU')))"


def unavailable(lane: Lane, python: str = sys.executable) -> str | None:
    """Why ``lane`` cannot run here (a sentence), or None when it can."""
    probe = subprocess.run([python, "-c", f"import {lane.module}"], env=lane.environ(), capture_output=True)
    if probe.returncode != 0:
        return f"{lane.module} is not installed in {python}"
    if lane.name != "gpu":
        return None
    if shutil.which("nvidia-smi") is None:
        return "no NVIDIA GPU (nvidia-smi not found)"
    listed = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True)
    if listed.returncode != 0 or "GPU" not in listed.stdout:
        return "no NVIDIA GPU (nvidia-smi lists none)"
    seen = subprocess.run([python, "-c", _GPU_PROBE], env=lane.environ() | {"TF_CPP_MIN_LOG_LEVEL": "3"},
                          capture_output=True, text=True)
    if seen.stdout.strip() in ("", "0"):
        return "nvidia-smi lists a GPU but TensorFlow sees none (the CPU build of TensorFlow is installed)"
    return None


def parse_lanes(text: str) -> list[Lane]:
    """Lanes from a comma-separated list of names; ``ValueError`` naming the unknown ones.

    >>> [lane.name for lane in parse_lanes("jax, tf-onednn-off")]
    ['jax', 'tf-onednn-off']
    """
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in LANES]
    if unknown or not names:
        raise ValueError(f"lanes must be a comma-separated list of {', '.join(LANES)}; got {text!r}.")
    return [LANES[name] for name in names]
