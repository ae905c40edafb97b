"""Fetch the JavaScript, CSS and fonts that the exported slides and HTML load, so they need no network.

nbconvert's reveal.js and lab templates load reveal.js, require.js, jQuery, MathJax and, for a
notebook that keeps widget state (lesson 02, executed), the Jupyter widgets renderer from CDNs,
and matplotlib's animation player links Font Awesome; offline a deck collapses into one long page
with raw ``$$`` math. This script fetches, at build time, the npm registry tarballs of the versions
the installed nbconvert (7.17.2) asks for (``ASSETS`` says where each comes from), checks each
against the sha512 the registry publishes for it (``dist.integrity``, pinned here), and unpacks only
the files a page loads into ``build/slide-assets/<folder>/``, next to the package's licence (where
the tarball has no licence file: its ``package.json`` or README, which name it).
``config/slides/nbconvert_offline.py`` points nbconvert at these files by relative URLs, so that a
deck opens from ``file://`` and from a static server alike.

Why fetched and not committed: MathJax 2.7.7 alone is a 21 MB tarball (71 MB unpacked: every
font and output format); the six tarballs come to 29 MB, which every clone of the course would
carry forever although only ``make slides`` and ``make html`` use them. The pinned shas make the
fetch as reproducible as a committed copy.

Idempotent: a folder whose ``.fetched`` stamp matches its entry in ``ASSETS`` is left alone, so only
the first ``make slides`` downloads anything. Standard library only.

Usage:
    python scripts/slide_assets.py [DEST]      # DEST defaults to build/slide-assets
"""

from __future__ import annotations

import argparse
import base64
import fnmatch
import hashlib
import io
import shutil
import sys
import tarfile
import tempfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

REGISTRY = "https://registry.npmjs.org"
DEFAULT_DEST = Path(__file__).resolve().parent.parent / "build" / "slide-assets"


@dataclass(frozen=True)
class Asset:
    folder: str  # under DEST; the URLs in config/slides/nbconvert_offline.py name it
    package: str  # on the npm registry
    version: str
    integrity: str  # the registry's dist.integrity for this version
    keep: tuple[str, ...]  # fnmatch patterns (``*`` also crosses ``/``) of paths inside the tarball's folder

    @property
    def url(self) -> str:
        return f"{REGISTRY}/{self.package}/-/{self.package.rsplit('/', 1)[-1]}-{self.version}.tgz"


ASSETS = (
    # SlidesExporter.reveal_url_prefix: https://unpkg.com/reveal.js@4.0.2
    Asset("reveal.js", "reveal.js", "4.0.2",
          "sha512-LWZSUenufF1gpD7npxJ7KfoQQFKgc1D6XrLTFgKlwWNP1BQ74hT48KONFWMAw+8R/QUeaScCLCLrBVHDfFIEiw==",
          ("LICENSE", "package.json", "dist/reveal.css", "dist/reveal.js", "dist/theme/white.css",
           "dist/theme/fonts/source-sans-pro/*", "plugin/notes/notes.js")),
    # HTMLExporter.require_js_url: cdnjs require.js 2.1.10 (no licence file: the header of
    # require.js carries it, MIT or new BSD)
    Asset("requirejs", "requirejs", "2.1.10",
          "sha512-4JqdTihK3kOnT387LxCHuJZ/9QsKg2EIl7LmaW35PIyM4LwCI2jwyy4fy6pbY/ZZH2JoY/QEcb5PzULFPP6gcQ==",
          ("package.json", "require.js")),
    # HTMLExporter.jquery_url: cdnjs jQuery 2.0.3, which was never published to npm; 2.1.0 is the
    # first 2.x release there (same API; the deck only uses $().height/find/filter/css)
    Asset("jquery", "jquery", "2.1.0",
          "sha512-QyJAvw0LUlUPci88C5LTFNtg4WFs70Dkqmwq4rZyOBflduKnHZakpIIDjhZVygAQbUqaghv6msUyP5TmRoNevQ==",
          ("MIT-LICENSE.txt", "package.json", "dist/jquery.min.js")),
    # HTMLExporter.mathjax_url: cdnjs MathJax 2.7.7 with ?config=TeX-AMS_CHTML-full,Safe; only the
    # TeX input, the CommonHTML output and its woff fonts
    Asset("mathjax", "mathjax", "2.7.7",
          "sha512-OOl0B2/0tSJAtAZarXnQuLDBLgTNRqiI9VqHTQzPsxf4okT2iIpDrvaklK9x2QEMD1sDj4yRn11Ygci41DxMAQ==",
          ("LICENSE", "package.json", "MathJax.js", "config/TeX-AMS_CHTML-full.js", "config/Safe.js",
           "extensions/*.js", "extensions/TeX/*", "jax/element/*", "jax/input/TeX/*",
           "jax/output/CommonHTML/*", "fonts/HTML-CSS/TeX/woff/*", "localization/en/*")),
    # HTMLExporter.widget_renderer_url: unpkg @jupyter-widgets/html-manager@* (the template's
    # semver range), 1.0.15 being the newest, which renders ipywidgets 8 state; no licence file:
    # package.json names BSD-3-Clause, dist/embed.js.LICENSE.txt the bundled libraries'
    Asset("html-manager", "@jupyter-widgets/html-manager", "1.0.15",
          "sha512-5thBIV6ymNgmPVOHvzx+gGy8ZSKmSazhtGw4/c4xJDVzRhG9PTeQsRjF3FUTopvFi//SABeNz1yp47bCrJ3CQA==",
          ("package.json", "dist/embed.js.LICENSE.txt", "dist/embed-amd.js", "dist/*.woff*",
           "dist/*.ttf", "dist/*.eot", "dist/*.svg")),
    # the player of matplotlib's JavaScript animations (lesson 02) links maxcdn's Font Awesome
    # 4.4.0 for its buttons; nbconvert_offline.py points the link here. No licence file: the
    # README gives it (fonts SIL OFL 1.1, CSS MIT)
    Asset("font-awesome", "font-awesome", "4.4.0",
          "sha512-h45v/TF2b9d6JiBnyluFrjZRyJXXkRjWbTKxb0ygTScxdP8gWdgMBaghbDuSLQFHNkj3M0eNrLxfTEiQo93ARQ==",
          ("package.json", "README.md", "css/font-awesome.min.css", "fonts/fontawesome-webfont.*")),
)

