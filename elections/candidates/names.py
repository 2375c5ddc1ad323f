"""What a name printed on the ballot may hold: one rule for the API schema and the form.

A name is stored NFC-normalised (a letter typed as base + combining mark and the same letter
typed precomposed are one name), and it may hold no control (Cc: C0, DEL, C1 such as
U+0085), format (Cf: direction overrides such as U+202E, zero-width characters, the BOM),
private-use (Co) or surrogate (Cs) characters: they are invisible on the page or reorder
what the reader sees, and a NUL cannot even be stored on PostgreSQL. Kazakh and Russian need
none of them (no ZWNJ either), so every Cf is refused.
"""

from __future__ import annotations

import unicodedata

from flask_babel import lazy_gettext as _l

NAME_CHARACTERS_MESSAGE = _l(
    "This field contains a control, invisible or text-direction character: remove it "
    "(if the text was pasted, type it again)."
)
FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs"})


def normalise_name(text: str) -> str:
    """NFC form (a lone surrogate cannot be normalised: it is kept, and then refused)."""
    try:
        return unicodedata.normalize("NFC", text)
    except UnicodeError:
        return text


def forbidden_characters(text: str) -> list[str]:
    """The characters of ``text`` a name may not hold, written "U+202E", each once."""
    found: list[str] = []
    for char in text:
        if unicodedata.category(char) in FORBIDDEN_CATEGORIES:
            code = f"U+{ord(char):04X}"
            if code not in found:
                found.append(code)
    return found
