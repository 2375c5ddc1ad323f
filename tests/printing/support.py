"""Reading the printed PDFs back: their text, their fonts, the glyphs those fonts draw."""

from __future__ import annotations

import re
from io import BytesIO

from fontTools.ttLib import TTFont
from pypdf import PdfReader

from elections.printing.pdf import FONT_FILES, FONTS

KAZAKH_LETTERS = "ӘҒҚҢӨҰҮҺІәғқңөұүһі"


def pdf_of(response) -> PdfReader:
    """The response as a PDF download; its pages parsed."""
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="')
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.data.startswith(b"%PDF-")
    return PdfReader(BytesIO(response.data))


def text_of(reader: PdfReader) -> str:
    """The text of every page, its white space runs made single spaces: a phrase may wrap."""
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def squeezed(text: str) -> str:
    """The text without white space: a digest may wrap across lines."""
    return re.sub(r"\s+", "", text)


def filename_of(response) -> str:
    match = re.fullmatch(r'attachment; filename="([^"]+)"', response.headers["Content-Disposition"])
    assert match, response.headers["Content-Disposition"]
    return match.group(1)


def embedded_fonts(reader: PdfReader) -> dict[str, TTFont]:
    """Every font the pages use, by its PDF name without the subset prefix, as the embedded
    font program (a font that is referred to but not embedded fails here)."""
    fonts: dict[str, TTFont] = {}
    for page in reader.pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            name = str(font["/BaseFont"]).lstrip("/").split("+", 1)[-1]
            descendant = font["/DescendantFonts"][0].get_object()
            descriptor = descendant["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor, f"{name} is not embedded"
            program = descriptor["/FontFile2"].get_object().get_data()
            fonts[name] = TTFont(BytesIO(program))
    return fonts


def shipped(weight: int) -> TTFont:
    return TTFont(FONTS / FONT_FILES[weight])


def same_outline(embedded: TTFont, original: TTFont, char: str) -> bool:
    """Whether the embedded subset draws ``char`` with exactly the original font's outline."""
    glyph = embedded.getBestCmap().get(ord(char))
    if glyph is None:
        return False
    mine = embedded["glyf"][glyph].getCoordinates(embedded["glyf"])[0]
    theirs_name = original.getBestCmap()[ord(char)]
    theirs = original["glyf"][theirs_name].getCoordinates(original["glyf"])[0]
    return list(mine) == list(theirs)
