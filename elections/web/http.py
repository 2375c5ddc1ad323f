"""Helpers for the JSON blueprints: parse a body, turn marshmallow errors into the envelope."""

from __future__ import annotations

import json

from flask import request
from flask_babel import gettext as _
from marshmallow import Schema, ValidationError
from marshmallow.error_store import SCHEMA

from elections.core.errors import ErrorItem, ServiceError, invalid


def _flatten(messages, prefix: str = "") -> list[ErrorItem]:
    items: list[ErrorItem] = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            # marshmallow's key for the object as a whole: name the object itself
            path = prefix if key == SCHEMA else (f"{prefix}.{key}" if prefix else str(key))
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


class _DuplicateKey(ValueError):
    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


def _reject_duplicates(pairs: list[tuple[str, object]]) -> dict:
    seen: dict = {}
    for key, value in pairs:
        if key in seen:
            raise _DuplicateKey(key)
        seen[key] = value
    return seen


def json_body() -> dict:
    """The request body as a JSON object, or a 400 that says why not.

    A key given twice is refused rather than silently keeping the last value: a
    protocol naming a candidate twice must not pass.
    """
    if not request.is_json:
        raise ServiceError.one(
            400, "bad_request", _("Send JSON with Content-Type: application/json.")
        )
    try:
        body = json.loads(request.get_data(cache=True), object_pairs_hook=_reject_duplicates)
    except _DuplicateKey as error:
        raise invalid(
            [ErrorItem("duplicate_key", _("This key is given more than once."), field=error.key)]
        ) from error
    except (ValueError, RecursionError) as error:  # nesting too deep to follow is unreadable too
        raise ServiceError.one(400, "bad_request", _("The body is not valid JSON.")) from error
    if not isinstance(body, dict):
        raise ServiceError.one(400, "bad_request", _("The body must be a JSON object."))
    return body


def load(schema: Schema, body: dict | None = None) -> dict:
    try:
        return schema.load(json_body() if body is None else body)
    except ValidationError as error:
        raise validation_error(error) from error
