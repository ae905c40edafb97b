"""How long each lesson takes: the whole notebook and its three slowest cells, per profile and lane.

    .venv/bin/python benchmarks/lesson_times.py --profile student --lanes tf-onednn-off
    .venv/bin/python benchmarks/lesson_times.py --profile ci --lanes tf-onednn-off,tf-onednn-on --notebooks 04,05

Each notebook runs alone, one after the other, top to bottom in a fresh kernel, the way
``scripts/claim_margins.py`` runs it (so its claims are recorded in ``build/claims/PROFILE.jsonl`` as
well, and the executed copy is kept in ``build/executed/``). The notebook's time is the wall time of
the whole run, kernel start included; a cell's time is what the kernel reported for it. The course's
budgets (issue 16; 2 CPU cores, ``TF_ENABLE_ONEDNN_OPTS=0``): under 45 s a notebook in ``ci``, under
4 minutes a lesson and 20 minutes in all in ``student``; a time over its budget is marked. These are
wall times: run on a quiet machine, and compare only figures taken side by side.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import claim_margins  # noqa: E402
from lanes import parse_lanes, unavailable  # noqa: E402

BUDGET = {"ci": (45, None), "student": (240, 1200)}  # seconds: a notebook, the whole course


def cell_seconds(executed: Path) -> list[tuple[float, int, str]]:
    """(seconds, code cell number from 1, its first line) for each executed code cell, from nbclient's timestamps."""
    cells = [c for c in json.loads(executed.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"]
    timed = []
    for number, cell in enumerate(cells, start=1):
        stamps = cell.get("metadata", {}).get("execution", {})
        if "iopub.execute_input" in stamps and "shell.execute_reply" in stamps:
            start, end = (datetime.fromisoformat(stamps[k].replace("Z", "+00:00"))
                          for k in ("iopub.execute_input", "shell.execute_reply"))
            first = "".join(cell["source"]).strip().splitlines()[0] if "".join(cell["source"]).strip() else ""
            timed.append(((end - start).total_seconds(), number, first))
    return timed


def row(lesson: str, seconds: float, cells: list[tuple[float, int, str]], budget: float | None) -> str:
    """One line of the table: the lesson, its time (marked when over budget) and its three slowest cells."""
    slowest = sorted(cells, reverse=True)[:3]
    shown = "; ".join(f"cell {n} {s:.0f} s `{first[:40]}`" for s, n, first in slowest)
    over = " OVER" if budget is not None and seconds > budget else ""
    return f"| {lesson} | {seconds:.0f} s{over} | {shown} |"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="ci", choices=["ci", "student", "full"])
    parser.add_argument("--lanes", default="tf-onednn-off")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--notebooks", help="lesson numbers, e.g. 04,05 (default: all)")
    args = parser.parse_args(argv)
    per_lesson, total_budget = BUDGET.get(args.profile, (None, None))
    out = ROOT / "build" / "claims" / f"{args.profile}.jsonl"
    out.parent.mkdir(parents=True, exist_ok=True)
    failed = False
    for lane in parse_lanes(args.lanes):
        if reason := unavailable(lane):
            raise SystemExit(f"lane {lane.name} cannot run here: {reason}")
        print(f"\n## {args.profile} profile, lane {lane.name}, seed {args.seed}\n", flush=True)
        lines, total = ["| lesson | notebook | three slowest cells |", "| --- | --- | --- |"], 0.0
        for notebook in claim_margins.notebooks(args.notebooks):
            records = claim_margins.execute(notebook, lane, args.seed, args.profile)
            with open(out, "a", encoding="utf-8") as f:
                f.writelines(json.dumps(r) + "\n" for r in records)
            run = records[-1]
            failed |= run["run"] != "ok"
            executed = ROOT / "build" / "executed" / args.profile / lane.name / f"seed{args.seed}" / notebook.name
            if run["run"] == "ok":
                lines.append(row(notebook.stem, run["seconds"], cell_seconds(executed), per_lesson))
            else:
                lines.append(f"| {notebook.stem} | failed after {run['seconds']:.0f} s | {run['error'][:100]} |")
            total += run["seconds"]
        over = " OVER" if total_budget is not None and total > total_budget else ""
        lines.append(f"| all | {total:.0f} s ({total / 60:.1f} min){over} | |")
        print("\n".join(lines), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
