"""`make test`: the unit tests once, then every notebook in each numeric lane, then a summary.

    python scripts/run_lanes.py [--lanes jax,tf-onednn-off] [--skip-unit] [-- PYTEST_ARGS...]

Without ``--lanes`` it runs the default lanes (see ``scripts/lanes.py``): TensorFlow with oneDNN
off and on, JAX, and the GPU when one is visible. A lane this machine cannot run is skipped and
the summary says why. Pytest options after ``--`` go to every pytest run. The exit status is 0
only when every phase that ran passed. The last line counts the tests of all phases.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lanes import DEFAULT_LANES, LANES, parse_lanes, unavailable  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
NO_TESTS_COLLECTED = 5  # pytest's exit status when a selection (-k, a path) leaves nothing to run


@dataclass
class Phase:
    name: str
    what: str
    seconds: float = 0.0
    returncode: int | None = None  # None: skipped
    counts: tuple[int, int, int] = (0, 0, 0)  # passed, failed (errors included), skipped
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.returncode in (None, 0, NO_TESTS_COLLECTED)


def _counts(junit: Path) -> tuple[int, int, int]:
    if not junit.exists():
        return 0, 0, 0
    suite = ET.parse(junit).getroot()
    suite = suite if suite.tag == "testsuite" else suite.find("testsuite")
    tests, failed = int(suite.get("tests", 0)), int(suite.get("failures", 0)) + int(suite.get("errors", 0))
    skipped = int(suite.get("skipped", 0))
    return tests - failed - skipped, failed, skipped


def _pytest(phase: Phase, paths: list[str], env: dict[str, str] | None, pytest_args: list[str]) -> Phase:
    print(f"\n=== {phase.name}: {phase.what}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        junit = Path(tmp) / "junit.xml"
        start = time.perf_counter()
        phase.returncode = subprocess.call([sys.executable, "-m", "pytest", *paths, f"--junitxml={junit}",
                                            *pytest_args], cwd=ROOT, env=env)
        phase.seconds = time.perf_counter() - start
        phase.counts = _counts(junit)
    return phase


def summary(phases: list[Phase]) -> str:
    """The closing table: one line per phase, then the totals in pytest's words."""
    lines = ["", "=== lanes summary", f"{'phase':15s} {'result':8s} {'time':>7s}  tests (passed/failed/skipped)"]
    for p in phases:
        if p.returncode is None:
            lines.append(f"{p.name:15s} {'skipped':8s} {'':>7s}  {p.reason}")
            continue
        result = "passed" if p.returncode == 0 else "no tests" if p.returncode == NO_TESTS_COLLECTED else "FAILED"
        lines.append(f"{p.name:15s} {result:8s} {p.seconds:6.0f}s  {'/'.join(map(str, p.counts))}  {p.what}")
    passed, failed, skipped = (sum(p.counts[i] for p in phases) for i in range(3))
    lines.append(f"lanes: {passed} passed, {failed} failed, {skipped} skipped")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lanes", default=",".join(DEFAULT_LANES), help=f"comma-separated, from {', '.join(LANES)}")
    parser.add_argument("--skip-unit", action="store_true", help="run only the notebook lanes")
    parser.add_argument("pytest_args", nargs="*", help="passed to every pytest run (put them after --)")
    args = parser.parse_args(argv)
    try:
        lanes = parse_lanes(args.lanes)
    except ValueError as error:
        parser.error(str(error))
    phases = []
    if not args.skip_unit:
        phases.append(_pytest(Phase("unit", "course_utils doctests and tests/, once, in this environment"),
                              ["course_utils", "tests"], None, args.pytest_args))
    for lane in lanes:
        reason = unavailable(lane)
        if reason:
            phases.append(Phase(lane.name, lane.description, reason=reason))
            continue
        phases.append(_pytest(Phase(lane.name, lane.description), ["notebooks"], lane.environ(), args.pytest_args))
    print(summary(phases), flush=True)
    return 0 if all(p.ok for p in phases) else 1


if __name__ == "__main__":
    sys.exit(main())
