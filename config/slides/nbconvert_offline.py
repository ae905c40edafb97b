# nbconvert options for `make slides` and `make html` (jupyter nbconvert --config THIS_FILE): the
# pages load reveal.js, require.js, jQuery, MathJax, the widgets renderer and Font Awesome from
# the copies that scripts/slide_assets.py unpacks into build/slide-assets/, by URLs relative to
# the output folder (build/slides/, build/html/), so that they work from file:// and from a static
# server alike, with no network. tests/test_slides_offline.py opens pages made with these options
# with every request that would leave the machine blocked.
from pathlib import Path

from nbconvert.preprocessors import Preprocessor

ASSETS = "../slide-assets"  # build/slide-assets/, seen from build/slides/ and build/html/
HERE = Path(__file__).resolve().parent

# Text in the lessons and their outputs that would reach the network, and what replaces it.
REPLACE = {
    # each lesson's "Open in Colab" badge, an image on colab.research.google.com: a text link
    "![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)": "Open in Colab",
    # matplotlib's animation player (lesson 02) takes its button icons from maxcdn
    "https://maxcdn.bootstrapcdn.com/font-awesome/4.4.0/css/font-awesome.min.css":
        f"{ASSETS}/font-awesome/css/font-awesome.min.css",
}


class Offline(Preprocessor):
    """``REPLACE`` in the Markdown cells and in the HTML outputs of the code cells."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "markdown":
            cell.source = self.replace(cell.source)
        for output in cell.get("outputs", []):
            html = output.get("data", {}).get("text/html")
            if html is not None:
                output.data["text/html"] = self.replace(html if isinstance(html, str) else "".join(html))
        return cell, resources

    @staticmethod
    def replace(text):
        for old, new in REPLACE.items():
            text = text.replace(old, new)
        return text


c = get_config()  # noqa: F821 (nbconvert's config loader provides it)
c.HTMLExporter.preprocessors = [Offline]
c.HTMLExporter.require_js_url = f"{ASSETS}/requirejs/require.js"
c.HTMLExporter.jquery_url = f"{ASSETS}/jquery/dist/jquery.min.js"
# MathJax.js itself: the default, latest.js, would first ask a CDN for the newest 2.x
c.HTMLExporter.mathjax_url = f"{ASSETS}/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe"
c.HTMLExporter.widget_renderer_url = f"{ASSETS}/html-manager/dist/embed-amd.js"  # lesson 02's explorer
c.HTMLExporter.template_file = str(HERE / "course-html.html.j2")
c.SlidesExporter.template_file = str(HERE / "course-slides.html.j2")
c.SlidesExporter.reveal_url_prefix = f"{ASSETS}/reveal.js"
c.SlidesExporter.reveal_theme = "white"  # its fonts come with reveal.js; the default, simple, takes them from Google
# 1280x800 instead of 960x700: a lesson's title slide and its 120-character code lines fit (with
# course-slides.css); a slide taller than the screen (a large figure) scrolls instead of being cut
c.SlidesExporter.reveal_width = "1280"
c.SlidesExporter.reveal_height = "800"
c.SlidesExporter.reveal_scroll = True
