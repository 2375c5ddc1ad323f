"""One JSON line per request on stderr: its id, user, endpoint, status and time.

The line never holds a query string, a form or a body, so neither an IIN ("where do I vote"
and the status lookup take it in a POST body) nor a password can reach a log. The request id
comes from the proxy (nginx's ``$request_id`` in ``X-Request-ID``) when it is a plain token,
else it is made here, and goes back to the client in the same header.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, g, request

log = logging.getLogger("elections.requests")
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


class _Stderr(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the moment (a test runner swaps it)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value):
        pass


def request_id() -> str:
    return g.get("request_id", "")


def _begin() -> None:
    given = request.headers.get("X-Request-ID", "")
    g.request_id = given if _REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _finish(response):
    response.headers["X-Request-ID"] = request_id()
    started = g.get("request_started")
    if started is None:  # the request failed before its first hook
        return response
    line = {
        "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "request_id": request_id(),
        "method": request.method,
        "endpoint": request.endpoint,
        "path": request.path,
        "status": response.status_code,
        "ms": round((time.perf_counter() - started) * 1000, 2),
        "user": g.get("actor_name"),  # set by the access check (elections/auth/access.py)
    }
    log.info(json.dumps(line, ensure_ascii=False))
    return response


def install(app: Flask) -> None:
    """``ELECTIONS_REQUEST_LOG=off`` silences the lines (they are on by default)."""
    if not log.handlers:
        handler = _Stderr()
        handler.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(handler)
        log.propagate = False
    log.setLevel(logging.INFO if app.config["REQUEST_LOG"] else logging.WARNING)
    app.before_request_funcs.setdefault(None, []).insert(0, _begin)  # first: time it all
    app.after_request(_finish)
