"""HTML to PDF through WeasyPrint, with the fonts the package ships and nothing else.

The documents are printed in DejaVu Sans, shipped in ``elections/static/fonts`` with its
licence: it carries every Kazakh letter (Ә Ғ Қ Ң Ө Ұ Ү Һ І), and a machine without it, or
with another font under that name, prints the same paper. The fetcher given to WeasyPrint
opens those two files and refuses every other address, so a document never reaches the
network or the disk beyond them whatever its text holds.
"""

from __future__ import annotations

import threading
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

FONTS = Path(__file__).resolve().parent.parent / "static" / "fonts"
FAMILY = "Elections DejaVu Sans"  # a family name of our own: no system font answers to it
FONT_FILES = {400: "DejaVuSans.ttf", 700: "DejaVuSans-Bold.ttf"}
# The PDF names each embedded font by its PostScript name (with a subset prefix).
EMBEDDED_NAMES = ("DejaVuSans", "DejaVuSans-Bold")

# One document at a time per process: WeasyPrint's Pango and fontconfig state is not meant to
# be shared by threads, and a render holds the CPU anyway.
_render_lock = threading.Lock()
renders = 0  # documents this process rendered: what elections.printing.cache saves


@cache
def renderer_version() -> str:
    """WeasyPrint's version, read without loading it (and Pango): part of a document's key."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"weasyprint {version('weasyprint')}"
    except PackageNotFoundError:
        return "weasyprint ?"


def font_faces() -> str:
    return "\n".join(
        f'@font-face {{ font-family: "{FAMILY}"; font-weight: {weight}; font-style: normal;'
        f' src: url("{(FONTS / name).as_uri()}") format("truetype"); }}'
        for weight, name in FONT_FILES.items()
    )


@cache
def _font_bytes(name: str) -> bytes:
    return (FONTS / name).read_bytes()


def _shipped_font(url: str) -> str | None:
    """The shipped font file this URL names, if it names one."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return None
    path = Path(unquote(parts.path))
    if path.parent != FONTS or path.name not in FONT_FILES.values():
        return None
    return path.name


def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class ShippedFontsOnly(URLFetcher):
        """Hands WeasyPrint the shipped fonts; any other address is refused."""

        def __init__(self):
            super().__init__(allowed_protocols=("file",))
            self.fetched: list[str] = []

        def fetch(self, url, headers=None):
            name = _shipped_font(url)
            if name is None:
                raise ValueError(f"not fetched: {url[:80]}")
            self.fetched.append(name)
            return URLFetcherResponse(url, _font_bytes(name), {"Content-Type": "font/ttf"})

    return ShippedFontsOnly


def _weasyprint():
    """WeasyPrint, loaded on the first document: it opens Pango then, and a server without
    Pango answers a 503 that says so instead of failing to start or erring with a 500."""
    try:
        import weasyprint
        from weasyprint.text.fonts import FontConfiguration
    except OSError as error:  # cffi could not open libpango / libpangoft2
        from flask_babel import gettext as _

        from elections.core.errors import ServiceError

        raise ServiceError.one(
            503, "printing_unavailable", _("Printing is not available on this server.")
        ) from error
    return weasyprint.CSS, weasyprint.HTML, FontConfiguration


def render(html: str) -> tuple[bytes, list[str]]:
    """The PDF of this HTML document, and the font files WeasyPrint fetched for it."""
    global renders
    CSS, HTML, FontConfiguration = _weasyprint()  # noqa: N806

    with _render_lock:
        renders += 1
        fetcher = _fetcher_class()()
        font_config = FontConfiguration()
        faces = CSS(string=font_faces(), font_config=font_config, url_fetcher=fetcher)
        document = HTML(string=html, base_url=FONTS.as_uri() + "/", url_fetcher=fetcher)
        pdf = document.write_pdf(stylesheets=[faces], font_config=font_config)
    return pdf, fetcher.fetched
