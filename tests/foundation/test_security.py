"""Security headers on every response, no inline code for the CSP to block, CSRF on forms."""

from __future__ import annotations

import re

import pytest

from tests.factories import PASSWORD
from tests.foundation.support import errors_of

PATHS = [
    "/",
    "/login",
    "/healthz",
    "/static/app.css",
    "/no-such-page",
    "/admin/units",
    "/api/v1/elections",
    "/api/v1/no-such-thing",
]


def directives(csp: str) -> dict[str, list[str]]:
    parsed = {}
    for part in csp.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


@pytest.mark.parametrize("path", PATHS)
def test_security_headers_on_every_response(client, path):
    headers = client.get(path).headers
    csp = headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    policy = directives(csp)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] in ("same-origin", "no-referrer", "strict-origin")
    assert headers["X-Frame-Options"] == "DENY"


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/").headers
    secure = client.get("/", base_url="https://elections.example")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")


INLINE_CODE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "<style> element"),
    (re.compile(r"\sstyle\s*=", re.I), "style= attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "on*= event handler"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/login",
        "/no-such-page",
        "/admin/units",
        "/admin/parties",
        "/admin/elections",
        "/admin/elections/{election_id}",
    ],
)
def test_pages_carry_no_inline_code_the_csp_would_block(client, world, login, path):
    login(world.users["cec_admin"])
    page = client.get(path.format(election_id=world.election_id)).get_data(as_text=True)
    assert "<html" in page
    for pattern, what in INLINE_CODE:
        assert not pattern.search(page), f"{what} on {path}"


def test_the_session_cookie_is_httponly_and_samesite(client, world):
    response = client.post(
        "/login", data={"username": world.usernames["cec_admin"], "password": PASSWORD}
    )
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


# --- CSRF -----------------------------------------------------------------------------------

CSRF_INPUT = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@pytest.fixture
def guarded(make_app):
    """An app with CSRF protection on, as in production (the session app turns it off)."""
    return make_app(WTF_CSRF_ENABLED=True)


def test_a_form_post_without_csrf_token_is_refused(guarded):
    client = guarded.test_client()
    client.set_cookie("lang", "en")
    response = client.post("/login", data={"username": "nobody", "password": "whatever-it-is"})
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert "Reload the page" in response.get_data(as_text=True)


def test_a_form_post_with_a_forged_csrf_token_is_refused(guarded):
    client = guarded.test_client()
    client.get("/login")
    data = {"username": "nobody", "password": "whatever-it-is", "csrf_token": "forged"}
    assert client.post("/login", data=data).status_code == 400


def test_a_form_post_with_the_pages_csrf_token_is_accepted(guarded, world):
    client = guarded.test_client()
    token = CSRF_INPUT.search(client.get("/login").get_data(as_text=True)).group(1)
    refused = client.post(
        "/login", data={"username": "nobody", "password": "whatever-it-is", "csrf_token": token}
    )
    assert refused.status_code == 401, "past CSRF, refused for the credentials"
    signed_in = client.post(
        "/login",
        data={
            "username": world.usernames["cec_admin"],
            "password": PASSWORD,
            "csrf_token": token,
        },
    )
    assert signed_in.status_code == 302
    assert client.post("/logout").status_code == 400, "signing out needs the token too"


def test_api_calls_with_a_bearer_token_need_no_csrf_token(guarded, world, token_for):
    headers = token_for(world.users["cec_admin"])
    body = {"name": {"kk": "Жаңа партия", "ru": "Новая партия"}, "short_name": "NEW"}
    response = guarded.test_client().post("/api/v1/parties", json=body, headers=headers)
    assert response.status_code == 201, response.get_data(as_text=True)


def test_api_calls_without_a_token_are_401_not_csrf_400(guarded):
    response = guarded.test_client().post("/api/v1/parties", json={})
    errors_of(response, 401)
