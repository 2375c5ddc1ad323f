"""Does a Kazakh or Russian page speak its language? ``foreign_text`` says what it does not.

Two kinds of foreign text are looked for in a page's visible text:

- **the app's own codes**: every unit kind, election kind and status, candidate status,
  violation and ground code, education level, document, nomination type, special-check
  result, protocol field, role and rule-profile key, taken from the enums in the code (so a
  new code is checked without touching this file); besides, any ``snake_case`` token (no
  text a reader is meant to read has one) and any ISO date or time (``2026-09-13``,
  ``2026-09-13T20:00``), which a page should show in the local format;
- **the English source strings**: every msgid of the catalog whose translation in the
  page's language differs from it, and the English side of the app's own texts in three
  languages (violations, grounds and their legal bases, rule profiles; ``app_english``).
  Their literal runs of two or more English words are looked
  for as whole phrases (case and spacing ignored, placeholders split a msgid into runs), and
  every English word of three letters or more in it as a whole word.

What is not foreign, and why:

- a Latin word that the catalog's own translations in that language use (``JSON``, ``API``,
  ``CSV``, ``NIST``, ``OpenAPI``, ``Idempotency-Key``): the translators kept it;
- a word glued to a hyphen, slash or digit (``zerendi-member``, ``precinct-401``,
  ``/api/v1``): user names and paths are identifiers, not English; codes with a hyphen
  (profile keys such as ``rural-2023``) are in the code list and still caught;
- words of one or two letters, and names that are not English words (the demo's party
  names AMANAT, Ak Zhol, Respublica, QHP, JSDP are no msgid's words);
- the HTTP methods in capitals (``GET``, ``POST``, ``PUT``, ``PATCH``, ``DELETE``), which
  the API reference names: protocol tokens, not English;
- numbers.

``IIN`` and ``KATO`` are English abbreviations: in Kazakh they are ЖСН and ӘАОЖ, in Russian
ИИН and КАТО (TRANSLATING.md, "Terms"), so in Latin letters they count as foreign.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

TRANSLATIONS = Path(__file__).resolve().parents[2] / "elections" / "translations"
PLACEHOLDER = re.compile(r"%\([^)]*\)[sdif]|%[sdif]|%%|\{[^}]*\}")
TAG = re.compile(r"<[^>]+>")
LATIN_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?")
SNAKE_CASE = re.compile(r"(?<![\w/.-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w/-])")
ISO_DATE = re.compile(r"(?<![\d-])\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?(?![\d-])")
MIN_WORD = 3
HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def _bounded(fragment: str) -> re.Pattern[str]:
    """``fragment`` as a whole token: not part of a longer word, path, user name or code."""
    return re.compile(rf"(?<![\w/-]){fragment}(?![\w/-])")


@cache
def app_codes() -> tuple[str, ...]:
    """Every code the app keeps in its enums, longest first."""
    from elections.auth.models import ROLES
    from elections.ballots.models import FIGURE_FIELDS
    from elections.candidates.grounds import GROUND_CODES
    from elections.candidates.models import STATUSES as CANDIDATE_STATUSES
    from elections.candidates.rules import (
        DOCUMENT_NAMES,
        NOMINATION_TYPES,
        SPECIAL_CHECK_RESULTS,
        VIOLATION_CODES,
    )
    from elections.rules import EDUCATION_LEVELS, ELECTION_KINDS, profile_keys
    from elections.territory.labels import ELECTION_STATUS_LABELS as STATUS_LABELS
    from elections.territory.models import UNIT_KINDS

    codes = {
        *ROLES,
        *FIGURE_FIELDS,
        *GROUND_CODES,
        *CANDIDATE_STATUSES,
        *DOCUMENT_NAMES,
        *NOMINATION_TYPES,
        *SPECIAL_CHECK_RESULTS,
        *VIOLATION_CODES,
        *EDUCATION_LEVELS,
        *ELECTION_KINDS,
        *profile_keys(),
        *STATUS_LABELS,
        *UNIT_KINDS,
    }
    return tuple(sorted(codes, key=lambda code: (-len(code), code)))


@cache
def app_english() -> tuple[str, ...]:
    """The English side of the app's own texts in three languages, which are not in the
    catalog: violation and ground messages with their legal bases (for every shipped
    profile), the rule profiles' titles and bases, education levels, documents, and the
    protocol's control relations."""
    from elections.ballots import tally
    from elections.candidates import rules
    from elections.candidates.grounds import GROUND_CODES, ground
    from elections.rules import load_profile, profile_keys

    texts: list[str] = []
    for table in (rules.EDUCATION_NAMES, rules.DOCUMENT_NAMES):
        texts += [entry["en"] for entry in table.values()]
    texts += [entry["en"] for entry in getattr(tally, "_DESCRIPTIONS", {}).values()]
    for key in profile_keys():
        profile = load_profile(key)
        texts.append(profile.title["en"])
        texts += [profile.basis_of(rule) for rule in profile.basis]
        for code in GROUND_CODES:
            cited = ground(code, profile)
            texts += [cited.message["en"], cited.legal_basis]
    return tuple(dict.fromkeys(texts))