STAMP = ".fetched"


def _stamp_text(asset: Asset) -> str:
    return "\n".join([asset.url, asset.integrity, *asset.keep, ""])


def is_fetched(asset: Asset, dest: Path) -> bool:
    stamp = dest / asset.folder / STAMP
    return stamp.is_file() and stamp.read_text() == _stamp_text(asset)


def check_integrity(data: bytes, integrity: str) -> None:
    algorithm, _, expected = integrity.partition("-")
    actual = base64.b64encode(hashlib.new(algorithm, data).digest()).decode()
    if actual != expected:
        raise ValueError(f"{algorithm} of the tarball is {actual}, the pinned value is {expected}")


def unpack(data: bytes, keep: tuple[str, ...], target: Path) -> int:
    """Write the tarball's regular files that match ``keep`` under ``target``; return how many."""
    count = 0
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        for member in tar.getmembers():
            # npm tarballs hold one top folder (usually package/); paths are taken below it
            parts = Path(member.name).parts[1:]
            relative = "/".join(parts)
            if not member.isfile() or ".." in parts or not any(fnmatch.fnmatch(relative, p) for p in keep):
                continue
            path = target.joinpath(*parts)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(tar.extractfile(member).read())
            count += 1
    return count


def fetch(asset: Asset, dest: Path, log=print) -> bool:
    """Download, check and unpack ``asset`` into ``dest/asset.folder``; False if it was already there."""
    if is_fetched(asset, dest):
        return False
    log(f"slide assets: fetching {asset.url}")
    with urllib.request.urlopen(asset.url, timeout=60) as response:
        data = response.read()
    try:
        check_integrity(data, asset.integrity)
    except ValueError as error:
        raise ValueError(f"{asset.url}: {error}") from None
    # unpacked beside the final folder and renamed into place: an interrupted run leaves no half
    # folder, and two runs at once (pytest-xdist workers) do not write into the same one
    partial = Path(tempfile.mkdtemp(prefix=f".{asset.folder}.", dir=dest))
    try:
        count = unpack(data, asset.keep, partial)
        (partial / STAMP).write_text(_stamp_text(asset))
        shutil.rmtree(dest / asset.folder, ignore_errors=True)
        partial.rename(dest / asset.folder)
    except OSError:
        if not is_fetched(asset, dest):  # not another run's complete copy in the way
            raise
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    size = sum(p.stat().st_size for p in (dest / asset.folder).rglob("*") if p.is_file())
    log(f"slide assets: {asset.package}@{asset.version}: {len(data) / 1e6:.1f} MB tarball, "
        f"{count} files ({size / 1e6:.1f} MB) in {dest / asset.folder}")
    return True


def fetch_all(dest: Path = DEFAULT_DEST, log=print) -> list[Asset]:
    """Fetch every asset that is missing from ``dest``; return the ones fetched now."""
    dest.mkdir(parents=True, exist_ok=True)
    return [asset for asset in ASSETS if fetch(asset, dest, log)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dest", nargs="?", type=Path, default=DEFAULT_DEST)
    args = parser.parse_args(argv)
    try:
        fetch_all(args.dest)
    except ValueError as error:  # a tarball other than the pinned one
        print(f"slide assets: {error}", file=sys.stderr)
        return 1
    except OSError as error:  # URLError is one
        print(f"slide assets: {error} (the first `make slides` needs the npm registry, {REGISTRY})",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
