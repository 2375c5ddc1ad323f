"""The interface speaks Kazakh, Russian and English, and no string slips through untranslated.

The workflow these tests enforce is in TRANSLATING.md: a new ``_()`` string fails here until
the template is re-extracted, the catalogs are updated and the new entries are translated.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import PYTHON_FORMAT, Catalog
from babel.messages.pofile import read_po
from markupsafe import escape

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "elections" / "translations"
TEMPLATE = TRANSLATIONS / "messages.pot"
PLURAL_FORMS = {"kk": 2, "ru": 3, "en": 2}
LANGUAGES = tuple(PLURAL_FORMS)
# The extraction command of TRANSLATING.md, minus the options that do not change the msgids.
EXTRACT = ["--quiet", "extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext"]


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


@cache
def _catalog_of(language: str) -> Catalog:
    return _read(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", language)


def _keys(catalog: Catalog) -> set:
    """What identifies a message: its context and its msgid (a pair for a plural)."""
    return {(message.context, message.id) for message in catalog if message.id}


def _placeholders(text: str) -> Counter:
    """``%(name)s``, ``%(n)d``, ``%%``... as a multiset: order may change in a translation."""
    return Counter(match.group(0) for match in PYTHON_FORMAT.finditer(text))


def _forms(value) -> list[str]:
    return list(value) if isinstance(value, tuple | list) else [value]


def _label(key) -> str:
    context, msgid = key
    return (f"[{context}] " if context else "") + repr(msgid)


def _labels(keys) -> list[str]:
    return sorted(map(_label, keys))


def _describe(message) -> str:
    return _label((message.context, message.id))


@pytest.fixture(scope="module")
def template() -> Catalog:
    return _read(TEMPLATE)


@pytest.fixture(params=LANGUAGES)
def catalog(request) -> Catalog:
    return _catalog_of(request.param)


def test_each_catalog_declares_its_language_and_plural_forms(catalog):
    language = str(catalog.locale)
    assert language in LANGUAGES
    assert catalog.num_plurals == PLURAL_FORMS[language], catalog.plural_forms
    if language == "ru":
        assert catalog.plural_expr == (
            "(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2)"
        )
    else:
        assert catalog.plural_expr == "(n != 1)"
    assert not catalog.fuzzy, "the catalog header is marked fuzzy"


def test_each_catalog_holds_exactly_the_template_messages(template, catalog):
    expected, found = _keys(template), _keys(catalog)
    missing, stale = _labels(expected - found), _labels(found - expected)
    assert not missing and not stale, (
        f"{catalog.locale}: run `pybabel update` (TRANSLATING.md). "
        f"Missing: {missing}. No longer in the template: {stale}"
    )


def test_every_message_is_translated_and_none_is_fuzzy(template, catalog):
    problems = []
    for message in template:
        if not message.id:
            continue
        translated = catalog.get(message.id, context=message.context)
        if translated is None:
            problems.append(f"missing: {_describe(message)}")
            continue
        forms = _forms(translated.string)
        if translated.fuzzy:
            problems.append(f"fuzzy: {_describe(message)}")
        if not all(form.strip() for form in forms):
            problems.append(f"empty: {_describe(message)}")
        if message.pluralizable and len(forms) != catalog.num_plurals:
            problems.append(f"{len(forms)} plural forms, want {catalog.num_plurals}: {message.id}")
    assert not problems, f"{catalog.locale}:\n" + "\n".join(problems)


def test_translations_keep_the_placeholders(template, catalog):
    """Every form has the msgid's placeholders: Russian form 0 also serves 21, 31..."""
    problems = []
    for message in template:
        if not message.id:
            continue
        translated = catalog.get(message.id, context=message.context)
        if translated is None:
            continue
        expected = _placeholders(_forms(message.id)[-1])
        for form in _forms(translated.string):
            if form and _placeholders(form) != expected:
                problems.append(f"{_describe(message)} -> {form!r}")
    assert not problems, f"{catalog.locale}: placeholders differ:\n" + "\n".join(problems)


def test_the_template_is_up_to_date(tmp_path, template):
    """A string marked for translation but missing from messages.pot fails here (and vice versa)."""
    fresh = tmp_path / "messages.pot"
    command = [sys.executable, "-m", "babel.messages.frontend", *EXTRACT, "-o", str(fresh), "."]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    current, committed = _keys(_read(fresh)), _keys(template)
    new, gone = _labels(current - committed), _labels(committed - current)
    assert not new and not gone, (
        "elections/translations/messages.pot is out of date: extract, update and translate "
        f"(TRANSLATING.md). New: {new}. Gone: {gone}"
    )


def _translated(language: str, msgid: str) -> str:
    return _catalog_of(language).get(msgid).string


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    ("path", "msgids"),
    [
        ("/", ("Sign in", "Elections of akims", "Election day", "Nomination opens")),
        ("/login", ("Sign in", "User name", "Password")),
    ],
)
def test_pages_render_in_the_chosen_language(client, world, language, path, msgids):
    response = client.get(path, query_string={"lang": language})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'<html lang="{language}">' in page
    for msgid in msgids:
        translation = _translated(language, msgid)
        assert str(escape(translation)) in page, (language, msgid, translation)
        if language != "en":
            assert translation != msgid
            assert msgid not in page, f"{msgid!r} left in English on {path}"
