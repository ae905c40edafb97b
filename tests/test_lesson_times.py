"""benchmarks/lesson_times.py reads each cell's time from the executed notebook and marks what is over budget."""

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("lesson_times", ROOT / "benchmarks" / "lesson_times.py")
lesson_times = importlib.util.module_from_spec(spec)
spec.loader.exec_module(lesson_times)


def _cell(source, start=None, end=None):
    execution = {} if start is None else {"iopub.execute_input": start, "shell.execute_reply": end}
    return {"cell_type": "code", "source": source, "metadata": {"execution": execution}, "outputs": []}


def test_cell_times_come_from_the_kernels_timestamps(tmp_path):
    cells = [_cell("import x", "2026-11-23T10:00:00.000000Z", "2026-11-23T10:00:01.500000Z"),
             {"cell_type": "markdown", "source": "# prose", "metadata": {}},
             _cell("\nmodel.fit(...)\nmore", "2026-11-23T10:00:02Z", "2026-11-23T10:01:02.250000Z"),
             _cell("never ran")]
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps({"cells": cells}))
    assert lesson_times.cell_seconds(path) == [(1.5, 1, "import x"), (60.25, 2, "model.fit(...)")]


def test_a_row_shows_the_three_slowest_cells_and_marks_a_lesson_over_budget():
    cells = [(1.0, 1, "a"), (30.0, 2, "b"), (5.0, 3, "c"), (12.0, 4, "d")]
    line = lesson_times.row("04_x", 50.2, cells, 45)
    assert line == "| 04_x | 50 s OVER | cell 2 30 s `b`; cell 4 12 s `d`; cell 3 5 s `c` |"
    assert "OVER" not in lesson_times.row("04_x", 44.9, cells, 45)
    assert "OVER" not in lesson_times.row("04_x", 500, cells, None)
