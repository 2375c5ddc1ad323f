"""Helpers for the JSON blueprints: parse a body, turn marshmallow errors into the envelope."""

from __future__ import annotations

from flask import request
from flask_babel import gettext as _
from marshmallow import Schema, ValidationError

from elections.errors import ErrorItem, ServiceError, invalid


def _flatten(messages, prefix: str = "") -> list[ErrorItem]:
    items: list[ErrorItem] = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            items += _flatten(value, path)
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        items += [ErrorItem("invalid", message, field=prefix or None) for message in messages]
    elif isinstance(messages, list):
        for message in messages:
            items += _flatten(message, prefix)
    else:
        items.append(ErrorItem("invalid", str(messages), field=prefix or None))
    return items


def validation_error(error: ValidationError) -> ServiceError:
    return invalid(_flatten(error.messages))


def json_body() -> dict:
    """The request body as a JSON object, or a 400 that says why not."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ServiceError.one(400, "bad_request", _("The body must be a JSON object."))
    return body


def load(schema: Schema, body: dict | None = None) -> dict:
    try:
        return schema.load(json_body() if body is None else body)
    except ValidationError as error:
        raise validation_error(error) from error
