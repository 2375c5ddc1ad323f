"""Hardening: headers, cookies, body size, sign-in rate limit, no internals, password rules."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from elections.auth.services import MIN_PASSWORD_LENGTH, password_problems
from elections.core import config
from elections.core.errors import ServiceError
from elections.core.extensions import db
from elections.territory.accounts import create_user
from elections.web.access import public
from tests.factories import PASSWORD
from tests.foundation.support import errors_of

# --- Headers --------------------------------------------------------------------------------

PAGES = ["/", "/api", "/api/v1/openapi.json", "/api/v1/elections", "/login", "/api/v1/nothing"]


@pytest.mark.parametrize("path", PAGES)
def test_csp_without_inline_code_and_the_other_headers(client, path):
    headers = client.get(path).headers
    csp = headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("path", PAGES)
def test_hsts_over_https_and_not_over_http(client, path):
    secure = client.get(path, base_url="https://elections.example")
    assert secure.headers["Strict-Transport-Security"] == "max-age=63072000; includeSubDomains"
    assert "Strict-Transport-Security" not in client.get(path).headers


# --- Session cookie ---------------------------------------------------------------------------


def test_cookies_are_secure_outside_development(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "x")
    for env, secure in ((None, True), ("production", True), ("development", False)):
        if env is None:
            monkeypatch.delenv("ELECTIONS_ENV", raising=False)
        else:
            monkeypatch.setenv("ELECTIONS_ENV", env)
        settings = config.from_environment(str(tmp_path))
        assert settings["SESSION_COOKIE_SECURE"] is secure, env
        assert settings["SESSION_COOKIE_HTTPONLY"] is True
        assert settings["SESSION_COOKIE_SAMESITE"] == "Lax"
        assert settings["REMEMBER_COOKIE_HTTPONLY"] is True


def test_the_session_cookie_set_in_production_is_secure_httponly_lax(app, world, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    client = app.test_client()
    response = client.post(
        "/login",
        data={"username": world.usernames["cec_admin"], "password": PASSWORD},
        base_url="https://elections.example",
    )
    assert response.status_code == 302
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    attributes = {part.strip().split("=")[0] for part in cookie.split(";")}
    assert {"Secure", "HttpOnly"} <= attributes
    assert "SameSite=Lax" in cookie


# --- Body size --------------------------------------------------------------------------------


def test_a_json_body_over_the_limit_is_a_413_envelope(app, client, world, token_for):
    limit = app.config["MAX_CONTENT_LENGTH"]
    body = '{"short_name": "' + "x" * limit + '"}'
    response = client.post(
        "/api/v1/parties",
        data=body,
        content_type="application/json",
        headers=token_for(world.users["cec_admin"]),
    )
    (error,) = errors_of(response, 413)
    assert error["code"] == "payload_too_large"


def test_a_form_over_the_limit_is_a_413_page(app, client):
    limit = app.config["MAX_CONTENT_LENGTH"]
    client.set_cookie("lang", "en")
    response = client.post("/login", data={"username": "x", "password": "y" * limit})
    assert response.status_code == 413
    assert response.mimetype == "text/html"
    assert "The request is too large." in response.get_data(as_text=True)


# --- Sign-in rate limit per client address ------------------------------------------------------


def _attempt(client, username, password, address="198.51.100.7"):
    return client.post(
        "/login",
        data={"username": username, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def test_the_default_login_rate_is_set(app):
    limit, period = app.config["LOGIN_RATE"]
    assert 0 < limit <= 50 and period >= 30


def test_sign_in_attempts_are_limited_per_address(app, client, world, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_RATE", (3, 60))
    client.set_cookie("lang", "en")
    for username in ("nobody", "someone", "anyone"):  # each account fails once: no lockout
        assert _attempt(client, username, "wrong password 1").status_code == 401
    refused = _attempt(client, world.usernames["cec_admin"], PASSWORD)
    assert refused.status_code == 429, "even the right password waits for the window"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    page = refused.get_data(as_text=True)
    assert "Too many sign-in attempts from this address" in page
    assert "<form" in page, "the form stays for the next try"
    assert client.get("/login").status_code == 200, "showing the form is not an attempt"
    other = _attempt(client, world.usernames["cec_admin"], PASSWORD, address="203.0.113.9")
    assert other.status_code == 302, "another address has its own window"


def test_the_per_account_throttle_still_applies_within_the_rate(app, client, world):
    free = app.config["LOGIN_FREE_FAILURES"]
    assert free < app.config["LOGIN_RATE"][0]
    client.set_cookie("lang", "en")
    username = world.usernames["territorial_member"]
    for _ in range(free):
        _attempt(client, username, "not the password at all")
    throttled = _attempt(client, username, PASSWORD)
    assert throttled.status_code == 429
    assert "Too many failed sign-ins" in throttled.get_data(as_text=True)
    other = _attempt(client, username, PASSWORD, address="203.0.113.9")
    assert other.status_code == 302, "the throttle holds that address only, never the owner"


# --- No internals in any answer ---------------------------------------------------------------

SECRET_SQL = "SELECT password_hash FROM users WHERE username = 'cec-admin'"


@pytest.fixture
def failing_app(make_app):
    app = make_app(TESTING=False, PROPAGATE_EXCEPTIONS=False)

    @public
    def explode():
        raise RuntimeError(f"boom while running {SECRET_SQL}")

    @public
    def bad_sql():
        db.session.execute(text("SELECT password_hash FROM no_such_table_here"))
        return {}

    for prefix in ("", "/api/v1"):
        app.add_url_rule(f"{prefix}/test-only/explode", f"explode{prefix}", explode)
        app.add_url_rule(f"{prefix}/test-only/bad-sql", f"bad_sql{prefix}", bad_sql)
    return app


LEAKS = ("Traceback", "RuntimeError", "SELECT", "password_hash", "no_such_table", "sqlalchemy")


@pytest.mark.parametrize("prefix", ["", "/api/v1"])
@pytest.mark.parametrize("what", ["explode", "bad-sql"])
def test_no_stack_trace_or_sql_in_an_answer(failing_app, prefix, what):
    response = failing_app.test_client().get(f"{prefix}/test-only/{what}")
    assert response.status_code in (500, 503)
    body = response.get_data(as_text=True)
    for leak in LEAKS:
        assert leak not in body, leak
    if prefix:
        (error,) = errors_of(response, response.status_code)
        assert error["code"] in ("internal_error", "service_unavailable")
    else:
        assert response.mimetype == "text/html"


# --- Passwords --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "password", "problems"),
    [
        ("aigerim", "x" * (MIN_PASSWORD_LENGTH - 1), 1),
        ("aigerim", "my-AIGERIM-password-2026", 1),
        ("aigerim", "Aigerim", 2),
        ("aigerim", "x" * MIN_PASSWORD_LENGTH, 0),
        ("aigerim", "correct horse battery staple", 0),
    ],
)
def test_password_length_and_name_rules(app, username, password, problems):
    with app.test_request_context():
        assert len(password_problems(username, password)) == problems


@pytest.mark.parametrize("password", ["short-one", "zerendi-chair-2026!"])
def test_a_weak_password_refuses_the_user(app, world, password):
    with app.test_request_context():
        with pytest.raises(ServiceError) as refused:
            create_user("zerendi-chair", "cec_admin", password)
        assert refused.value.status == 422
        assert {(i.code, i.field) for i in refused.value.items} == {("weak_password", "password")}
