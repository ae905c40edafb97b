"""The slides and HTML pages render with no network (`make slides`, `make html`).

Pages are made the way the Makefile makes them (config/slides/nbconvert_offline.py), without
executing the lessons, and opened in headless Chromium with every request that is not for a
``file://`` URL aborted and recorded. The assets come from scripts/slide_assets.py, run here
(it fetches from the npm registry the first time, then does nothing).

Skips, saying why, without the ``playwright`` package (``pip install playwright``; not in
requirements.txt), without a Chromium (``$CHROMIUM``, ``chromium`` on the PATH, as Debian's
``apt-get install chromium`` puts it, or ``playwright install chromium``), or without the assets
and a way to fetch them.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbconvert import HTMLExporter, SlidesExporter
from traitlets.config.loader import PyFileConfigLoader

sync_api = pytest.importorskip("playwright.sync_api", reason="no playwright package (pip install playwright)")

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "config" / "slides" / "nbconvert_offline.py"
ASSETS = ROOT / "build" / "slide-assets"
LESSONS = ["01_convolution_basics", "02_padding_stride_dilation"]  # both write $$ math
SCREEN = {"width": 1280, "height": 800}


@pytest.fixture(scope="module")
def config():
    return PyFileConfigLoader(CONFIG.name, str(CONFIG.parent)).load_config()


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """A folder with the pages in ``pages/`` and the assets beside it, as in build/."""
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "slide_assets.py"), str(ASSETS)],
                          capture_output=True, text=True, timeout=900)
    if done.returncode:
        pytest.skip(f"no slide assets in {ASSETS} and fetching them failed: {done.stderr.strip()[-300:]}")
    folder = tmp_path_factory.mktemp("offline")
    (folder / "pages").mkdir()
    (folder / "slide-assets").symlink_to(ASSETS, target_is_directory=True)
    return folder / "pages"


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        executable = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
        if executable is None and Path(playwright.chromium.executable_path).exists():
            executable = playwright.chromium.executable_path  # `playwright install chromium`
        if executable is None:
            pytest.skip("no Chromium (apt-get install chromium, or playwright install chromium)")
        root = hasattr(os, "geteuid") and os.geteuid() == 0
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"] if root else [])
        yield browser
        browser.close()


def export(exporter, nb, config, folder, name):
    body, _ = exporter(config=config).from_notebook_node(nb, resources={"metadata": {"name": name}})
    path = folder / f"{name}.{exporter.__name__}.html"
    path.write_text(body, encoding="utf-8")
    return path


class OfflinePage:
    """A page opened with no network: ``left`` the requests that would have left the machine,
    ``missing`` the local files it asked for and did not find, ``loaded`` the local ones it did."""

    def __init__(self, browser, path):
        self.left, self.missing, self.loaded = [], [], []
        self.page = browser.new_page(viewport=SCREEN)
        self.page.route("**/*", self._route)
        self.page.on("requestfailed", lambda r: r.url.startswith("file:") and self.missing.append(r.url))
        self.page.on("requestfinished", lambda r: self.loaded.append(r.url))
        self.page.goto(path.as_uri())
        # MathJax typesets after it starts; a callback queued behind that runs once it is done
        self.page.wait_for_function("window.MathJax && MathJax.isReady")
        self.page.evaluate("() => new Promise(done => MathJax.Hub.Queue(done))")

    def _route(self, route):
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            self.left.append(route.request.url)
            route.abort()

    def check_math(self, nb):
        """Every $$ formula of the visible Markdown cells typeset, and no $$ left in the text."""
        shown = [c for c in nb.cells if c.metadata.get("slideshow", {}).get("slide_type") not in ("skip", "notes")]
        formulas = sum(c.source.count("$$") // 2 for c in shown if c.cell_type == "markdown")
        assert formulas > 0
        assert self.page.locator(".jp-RenderedMarkdown .MJXc-display").count() == formulas
        assert self.page.locator(".mjx-merror, .MathJax_Error").count() == 0
        raw = self.page.evaluate("""() => {
            const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
            const raw = [];
            while (walk.nextNode()) {
                const text = walk.currentNode;
                if (!text.parentElement.closest('script, style') && text.data.includes('$$')) raw.push(text.data);
            }
            return raw;
        }""")
        assert raw == []

    def check_no_network(self):
        assert self.left == []
        assert self.missing == []


def lesson(name):
    return nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)


@pytest.mark.parametrize("name", LESSONS)
def test_deck_renders_offline(name, config, browser, folder):
    nb = lesson(name)
    page = OfflinePage(browser, export(SlidesExporter, nb, config, folder, name))
    page.page.wait_for_function("document.querySelector('.reveal.ready')")
    # reveal.js comes in through require.js, as a module, not as a global
    reveal = f"{config.SlidesExporter.reveal_url_prefix}/dist/reveal.js"
    page.page.evaluate("url => new Promise(done => require([url], R => { window.Reveal = R; done(); }))", reveal)

    types = [c.metadata["slideshow"]["slide_type"] for c in nb.cells]
    assert page.page.evaluate("Reveal.isReady()")
    assert page.page.evaluate("Reveal.getTotalSlides()") == types.count("slide") + types.count("subslide")
    page.check_math(nb)

    title = page.page.evaluate("""() => { const r = Reveal.getSlide(0, 0).getBoundingClientRect();
        return [r.left, r.top, r.right, r.bottom]; }""")
    left, top, right, bottom = title
    assert 0 <= left and 0 <= top and right <= SCREEN["width"] and bottom <= SCREEN["height"], title

    # every slide shown in turn: no line of code runs past the edge of its cell
    clipped = page.page.evaluate("""() => Reveal.getSlides().flatMap(slide => {
        const at = Reveal.getIndices(slide);
        Reveal.slide(at.h, at.v);
        return [...slide.querySelectorAll('pre')].filter(pre => pre.scrollWidth > pre.clientWidth + 1)
            .map(pre => `${at.h}.${at.v || 0}: ${pre.textContent.slice(0, 60)}`);
    })""")
    assert clipped == []
    page.check_no_network()


def test_html_renders_offline(config, browser, folder):
    nb = lesson(LESSONS[0])
    page = OfflinePage(browser, export(HTMLExporter, nb, config, folder, LESSONS[0]))
    page.check_math(nb)
    page.check_no_network()


def one_slide(metadata=None, *outputs):
    """A notebook of one slide: a title, then a code cell with ``outputs``."""
    here = {"slideshow": {"slide_type": "-"}}
    nb = nbformat.v4.new_notebook(metadata=metadata or {})
    nb.cells = [nbformat.v4.new_markdown_cell("# Outputs", metadata={"slideshow": {"slide_type": "slide"}}),
                nbformat.v4.new_code_cell("shown", metadata=here, outputs=list(outputs))]
    return nb


def widgets():
    """Widgets as an executed lesson 02 keeps them: state in the metadata, a view in an output."""
    import ipywidgets
    from ipywidgets.embed import embed_data

    controls = [ipywidgets.IntSlider(value=3, description="stride"),  # the explorer's controls
                ipywidgets.Dropdown(options=["valid", "same"], description="padding"),
                ipywidgets.Button(description="run", icon="play")]  # an icon: Font Awesome 5, from the renderer
    embedded = embed_data(views=[ipywidgets.VBox(controls)])
    view = {"application/vnd.jupyter.widget-view+json": embedded["view_specs"][0], "text/plain": "VBox()"}
    return one_slide({"widgets": {"application/vnd.jupyter.widget-state+json": embedded["manager_state"]}},
                     nbformat.v4.new_output("display_data", view))


def animation():
    """A matplotlib animation (lesson 02), whose player links Font Awesome 4.4.0 from maxcdn."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.animation import FuncAnimation

    fig, ax = plt.subplots(figsize=(2, 2))
    html = FuncAnimation(fig, lambda i: ax.imshow([[i, 1 - i]]), frames=2).to_jshtml()
    plt.close(fig)
    assert "maxcdn.bootstrapcdn.com/font-awesome/4.4.0" in html  # what nbconvert_offline.py replaces
    return one_slide(None, nbformat.v4.new_output("display_data", {"text/html": html}))


# each shown with what it draws, and the font its icons come from
OUTPUTS = {"widgets": (widgets, ".widget-slider", "/html-manager/dist/"),
           "animation": (animation, ".anim-buttons", "/font-awesome/fonts/fontawesome-webfont.")}


@pytest.mark.parametrize("exporter", [SlidesExporter, HTMLExporter], ids=["slides", "html"])
@pytest.mark.parametrize("what", OUTPUTS)
def test_widgets_and_animations_render_offline(what, exporter, config, browser, folder):
    make, drawn, font = OUTPUTS[what]
    page = OfflinePage(browser, export(exporter, make(), config, folder, what))
    page.page.wait_for_selector(drawn)
    page.page.evaluate("() => document.fonts.ready.then(() => true)")
    fonts = [url for url in page.loaded if font in url and url.split("?")[0].endswith((".woff2", ".woff"))]
    assert fonts, f"no icon font from {font} loaded"
    page.check_no_network()
