"""The numeric lanes of `make test` and the scripts that run them (scripts/lanes.py, run_lanes.py, claim_margins.py)."""

import json
import os
import stat
import sys
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"
sys.path.insert(0, str(SCRIPTS))

import claim_margins  # noqa: E402
import lanes  # noqa: E402
import run_lanes  # noqa: E402


def test_default_lanes_cover_both_tensorflow_kernel_families_and_jax():
    chosen = {name: lanes.LANES[name].env for name in lanes.DEFAULT_LANES}
    assert chosen["tf-onednn-off"]["TF_ENABLE_ONEDNN_OPTS"] == "0"
    assert chosen["tf-onednn-on"]["TF_ENABLE_ONEDNN_OPTS"] == "1"
    assert chosen["jax"]["KERAS_BACKEND"] == "jax"
    assert all(env["CUDA_VISIBLE_DEVICES"] == "-1" for name, env in chosen.items() if name != "gpu")
    assert "CUDA_VISIBLE_DEVICES" not in chosen["gpu"]


def test_unknown_lane_names_are_refused_with_the_choices():
    with pytest.raises(ValueError, match=r"lanes must be a comma-separated list of tf-onednn-off, .*; got 'tf,jax'"):
        lanes.parse_lanes("tf,jax")


def test_a_lane_whose_backend_is_missing_is_skipped_with_the_reason():
    missing = lanes.Lane("x", "nothing", {}, "no_such_module_here")
    assert lanes.unavailable(missing).startswith("no_such_module_here is not installed")


def _fake_nvidia_smi(folder: Path, output: str) -> None:
    tool = folder / "nvidia-smi"
    tool.write_text(f"#!/bin/sh\necho '{output}'\n")
    tool.chmod(tool.stat().st_mode | stat.S_IEXEC)


def test_gpu_lane_needs_a_gpu_that_tensorflow_sees(tmp_path, monkeypatch):
    gpu = lanes.LANES["gpu"]
    monkeypatch.setenv("PATH", str(tmp_path))  # no nvidia-smi on PATH
    assert lanes.unavailable(gpu, python=sys.executable) == "no NVIDIA GPU (nvidia-smi not found)"
    _fake_nvidia_smi(tmp_path, "GPU 0: NVIDIA H100 (UUID: GPU-0)")
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    if lanes.unavailable(gpu) is None:
        pytest.skip("a real GPU is visible to TensorFlow here")
    assert "TensorFlow sees none" in lanes.unavailable(gpu)


def test_summary_counts_every_phase_and_names_skipped_lanes():
    phases = [run_lanes.Phase("unit", "tests", 10.0, 0, (100, 0, 2)),
              run_lanes.Phase("jax", "JAX", 60.0, 1, (40, 1, 0)),
              run_lanes.Phase("gpu", "GPU", reason="no NVIDIA GPU (nvidia-smi not found)")]
    text = run_lanes.summary(phases)
    assert "gpu             skipped" in text and "no NVIDIA GPU" in text
    assert "jax             FAILED" in text
    assert text.splitlines()[-1] == "lanes: 140 passed, 1 failed, 2 skipped"
    assert not phases[1].ok and phases[2].ok


def test_junit_counts(tmp_path):
    junit = tmp_path / "junit.xml"
    junit.write_text('<testsuites><testsuite tests="10" failures="1" errors="1" skipped="3"/></testsuites>')
    assert run_lanes._counts(junit) == (5, 2, 3)
    assert run_lanes._counts(tmp_path / "missing.xml") == (0, 0, 0)


def _records():
    runs = [{"notebook": "05_x", "lane": lane, "seed": seed, "profile": "ci", "run": "ok", "seconds": 1.0, "error": ""}
            for lane in ("tf-onednn-off", "jax") for seed in (1, 2)]
    claims = [{"notebook": "05_x", "lane": r["lane"], "seed": r["seed"], "profile": "ci", "claim": "gap",
               "value": value, "op": ">", "threshold": 0.2, "margin": round(value - 0.2, 12), "holds": value > 0.2}
              for r, value in zip(runs, (0.5, 0.9, 0.25, 0.7))]
    return runs + claims


def test_margin_report_gives_min_median_max_and_the_worst_run():
    text = claim_margins.report(_records())
    assert "05_x: 4 runs (ci; lanes jax, tf-onednn-off; seeds 1, 2)" in text
    row = next(line for line in text.splitlines() if line.startswith("| ci | gap"))
    assert row == "| ci | gap | > 0.2 | 4 | 0.25 | 0.6 | 0.9 | 0.05 (jax, 1) |"
    assert "Smallest margin relative to its threshold: 20% (gap, ci, jax, seed 1)" in text


def test_margin_report_flags_failed_runs_and_claims(tmp_path):
    records = _records()
    records[0] |= {"run": "failed", "error": "AssertionError: claim failed"}
    records[-1] |= {"value": 0.1, "margin": -0.1, "holds": False}
    text = claim_margins.report(records)
    assert "1 FAILED" in text and "run failed (tf-onednn-off, seed 1)" in text
    assert "-0.1 (jax, 2) FAILS" in text
    path = tmp_path / "r.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records))
    assert claim_margins.main(["--report", str(path)]) == 0


def test_only_the_latest_attempt_of_each_run_is_reported():
    first = [{"notebook": "n", "lane": "jax", "seed": 1, "profile": "ci", "at": 1.0, "run": "failed", "error": "x"}]
    again = [{"notebook": "n", "lane": "jax", "seed": 1, "profile": "ci", "at": 2.0, "run": "ok"},
             {"notebook": "n", "lane": "jax", "seed": 1, "profile": "ci", "at": 2.0, "claim": "c", "value": 1.0}]
    other = [{"notebook": "n", "lane": "jax", "seed": 2, "profile": "ci", "at": 1.5, "run": "ok"}]
    assert claim_margins.latest(first + again + other) == again + other


def test_records_follow_the_notebooks_code_not_its_prose(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Title"), nbformat.v4.new_code_cell("setup()"),
                                         nbformat.v4.new_code_cell("x = 1")])
    path = tmp_path / "05_x.ipynb"
    nbformat.write(nb, path)
    before = claim_margins.code_sha256(path)
    nb.cells[0].source = "# Another title"
    nb.cells[2].metadata["slideshow"] = {"slide_type": "fragment"}
    nb.cells[1].source = "import course_utils\nsetup()"  # the setup cell, the same in every lesson
    nbformat.write(nb, path)
    assert claim_margins.code_sha256(path) == before
    nb.cells[2].source = "x = 2"
    nbformat.write(nb, path)
    assert claim_margins.code_sha256(path) != before


def test_only_records_of_the_current_code_are_reported():
    lesson = claim_margins.notebooks("01")[0]
    current = {"notebook": lesson.stem, "code_sha256": claim_margins.code_sha256(lesson)}
    stale = {"notebook": lesson.stem, "code_sha256": "0" * 64}
    assert claim_margins.of_current_notebooks([current, stale, {"notebook": "99_gone"}]) == [current]
