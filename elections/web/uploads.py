"""Bodies larger than the 1 MB every other request may send: a voter list, signature sheets,
the scan of a protocol.

A view marked :func:`large_body` may receive up to ``UPLOAD_MAX_BYTES``. The limit is raised
before any hook reads the body (the CSRF check parses a form first), so it is installed ahead
of them in create_app; the body is then read as a stream (elections/voters/reading.py), or,
for a form, spooled by werkzeug to a temporary file past 500 KB, never held whole in memory.
"""

from __future__ import annotations

from flask import Flask, current_app, request

# What a multipart form adds around a file: its boundaries and headers.
FORM_OVERHEAD = 64 * 1024


def large_body(view):
    view.body_limit = ("UPLOAD_MAX_BYTES", 0)
    return view


def scan_body(view):
    """A photo or a PDF: up to ``SCAN_MAX_BYTES``, sent alone or as a form's file."""
    view.body_limit = ("SCAN_MAX_BYTES", FORM_OVERHEAD)
    return view


def _raise_limit() -> None:
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    limit = getattr(view, "body_limit", None)
    if limit is not None:
        setting, overhead = limit
        request.max_content_length = current_app.config[setting] + overhead


def install(app: Flask) -> None:
    app.before_request(_raise_limit)
