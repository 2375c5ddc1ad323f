"""Kazakh (default), Russian and English.

The catalogs ship as .po files; the app compiles them into its instance folder on
start when the compiled copy is missing or older, so a fresh clone needs no
separate build step.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Blueprint, current_app, has_request_context, redirect, request
from flask_babel import get_locale

from elections.web.access import public

SOURCE = Path(__file__).parents[1] / "translations"
COOKIE = "lang"

bp = Blueprint("i18n", __name__)


def compile_catalogs(target: Path) -> Path:
    for po_path in SOURCE.glob("*/LC_MESSAGES/messages.po"):
        mo_path = target / po_path.relative_to(SOURCE).with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        with po_path.open("rb") as handle:
            catalog = read_po(handle)
        # Written aside and renamed, so two workers starting at once never read half a file.
        fd, tmp = tempfile.mkstemp(dir=mo_path.parent)
        with os.fdopen(fd, "wb") as handle:
            write_mo(handle, catalog)
        os.replace(tmp, mo_path)
    return target


def pick_language(text: dict | None) -> str:
    """The reader's language from a {kk, ru[, en]} text; Russian stands in where one is missing."""
    if not text:
        return ""
    language = str(get_locale() or "kk")
    return text.get(language) or text.get("ru") or text.get("kk") or ""


def environment_language(languages, environ=os.environ) -> str:
    """The command line's language, from the locale of its environment, else English.

    As gettext reads it: the first of ``LC_ALL``, ``LC_MESSAGES``, ``LANG`` that is set names
    the locale (``ru_KZ.UTF-8`` is Russian); GNU's ``LANGUAGE`` list goes before it unless
    that locale is ``C``/``POSIX``. A locale that is none of ours (``C``, ``de_DE``) is English.
    """
    locale = next((environ[n] for n in ("LC_ALL", "LC_MESSAGES", "LANG") if environ.get(n)), "")
    neutral = locale.split(".")[0] in ("", "C", "POSIX")
    wanted = [] if neutral else environ.get("LANGUAGE", "").split(":")
    for name in [*wanted, locale]:
        code = name.split(".")[0].split("@")[0].split("_")[0].split("-")[0].lower()
        if code in languages:
            return code
    return "en"


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # the command line: the language of its environment
        return environment_language(languages)
    for choice in (request.args.get("lang"), request.cookies.get(COOKIE)):
        if choice in languages:
            return choice
    if request.path.startswith("/api/"):
        return request.accept_languages.best_match(languages) or languages[0]
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def safe_next(target: str | None) -> str:
    """Only same-site paths: never an open redirect.

    Control characters are refused too: browsers drop tabs and newlines from a URL, so
    ``/\t/evil.example`` would become ``//evil.example``, and a newline cannot go in a header.
    """
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    if not target.isprintable():
        return "/"
    return target


def without_language(target: str) -> str:
    """``target`` without a ``lang`` parameter in its query: a ``?lang=`` left in the page
    one comes from would otherwise win over the language just chosen."""
    parts = urlsplit(target)
    if not parts.query:
        return target
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != COOKIE]
    return urlunsplit(("", "", parts.path, urlencode(query), parts.fragment))


@bp.get("/lang/<code>")
@public
def switch(code: str):
    response = redirect(without_language(safe_next(request.args.get("next"))))
    if code in current_app.config["LANGUAGES"]:
        response.set_cookie(COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response
