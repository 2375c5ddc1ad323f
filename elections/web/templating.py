"""What every template can use: the reader's language, bilingual names, local times."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo

from flask import Flask, request
from flask_babel import format_date, format_datetime, get_locale

from elections.core.clock import service_timezone
from elections.web.i18n import COOKIE, pick_language

LANGUAGE_NAMES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}


def current_language() -> str:
    return str(get_locale() or "kk")


def utc_offset(moment: datetime) -> str:
    """The offset of an aware local time as "UTC+5" (or "UTC+5:30", "UTC−3")."""
    offset = moment.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def local_datetime(value: datetime | str | None, tz: tzinfo | None = None) -> str:
    """An instant as the reader's local date and time, with the zone it is told in:
    "13.09.2026 20:00 (UTC+5)". ISO text and naive values (stored UTC) are accepted too.
    ``tz``: the election's zone (``election.tz``) where an election is at hand; else the
    deployment's."""
    if not value:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    local = value.astimezone(tz or service_timezone())
    text = format_datetime(local, "dd.MM.yyyy HH:mm", rebase=False)
    return f"{text} ({utc_offset(local)})"


def local_date(value: date | str | None) -> str:
    """A calendar date as dd.mm.yyyy; ISO text (as the JSON views carry it) is accepted too."""
    if not value:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return format_date(value, "dd.MM.yyyy")


def install(app: Flask) -> None:
    app.jinja_env.filters["localised"] = pick_language
    app.jinja_env.filters["local_datetime"] = local_datetime
    app.jinja_env.filters["local_date"] = local_date

    @app.context_processor
    def inject():
        return {
            "current_language": current_language(),
            "language_names": LANGUAGE_NAMES,
            "lang_cookie": COOKIE,
            "request_path": request.full_path.rstrip("?"),
        }