def _literal_runs(msgid: str) -> list[str]:
    text = TAG.sub(" ", msgid)
    return [" ".join(part.split()) for part in PLACEHOLDER.split(text) if part.strip()]


@cache
def english_of(language: str) -> tuple[tuple[str, ...], frozenset[str]]:
    """The English phrases (2+ words) and words (3+ letters) foreign to ``language``."""
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale=language)
    kept: set[str] = set()  # Latin words the translations themselves use
    sources: list[str] = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for string in strings:
            kept.update(word.lower() for word in LATIN_WORD.findall(PLACEHOLDER.sub(" ", string)))
        if set(ids) & set(strings):
            continue  # kept as it is in this language (a name, an abbreviation)
        sources.extend(ids)
    sources.extend(app_english())
    phrases: set[str] = set()
    words: set[str] = set()
    for source in sources:
        for run in _literal_runs(source):
            run_words = LATIN_WORD.findall(run)
            if len(run_words) >= 2:
                phrases.add(run.strip(" .,:;!?()«»\"'—-"))
            words.update(
                word.lower()
                for word in run_words
                if len(word) >= MIN_WORD and word.lower() not in kept
            )
    ordered = tuple(sorted((p for p in phrases if p), key=lambda p: (-len(p), p)))
    return ordered, frozenset(words)


def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    parts = [re.escape(part) for part in phrase.split()]
    return re.compile(r"(?<![\w/-])" + r"\s+".join(parts) + r"(?![\w/-])", re.IGNORECASE)


@cache
def _phrase_patterns(language: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
    phrases, _words = english_of(language)
    return tuple((phrase, _phrase_pattern(phrase)) for phrase in phrases)


@cache
def _code_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple((code, _bounded(re.escape(code))) for code in app_codes())


def foreign_text(text: str, language: str) -> list[str]:
    """The raw codes and English source strings in the visible ``text`` of a page in
    ``language`` (``kk`` or ``ru``), each once, in the order they appear."""
    if language == "en":
        return []
    found: list[tuple[int, str]] = []
    covered: list[tuple[int, int]] = []

    def note(start: int, end: int, what: str) -> None:
        if any(a <= start and end <= b for a, b in covered):
            return
        covered.append((start, end))
        found.append((start, what))

    for _code, pattern in _code_patterns():
        for match in pattern.finditer(text):
            note(match.start(), match.end(), match.group())
    for pattern in (SNAKE_CASE, ISO_DATE):
        for match in pattern.finditer(text):
            note(match.start(), match.end(), match.group())
    for _phrase, pattern in _phrase_patterns(language):
        for match in pattern.finditer(text):
            note(match.start(), match.end(), match.group())
    _phrases, words = english_of(language)
    for match in re.finditer(r"(?<![\w/-])[A-Za-z]+(?![\w/-])", text):
        if match.group().lower() in words and match.group() not in HTTP_METHODS:
            note(match.start(), match.end(), match.group())
    seen: dict[str, None] = {}
    for _start, what in sorted(found):
        seen.setdefault(" ".join(what.split()), None)
    return list(seen)
