"""How comfortably each lesson's measured claims hold, across numeric lanes, seeds and profiles.

Every claim a notebook makes about a training- or float-dependent figure goes through
``course_utils.claims.claim``, which logs it when ``COURSE_CLAIMS_LOG`` is set. This script executes
the chosen notebooks once per (lane, seed), collects those logs, and prints per notebook: the
claim, its threshold, min / median / max of the measured value over the runs, and the smallest
margin with the run that gave it.

    python scripts/claim_margins.py --profile ci --lanes tf-onednn-off,tf-onednn-on,jax --seeds 42,1,2
    python scripts/claim_margins.py --profile student --lanes tf-onednn-off,tf-onednn-on --notebooks 04,05
    python scripts/claim_margins.py --report build/claims/*.jsonl      # only print the table again

Records are appended to ``--out`` (default ``build/claims/<profile>.jsonl``) as each notebook finishes,
tagged with the sha256 of the notebook's code cells; a run already recorded there as ok for the notebook
as it is now is not repeated, so an interrupted call can simply be called again, and a notebook whose
code changed is run afresh (an edit of its prose keeps its records). The table covers the latest record of each run of the notebooks as they are now. Each executed
notebook, outputs and figures included, is kept in ``build/executed/PROFILE/LANE/seedN/``. A run that fails is reported with the claim that failed.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lanes import parse_lanes, unavailable  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
# Seconds a cell may take: the longest student-profile cell takes a few minutes on 2 cores. A kernel
# whose reply never comes (seen when several kernels start at once) is retried after this long.
CELL_TIMEOUT = {"ci": 300, "student": 3600, "full": 3600}


def notebooks(selection: str | None) -> list[Path]:
    """The lesson notebooks whose number prefix is in ``selection`` ("01,05"), or all of them."""
    found = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    if selection is None:
        return found
    wanted = {n.strip().zfill(2) for n in selection.split(",")}
    chosen = [nb for nb in found if nb.name[:2] in wanted]
    if len(chosen) != len(wanted):
        raise SystemExit(f"--notebooks must name lessons among {', '.join(nb.name[:2] for nb in found)}; "
                         f"got {selection!r}.")
    return chosen


def code_sha256(notebook: Path) -> str:
    """sha256 of what a run measures: the notebook's code cells after the setup cell, in order.

    Prose, cell metadata and the file's layout change no measured figure, so editing them keeps the
    notebook's records; any change to a lesson's code cell makes it a new notebook to measure. The
    setup cell (the first code cell, the same in every lesson: tests/test_notebook_format.py) only
    installs and imports course_utils and calls ``setup()``; what ``setup()`` does is library code.
    """
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    code = ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "code"][1:]
    return hashlib.sha256("\0".join(code).encode()).hexdigest()


def latest(records: list[dict]) -> list[dict]:
    """The records of the most recent attempt of each (notebook, lane, seed, profile) run."""
    key = lambda r: (r["notebook"], r["lane"], r["seed"], r["profile"])  # noqa: E731
    last = {}
    for r in records:
        last[key(r)] = max(last.get(key(r), 0), r.get("at", 0))
    return [r for r in records if r.get("at", 0) == last[key(r)]]


def execute(notebook: Path, lane, seed: int, profile: str) -> list[dict]:
    """Run one notebook top to bottom in a fresh kernel; return its claims and a run record, tagged with the run."""
    tag = {"notebook": notebook.stem, "lane": lane.name, "seed": seed, "profile": profile,
           "code_sha256": code_sha256(notebook), "at": time.time()}
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "claims.jsonl"
        env = lane.environ() | {"COURSE_PROFILE": profile, "COURSE_SEED": str(seed), "COURSE_CLAIMS_LOG": str(log),
                                "TF_CPP_MIN_LOG_LEVEL": "3"}  # matplotlib's inline backend: the figures are kept
        for attempt in range(2):  # a kernel that never answers (a port race between kernels) gets one retry
            log.unlink(missing_ok=True)
            start = time.perf_counter()
            result = subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
                                     f"--ExecutePreprocessor.timeout={CELL_TIMEOUT[profile]}", "--output-dir", tmp,
                                     str(notebook)], env=env, cwd=notebook.parent, capture_output=True, text=True)
            seconds = round(time.perf_counter() - start, 1)
            if "TimeoutError" not in result.stderr:
                break
        records = [json.loads(line) | tag for line in log.read_text().splitlines()] if log.exists() else []
        executed = Path(tmp) / notebook.name
        if executed.exists():  # kept, with its outputs and figures, to be looked at
            kept = ROOT / "build" / "executed" / profile / lane.name / f"seed{seed}"
            kept.mkdir(parents=True, exist_ok=True)
            shutil.copy(executed, kept / notebook.name)
    error = "" if result.returncode == 0 else result.stderr.strip().splitlines()[-1][:300]
    status = "failed" if error else "ok"
    print(f"{notebook.stem} [{lane.name}, seed {seed}, {profile}]: {status} in {seconds:.0f} s, "
          f"{len(records)} claims{': ' + error if error else ''}", flush=True)
    return records + [tag | {"run": status, "seconds": seconds, "error": error}]


def report(records: list[dict]) -> str:
    """The margin table, one block per notebook; the run records give the coverage line."""
    runs = [r for r in records if "run" in r]
    claims = [r for r in records if "claim" in r]
    lines = []
    for notebook in sorted({r["notebook"] for r in runs} | {r["notebook"] for r in claims}):
        mine = [r for r in runs if r["notebook"] == notebook]
        lanes = sorted({r["lane"] for r in mine})
        seeds = sorted({r["seed"] for r in mine})
        profiles = sorted({r["profile"] for r in mine})
        failed = [r for r in mine if r["run"] != "ok"]
        lines += ["", f"## {notebook}: {len(mine)} runs ({', '.join(profiles)}; lanes {', '.join(lanes)}; "
                      f"seeds {', '.join(map(str, seeds))}){f'; {len(failed)} FAILED' if failed else ''}",
                  "| profile | claim | threshold | runs | min | median | max | smallest margin (lane, seed) |",
                  "| --- | --- | --- | --- | --- | --- | --- | --- |"]
        groups = defaultdict(list)
        for r in claims:
            if r["notebook"] == notebook:
                groups[r["profile"], r["claim"]].append(r)
        worst_overall = None
        for (profile, claim), group in sorted(groups.items()):
            values = [r["value"] for r in group]
            worst = min(group, key=lambda r: r["margin"])
            thresholds = sorted({f"{r['op']} {r['threshold']:.4g}" for r in group})
            lines.append(f"| {profile} | {claim} | {' / '.join(thresholds)} | {len(group)} | {min(values):.4g} | "
                         f"{statistics.median(values):.4g} | {max(values):.4g} | {worst['margin']:.3g} "
                         f"({worst['lane']}, {worst['seed']}){'' if worst['holds'] else ' FAILS'} |")
            relative = worst["margin"] / max(abs(worst["threshold"]), abs(worst["value"]), 1e-12)
            if worst_overall is None or relative < worst_overall[0]:
                worst_overall = (relative, claim, profile, worst)
        for r in failed:
            lines.append(f"| {r['profile']} | run failed ({r['lane']}, seed {r['seed']}) | | | | | | {r['error']} |")
        if worst_overall:
            relative, claim, profile, worst = worst_overall
            lines.append(f"\nSmallest margin relative to its threshold: {relative:.0%} ({claim}, {profile}, "
                         f"{worst['lane']}, seed {worst['seed']})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="ci", choices=["ci", "student", "full"])
    parser.add_argument("--lanes", default="tf-onednn-off,tf-onednn-on,jax")
    parser.add_argument("--seeds", default="42,1,2", help="comma-separated COURSE_SEED values")
    parser.add_argument("--notebooks", help="lesson numbers, e.g. 04,05 (default: all)")
    parser.add_argument("--jobs", type=int, default=2, help="notebooks executed at once")
    parser.add_argument("--out", type=Path, help="JSON lines file to append to (default build/claims/PROFILE.jsonl)")
    parser.add_argument("--report", nargs="+", type=Path, metavar="JSONL", help="only print the table of these files")
    args = parser.parse_args(argv)
    if args.report:
        print(report(latest(of_current_notebooks([record for path in args.report for record in _read(path)]))))
        return 0
    lanes = parse_lanes(args.lanes)
    for lane in lanes:
        if reason := unavailable(lane):
            raise SystemExit(f"lane {lane.name} cannot run here: {reason}")
    seeds = [int(s) for s in args.seeds.split(",")]
    out = args.out or ROOT / "build" / "claims" / f"{args.profile}.jsonl"
    out.parent.mkdir(parents=True, exist_ok=True)
    recorded = of_current_notebooks(_read(out))
    done = {(r["notebook"], r["lane"], r["seed"], r["profile"]) for r in latest(recorded) if r.get("run") == "ok"}
    runs = [run for run in itertools.product(notebooks(args.notebooks), lanes, seeds)
            if (run[0].stem, run[1].name, run[2], args.profile) not in done]
    print(f"{len(runs)} runs to do ({len(done)} already recorded in {out})", flush=True)
    lock = threading.Lock()

    def run_and_record(run):
        records = execute(*run, args.profile)
        with lock, open(out, "a", encoding="utf-8") as f:
            f.writelines(json.dumps(r) + "\n" for r in records)
        return records

    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        results = list(pool.map(run_and_record, runs))
    print(report(latest(recorded + [r for result in results for r in result])))
    print(f"\n(records in {os.path.relpath(out, ROOT)})")
    return 0 if all(r.get("run", "ok") == "ok" for result in results for r in result) else 1


def of_current_notebooks(records: list[dict]) -> list[dict]:
    """The records made by the notebooks' code as it is now."""
    current = {nb.stem: code_sha256(nb) for nb in notebooks(None)}
    return [r for r in records if r["notebook"] in current and r.get("code_sha256") == current[r["notebook"]]]


def _read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


if __name__ == "__main__":
    sys.exit(main())
