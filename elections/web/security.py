"""Security headers on every response."""

from __future__ import annotations

from flask import g, request

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src"
    " 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def add_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
    if _not_for_any_cache(response):
        headers["Cache-Control"] = "no-store"
    return response


def _not_for_any_cache(response) -> bool:
    """Error answers (HTML and JSON), and every page a signed-in user gets, must be kept by no
    cache, the browser's included: a signed-in page shows its reader (and a shared computer's
    back button or a proxy would show it to the next one), and an error is about one moment.

    Public results keep their own ``Cache-Control`` for anonymous readers (web/page_cache.py);
    an API answer to a bearer token that set none is not kept either."""
    if response.status_code >= 400:
        return True
    signed_in = g.get("actor") is not None
    if not signed_in or response.status_code == 304:
        return False  # a 304 keeps the headers of the copy it confirms
    if request.path.startswith("/api/"):
        return "Cache-Control" not in response.headers
    return response.mimetype == "text/html" or response.status_code in (301, 302, 303, 307, 308)
