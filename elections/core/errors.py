"""The refusals a service raises: a status and error items, each with its code and message.

How they reach the client (the API envelope, a friendly page) is the HTTP edge's:
elections/web/errors.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError
from marshmallow.error_store import SCHEMA

GENERIC = {
    400: ("bad_request", _l("The request could not be read.")),
    401: ("unauthorized", _l("Sign in or send a valid API token.")),
    403: ("forbidden", _l("You are not allowed to do this.")),
    404: ("not_found", _l("Nothing was found at this address.")),
    405: ("method_not_allowed", _l("This method is not allowed here.")),
    409: ("conflict", _l("The current state does not allow this.")),
    413: ("payload_too_large", _l("The request is too large.")),
    415: ("unsupported_media_type", _l("Send JSON with Content-Type: application/json.")),
    422: ("invalid", _l("The data is not valid.")),
    429: ("too_many_requests", _l("Too many requests. Try again later.")),
    500: ("internal_error", _l("Something went wrong on our side. Nothing was saved.")),
    503: ("service_unavailable", _l("The service is briefly unavailable. Try again shortly.")),
}
# An answer lists at most this many error items, then one ``too_many_errors`` item saying how
# many more there were: a body with 70,000 bad keys once drew a 23 MB answer.
MAX_ERROR_ITEMS = 100


@dataclass
class ErrorItem:
    code: str
    message: str
    field: str | None = None
    legal_basis: str | None = None
    extra: dict = dataclass_field(default_factory=dict)

    def to_json(self) -> dict:
        body = {"code": self.code, "message": str(self.message)}
        if self.field is not None:
            body["field"] = self.field
        if self.legal_basis is not None:
            body["legal_basis"] = self.legal_basis
        body.update(self.extra)
        return body


def too_many_errors(more: int) -> ErrorItem:
    message = _(
        "More errors not listed here: %(count)d. Correct those above and send it again.",
        count=more,
    )
    return ErrorItem("too_many_errors", message, extra={"more": more})


class ServiceError(Exception):
    """A refusal that the client can understand; carries its HTTP status and error items.

    At most :data:`MAX_ERROR_ITEMS` items are kept, then one ``too_many_errors`` item with the
    count of the rest; ``more`` counts items a check did not even build (it stopped early).
    ``cap=None``: every item, for a
    refusal whose items the client's own body bounds (a refused voter list names each of its
    refused rows, as many as the file had).
    """

    def __init__(
        self,
        status: int,
        items: list[ErrorItem],
        headers: dict | None = None,
        more: int = 0,
        cap: int | None = MAX_ERROR_ITEMS,
    ):
        more += max(0, len(items) - cap) if cap is not None else 0
        if more:
            items = [*items[: cap or MAX_ERROR_ITEMS], too_many_errors(more)]
        super().__init__(", ".join(item.code for item in items))
        self.status = status
        self.items = items
        self.headers = headers or {}

    def by_field(self) -> dict[str, list[str]]:
        """Field -> messages, to show a refusal next to the form fields it concerns."""
        fields: dict[str, list[str]] = {}
        for item in self.items:
            fields.setdefault(item.field or "", []).append(str(item.message))
        return fields

    @classmethod
    def one(
        cls, status: int, code: str, message: str, headers: dict | None = None, **kwargs
    ) -> ServiceError:
        return cls(status, [ErrorItem(code, message, **kwargs)], headers)


def not_found() -> ServiceError:
    return ServiceError.one(404, "not_found", GENERIC[404][1])


def forbidden() -> ServiceError:
    return ServiceError.one(403, "forbidden", GENERIC[403][1])


def conflict(code: str, message: str, **kwargs) -> ServiceError:
    return ServiceError.one(409, code, message, **kwargs)


def invalid(items: list[ErrorItem], more: int = 0) -> ServiceError:
    return ServiceError(422, items, more=more)


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
    """marshmallow's messages as a 422, one item per message with its dotted field."""
    return invalid(_flatten(error.messages))
