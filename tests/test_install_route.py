"""What `make lab` / `make test` install: the CUDA builds only where nvidia-smi lists a GPU, and the lab settings.

`make -n` prints the commands without running them; a fake `nvidia-smi` first on PATH plays the machine.
"""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PINNED = dict(re.findall(r"^([\w-]+)==([\w.]+)", (ROOT / "requirements.txt").read_text(), re.M))


def _dry_run(tmp_path, nvidia_smi: str) -> str:
    """`make -n lab` with a fresh venv path and a fake nvidia-smi running ``nvidia_smi`` (a shell body)."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "nvidia-smi"
    fake.write_text(f"#!/bin/sh\n{nvidia_smi}\n")
    fake.chmod(0o755)
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(tmp_path)}
    result = subprocess.run(["make", "-n", "lab", f"VENV={tmp_path / 'venv'}", f"PYTHON={sys.executable}"],
                            cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return result.stdout


def test_a_listed_gpu_gets_the_cuda_builds_at_the_pinned_versions(tmp_path):
    out = _dry_run(tmp_path, 'echo "GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-0000)"')
    install = next(line for line in out.splitlines() if "pip install" in line)
    assert f'"tensorflow[and-cuda]=={PINNED["tensorflow"]}"' in install
    assert f'"jax[cuda12]=={PINNED["jax"]}"' in install
    assert "the CUDA build" in out


@pytest.mark.parametrize("nvidia_smi", ["exit 9", 'echo "No devices were found"'], ids=["fails", "no GPU listed"])
def test_no_gpu_gets_the_cpu_builds_and_says_so(tmp_path, nvidia_smi):
    out = _dry_run(tmp_path, nvidia_smi)
    install = next(line for line in out.splitlines() if "pip install" in line)
    assert "cuda" not in install.lower()
    assert "-r requirements.txt -c constraints.txt" in install
    assert "the CPU build" in out


def test_the_install_shows_progress_and_lab_installs_the_notebook_filter(tmp_path):
    out = _dry_run(tmp_path, "exit 9")
    assert "--quiet" not in out and "downloads about" in out
    assert "nbstripout --install" in out
    assert "overrides.json" in out


def test_the_lab_settings_turn_the_news_off_with_keys_jupyterlab_knows():
    import jupyterlab

    overrides = json.loads((ROOT / "config" / "jupyterlab-overrides.json").read_text())
    schemas = Path(sys.prefix) / "share" / "jupyter" / "lab" / "schemas"
    if not schemas.is_dir():
        pytest.skip(f"JupyterLab {jupyterlab.__version__}'s schemas are not under {sys.prefix}")
    for plugin, settings in overrides.items():
        package, name = plugin.split(":")
        schema = json.loads((schemas / package / f"{name}.json").read_text())
        for key, value in settings.items():
            spec = schema["properties"][key]
            allowed = [option["const"] for option in spec.get("oneOf", [])] or [True, False]
            assert value in allowed, f"{plugin} {key}={value!r}: allowed {allowed}"
    assert overrides["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"
