"""Lesson 01 exports as reveal.js slides whose structure follows its cells' slide metadata."""

from pathlib import Path

import nbformat
from bs4 import BeautifulSoup
from nbconvert import SlidesExporter

LESSON_01 = Path(__file__).resolve().parent.parent / "notebooks" / "01_convolution_basics.ipynb"


def test_lesson_01_slide_count_matches_its_metadata():
    nb = nbformat.read(LESSON_01, as_version=4)
    types = [c.metadata["slideshow"]["slide_type"] for c in nb.cells]
    html, _ = SlidesExporter().from_notebook_node(nb)
    slides = BeautifulSoup(html, "html.parser").select_one("div.reveal > div.slides")
    horizontal = slides.find_all("section", recursive=False)
    vertical = [s.find_all("section", recursive=False) for s in horizontal]
    assert len(horizontal) == types.count("slide")
    assert sum(map(len, vertical)) == types.count("slide") + types.count("subslide")
    assert len(slides.select(".fragment")) >= types.count("fragment")
    assert "Lesson 01: Convolution basics" in horizontal[0].get_text()
