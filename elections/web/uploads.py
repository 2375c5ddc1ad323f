"""Bodies larger than the 1 MB every other request may send: a voter list, signature sheets.

A view marked :func:`large_body` may receive up to ``UPLOAD_MAX_BYTES``. The limit is raised
before any hook reads the body (the CSRF check parses a form first), so it is installed ahead
of them in create_app; the body is then read as a stream (elections/voters/reading.py), or,
for a form, spooled by werkzeug to a temporary file past 500 KB, never held whole in memory.
"""

from __future__ import annotations

from flask import Flask, current_app, request


def large_body(view):
    view.large_body = True
    return view


def _raise_limit() -> None:
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    if getattr(view, "large_body", False):
        request.max_content_length = current_app.config["UPLOAD_MAX_BYTES"]


def install(app: Flask) -> None:
    app.before_request(_raise_limit)
