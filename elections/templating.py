"""What every template can use: the reader's language, bilingual names, local times."""

from __future__ import annotations

from datetime import date

from flask import Flask, request
from flask_babel import format_date, format_datetime, get_locale
from flask_babel import lazy_gettext as _l

from elections.clock import service_timezone
from elections.i18n import COOKIE, pick_language

LANGUAGE_NAMES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}
STATUS_LABELS = {
    "called": _l("called"),
    "nomination": _l("nomination open"),
    "registration": _l("registration of candidates"),
    "campaign": _l("campaign"),
    "voting": _l("voting day"),
    "counting": _l("counting"),
    "certified": _l("result certified"),
    "repeat_required": _l("repeat election required"),
}
CANDIDATE_STATUS_LABELS = {
    "submitted": _l("submitted"),
    "registered": _l("registered"),
    "refused": _l("refused"),
    "withdrawn": _l("withdrawn"),
    "registration_cancelled": _l("registration cancelled"),
    "elected": _l("elected"),
    "not_elected": _l("not elected"),
}
UNIT_KIND_LABELS = {
    "region": _l("region"),
    "city_republican": _l("city of republican significance"),
    "district": _l("district"),
    "city_regional": _l("city of regional significance"),
    "city_district": _l("city of district significance"),
    "rural_district": _l("rural district"),
    "village": _l("village"),
    "settlement": _l("settlement"),
}


def current_language() -> str:
    return str(get_locale() or "kk")


def local_datetime(value) -> str:
    if value is None:
        return ""
    return format_datetime(value.astimezone(service_timezone()), "dd.MM.yyyy HH:mm")


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

    app.jinja_env.globals["status_label"] = lambda code: STATUS_LABELS.get(code, code)
    app.jinja_env.globals["candidate_status_label"] = lambda code: CANDIDATE_STATUS_LABELS.get(
        code, code
    )
    app.jinja_env.globals["unit_kind_label"] = lambda code: UNIT_KIND_LABELS.get(code, code)

    @app.context_processor
    def inject():
        return {
            "current_language": current_language(),
            "language_names": LANGUAGE_NAMES,
            "lang_cookie": COOKIE,
            "request_path": request.full_path.rstrip("?"),
        }
