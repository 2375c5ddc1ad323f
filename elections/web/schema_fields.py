"""marshmallow fields shared by the feature schemas."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import current_app
from marshmallow import Schema, fields, validate

from elections.core.db import INTEGER_MAX


class LocalDateTime(fields.DateTime):
    """An aware instant shown with the offset of the service's timezone (Asia/Almaty)."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        tz = ZoneInfo(current_app.config["ELECTIONS_TIMEZONE"])
        return value.astimezone(tz).isoformat()


class NameSchema(Schema):
    kk = fields.String(required=True, validate=validate.Length(min=1, max=300))
    ru = fields.String(required=True, validate=validate.Length(min=1, max=300))


def kato_field(**kwargs) -> fields.String:
    return fields.String(
        validate=validate.Regexp(r"^[0-9]{9}\Z", error="A KATO code is 9 digits."), **kwargs
    )


# How the API document shows a field whose marshmallow type (Function, Method, Dict, Raw) says
# less than what it holds: ``metadata={"openapi": {...}}``, applied last (elections/web/api.py).
NAME_TYPE = {
    "type": "object",
    "properties": {"kk": {"type": "string"}, "ru": {"type": "string"}},
    "required": ["kk", "ru"],
}
TEXTS_TYPE = {
    "type": "object",
    "properties": {"kk": {"type": "string"}, "ru": {"type": "string"}, "en": {"type": "string"}},
    "required": ["kk", "ru", "en"],
}
COUNT_TYPE = {"type": "integer", "minimum": 0, "maximum": INTEGER_MAX, "nullable": False}


def shown_as(openapi: dict) -> dict:
    """Field metadata: the field's schema in the API document."""
    return {"openapi": openapi}
