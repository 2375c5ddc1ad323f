"""One error envelope for the API, friendly pages for people, never a stack trace."""

from __future__ import annotations

import logging

from flask import Response, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException

from elections.core.errors import GENERIC, ErrorItem, ServiceError

log = logging.getLogger(__name__)


def wants_json() -> bool:
    return request.path.startswith("/api/")


def envelope(status: int, items: list[ErrorItem], headers: dict | None = None):
    response = jsonify({"errors": [item.to_json() for item in items]})
    response.status_code = status
    response.headers.update(headers or {})
    return response


def _rollback() -> None:
    """Whatever failed, nothing of this request is saved, and a failed flush leaves the session
    unusable: rendering the page (which may ask the database who is signed in) or saving the
    session afterwards would fail again, turning a 404 or a 409 into a 500."""
    from elections.core.extensions import db

    try:
        db.session.rollback()
    except Exception:  # a connection that is gone cannot even roll back
        log.exception("rollback failed while answering an error")


def _render(status: int, items: list[ErrorItem], headers: dict | None = None):
    _rollback()
    if wants_json():
        return envelope(status, items, headers)
    try:
        body = render_template("error.html", status=status, items=items)
    except Exception:
        # The friendly page needs the templates, the translations and perhaps the database;
        # when one of them is what failed, a plain page still answers (with the security
        # headers, which the after-request hook adds to whatever is returned here).
        log.exception("the error page could not be rendered")
        body = _PLAIN_PAGE.format(status=status, text=escape(" ".join(items_text(items))))
        return Response(body, status, headers or {}, mimetype="text/html")
    return body, status, headers or {}


_PLAIN_PAGE = (
    '<!doctype html><html><head><meta charset="utf-8"><title>{status}</title></head>'
    "<body><h1>{status}</h1><p>{text}</p></body></html>"
)


def items_text(items: list[ErrorItem]) -> list[str]:
    texts = []
    for item in items:
        try:
            texts.append(str(item.message))
        except Exception:  # a lazy translation whose catalogue is what failed
            texts.append(item.code)
    return texts


def _from_http(error: HTTPException):
    status = error.code or 500
    code, message = GENERIC.get(status, (error.name.lower().replace(" ", "_"), error.description))
    headers = dict(error.get_headers()) if status in (405, 429) else {}
    headers.pop("Content-Type", None)
    return _render(status, [ErrorItem(code, str(message))], headers)


def register_error_handlers(app) -> None:
    @app.errorhandler(ServiceError)
    def service_error(error: ServiceError):
        return _render(error.status, error.items, error.headers)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        message = _(
            "The form has expired or was sent from elsewhere. Reload the page and try again."
        )
        return _render(400, [ErrorItem("csrf_failed", message)])

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return _from_http(error)

    @app.errorhandler(DataError)
    def value_refused_by_database(error: DataError):
        # A value the database cannot hold (too long, out of range, a NUL byte on PostgreSQL)
        # came from the client past the schemas: refuse it as invalid input, never as a 500.
        log.warning("value refused by the database: %s", error.orig)
        code, message = GENERIC[422]
        return _render(422, [ErrorItem(code, str(message))])

    @app.errorhandler(IntegrityError)
    def concurrent_duplicate(error: IntegrityError):
        # The services check uniqueness first; this is the race where two requests create
        # the same thing at once and the database's constraint stops the second one.
        log.warning("integrity error: %s", error.orig)
        message = _("This was changed by someone else at the same moment. Reload and try again.")
        return _render(409, [ErrorItem("conflict", message)])

    @app.errorhandler(OperationalError)
    def database_unavailable(error: OperationalError):
        log.exception("database error")
        code, message = GENERIC[503]
        return _render(503, [ErrorItem(code, str(message))], {"Retry-After": "5"})

    @app.errorhandler(DBAPIError)
    def connection_lost(error: DBAPIError):
        # A connection the database dropped (a restart, a failover) is found on its first use,
        # not pinged before each one: that request gets a 503 and the pool starts afresh.
        if error.connection_invalidated:
            return database_unavailable(error)
        return unexpected(error)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        log.exception("unhandled error")
        code, message = GENERIC[500]
        return _render(500, [ErrorItem(code, str(message))])
