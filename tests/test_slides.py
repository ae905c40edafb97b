"""Every lesson exports as reveal.js slides whose structure follows its cells' slide metadata."""

from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup
from nbconvert import SlidesExporter

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_slide_count_matches_the_metadata(path):
    nb = nbformat.read(path, as_version=4)
    types = [c.metadata["slideshow"]["slide_type"] for c in nb.cells]
    html, _ = SlidesExporter().from_notebook_node(nb)
    slides = BeautifulSoup(html, "html.parser").select_one("div.reveal > div.slides")
    horizontal = slides.find_all("section", recursive=False)
    vertical = [s.find_all("section", recursive=False) for s in horizontal]
    assert len(horizontal) == types.count("slide")
    assert sum(map(len, vertical)) == types.count("slide") + types.count("subslide")
    assert len(slides.select(".fragment")) >= types.count("fragment")
    title = nb.cells[0].source.splitlines()[0].removeprefix("# ")
    assert title.startswith(f"Lesson {path.name[:2]}: ") and title in horizontal[0].get_text()
