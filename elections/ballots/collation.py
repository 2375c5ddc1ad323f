"""Alphabetical order of the state language (Kazakh Cyrillic).

The ballot lists candidates in Kazakh alphabetical order. Python's default string order
compares code points, which puts Ә, Ғ, Қ, Ң, Ө, Ұ, Ү, Һ and І after Я (and Ё after Я too),
so names are sorted with :func:`kazakh_key` instead.
"""

import unicodedata
from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")

# The order of domain.md ("Ballot"). The issue asked for "Ү and Ұ after У"; domain.md spells
# the full order У, Ұ, Ү, which is the order of the official Kazakh Cyrillic alphabet, so Ұ comes
# before Ү here.
KAZAKH_ALPHABET = "АӘБВГҒДЕЁЖЗИЙКҚЛМНҢОӨПРСТУҰҮФХҺЦЧШЩЪЫІЬЭЮЯ"

_POSITION = {letter.lower(): index for index, letter in enumerate(KAZAKH_ALPHABET)}

# Character classes, in the order they sort at the same position in two strings.
_SEPARATOR = 0  # whitespace, then hyphens and dashes: "Ким-Ли" < "Кима"
_DIGIT = 1
_LETTER = 2  # a letter of KAZAKH_ALPHABET, by its position in it
_OTHER = 3  # anything else (Latin, other Cyrillic, punctuation), by code point


def _char_key(char: str) -> tuple[int, int]:
    position = _POSITION.get(char)
    if position is not None:
        return (_LETTER, position)
    if char.isspace():
        return (_SEPARATOR, 0)
    if unicodedata.category(char) == "Pd":
        return (_SEPARATOR, 1)
    if char.isdecimal():
        return (_DIGIT, unicodedata.decimal(char))
    return (_OTHER, ord(char))


def kazakh_key(text: str) -> tuple[tuple[int, int], ...]:
    """Sort key for ``text`` in Kazakh alphabetical order, ignoring case.

    Compared character by character: separators (whitespace, then any hyphen or dash) sort
    before digits (by value), digits before letters of the Kazakh alphabet (by position), and
    those before any other character (by code point). A string sorts before its own
    continuations, so "Ким" < "Ким Ли" < "Ким-Ли" < "Кима". The text is NFC-normalised first so
    that a decomposed Й or Ё sorts as the letter it shows.
    """
    return tuple(_char_key(char) for char in unicodedata.normalize("NFC", text).lower())


def kazakh_sorted(items: Iterable[T], key: Callable[[T], str] | None = None) -> list[T]:
    """Return ``items`` in Kazakh alphabetical order of ``key(item)`` (the item itself when
    ``key`` is None). The sort is stable: items with equal keys keep their order."""
    if key is None:
        return sorted(items, key=kazakh_key)
    return sorted(items, key=lambda item: kazakh_key(key(item)))
