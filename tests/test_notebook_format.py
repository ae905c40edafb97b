"""Every lesson notebook follows the course template (COURSE_DESIGN.md, "What every notebook looks like")."""

import re
import tomllib
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
REPO = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["urls"]["Homepage"].removeprefix(
    "https://github.com/")
SLIDE_TYPES = {"slide", "subslide", "fragment", "notes", "skip", "-"}


def _read(path):
    return nbformat.read(path, as_version=4)


def test_lessons_are_numbered_from_01_without_gaps():
    numbers = [int(p.name[:2]) for p in NOTEBOOKS]
    assert numbers == list(range(1, len(numbers) + 1)) and numbers
    assert all(re.fullmatch(r"\d\d_[a-z0-9_]+\.ipynb", p.name) for p in NOTEBOOKS)


@pytest.fixture(params=NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def notebook(request):
    return request.param, _read(request.param)


def test_valid_nbformat(notebook):
    nbformat.validate(notebook[1])


def test_stored_without_outputs(notebook):
    for cell in notebook[1].cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.source[:60]


def test_title_cell_has_objectives_run_time_and_colab_badge(notebook):
    path, nb = notebook
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith(f"# Lesson {path.name[:2]}: ")
    badge = f"https://colab.research.google.com/github/{REPO}/blob/main/notebooks/{path.name}"
    assert badge in first.source and "colab-badge.svg" in first.source
    assert "You will be able to" in first.source and "Run time" in first.source


def _setup_cell(nb) -> str:
    return next(c for c in nb.cells if c.cell_type == "code").source


def test_setup_cell_installs_in_colab_and_calls_setup(notebook):
    setup = _setup_cell(notebook[1])
    assert '"google.colab" in sys.modules' in setup
    assert f"git+https://github.com/{REPO}" in setup
    assert "course_utils.setup()" in setup


def test_every_lesson_has_lesson_01s_setup_cell():
    first = _setup_cell(_read(NOTEBOOKS[0]))
    assert [p.name for p in NOTEBOOKS if _setup_cell(_read(p)) != first] == []


def test_setup_cell_says_how_to_install_where_course_utils_is_missing(monkeypatch):
    from IPython.core.inputtransformer2 import TransformerManager

    python = TransformerManager().transform_cell(_setup_cell(_read(NOTEBOOKS[0])))
    monkeypatch.setitem(__import__("sys").modules, "course_utils", None)  # not importable, as outside a clone
    with pytest.raises(ModuleNotFoundError) as raised:
        exec(python, {"get_ipython": lambda: pytest.fail("%pip ran outside Colab")})
    assert "make lab" in str(raised.value) and f'%pip install "course-utils @ git+https://github.com/{REPO}"' in str(
        raised.value) and raised.value.__cause__ is None


def test_every_cell_has_slide_metadata_and_the_first_starts_a_slide(notebook):
    cells = notebook[1].cells
    types = [c.metadata.get("slideshow", {}).get("slide_type") for c in cells]
    assert set(types) <= SLIDE_TYPES, set(types) - SLIDE_TYPES
    assert types[0] == "slide"
    assert {"slide", "subslide", "fragment", "notes"} <= set(types)


def test_exercises_use_the_lesson_module_and_hide_their_solutions(notebook):
    import importlib

    path, nb = notebook
    module = importlib.import_module(f"course_utils.exercises.lesson{path.name[:2]}")
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    checked = set(re.findall(r"^ex\.(\w+)\.check\(", code, flags=re.M))
    assert len(checked) >= 2
    assert checked == {name for name, value in vars(module).items() if hasattr(value, "check")}
    assert not re.search(r"^ex\.\w+\.solution\(", code, flags=re.M), "solutions stay commented out"
    assert set(re.findall(r"^# ex\.(\w+)\.solution\(\)", code, flags=re.M)) == checked


# The five lecture notes the course draws on, as the README's "Sources" names them.
LECTURES = ("Ollion and Grisel", "Khanzhina", "Pitié", "Key Concepts", "Ponti")


def test_ends_with_a_recap_then_sources_and_further_reading(notebook):
    cells = notebook[1].cells
    starts = [i for i, c in enumerate(cells) if c.cell_type == "markdown"
              and c.source.startswith(("## Recap", "## Sources and further reading"))]
    assert [cells[i].source.split("\n")[0] for i in starts] == ["## Recap", "## Sources and further reading"]
    recap, sources = starts
    assert sources == recap + 1, "the sources follow the recap"
    assert all(c.cell_type == "markdown" for c in cells[sources:]), "the sources close the lesson"
    text = "\n".join(c.source for c in cells[sources:])
    assert any(lecture in text for lecture in LECTURES), "names the lecture notes it draws on"
    papers = re.findall(r"^- [^\n]*\((?:19|20)\d\d\)\. [^\n]+", text, flags=re.M)
    assert len(papers) >= 2, "cites original papers: authors (year). Title. Venue."


# A lecture is named by its author, course and institution, never by the number of its file
# ("seed" followed by three digits, as the design notes and issues call them).
LECTURE_NUMBER = re.compile(r"seed(?:s|'s|s')?[\s_]*0\d\d", flags=re.IGNORECASE)
PRODUCT = sorted({*NOTEBOOKS, ROOT / "README.md", ROOT / "CONTRIBUTING.md",
                  *(p for folder in ("course_utils", "tests", "benchmarks", "scripts")
                    for p in (ROOT / folder).rglob("*.py"))})


@pytest.mark.parametrize("path", PRODUCT, ids=[str(p.relative_to(ROOT)) for p in PRODUCT])
def test_lectures_are_named_by_their_authors_not_by_a_seed_number(path):
    assert LECTURE_NUMBER.findall(path.read_text(encoding="utf-8")) == []


def test_cells_are_short(notebook):
    for cell in notebook[1].cells:
        assert len(cell.source.splitlines()) <= 25, cell.source[:80]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_the_nbstripout_git_filter_leaves_the_stored_notebook_as_it_is(path):
    """`make lab` installs `nbstripout --keep-id` as the clean filter: a committed notebook must pass it unchanged."""
    import subprocess
    import sys

    raw = path.read_bytes()
    cleaned = subprocess.run([sys.executable, "-m", "nbstripout", "-t", "--keep-id"], input=raw,
                             capture_output=True, check=True).stdout
    assert cleaned == raw, f"{path.name}: store it as `nbstripout --keep-id` writes it (sorted keys, no outputs)"
