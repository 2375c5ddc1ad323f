"""Signing in, throttling after repeated failures, and API tokens."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select, update

from elections.auth.models import ApiToken, SignInFailure, User
from elections.auth.services import issue_token
from elections.core.db import utcnow
from elections.core.extensions import db
from tests.factories import PASSWORD
from tests.foundation.support import audit_actions, codes, errors_of

WRONG = "not the password at all"


@pytest.fixture(autouse=True)
def _english(client):
    """The messages below are checked in English; pages default to Kazakh."""
    client.set_cookie("lang", "en")


def sign_in(client, username: str, password: str, next_url: str | None = None):
    query = {"next": next_url} if next_url is not None else {}
    return client.post(
        "/login", query_string=query, data={"username": username, "password": password}
    )


# --- the login form -------------------------------------------------------------------------


def test_right_password_signs_in_and_goes_to_a_local_next(client, world):
    response = sign_in(client, world.usernames["cec_admin"], PASSWORD, "/admin/units")
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/units"
    assert client.get("/admin/units").status_code == 200


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/", "//evil.example/", "/\\evil.example", "/\t/evil.example"],
    ids=["absolute URL", "scheme-relative", "backslash", "tab that browsers drop"],
)
def test_sign_in_never_redirects_off_site(client, world, next_url):
    response = sign_in(client, world.usernames["cec_admin"], PASSWORD, next_url)
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/elections"  # the administrator's home


@pytest.mark.parametrize(
    ("username", "password"),
    [("nobody-here", PASSWORD), (None, WRONG)],
    ids=["unknown user", "wrong password"],
)
def test_wrong_credentials_are_refused_with_one_message(client, world, username, password):
    response = sign_in(client, username or world.usernames["cec_admin"], password)
    assert response.status_code == 401
    assert "Wrong user name or password." in response.get_data(as_text=True)
    assert client.get("/admin/units").status_code == 302


def test_an_inactive_user_cannot_sign_in_and_loses_the_session(app, client, world):
    assert sign_in(client, world.usernames["cec_admin"], PASSWORD).status_code == 302
    with app.app_context():
        db.session.get(User, world.users["cec_admin"]).active = False
        db.session.commit()
    assert client.get("/admin/units").status_code == 302
    assert sign_in(client, world.usernames["cec_admin"], PASSWORD).status_code == 401


def test_sign_out_ends_the_session(client, world, login):
    login(world.users["cec_admin"])
    assert client.get("/admin/units").status_code == 200
    response = client.post("/logout")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/"
    assert client.get("/admin/units").status_code == 302


# --- throttling (it replaced the lockout: see test_sign_in_throttle.py) --------------------

THROTTLED = "Too many failed sign-ins"


def _failures(app, username):
    with app.app_context():
        rows = db.session.execute(
            select(SignInFailure)
            .where(SignInFailure.username == username)
            .order_by(SignInFailure.id)
        ).scalars()
        return [(row.address, row.known_user, row.throttled) for row in rows]


def test_repeated_failures_slow_down_the_address_and_are_kept_outside_the_chain(app, client, world):
    name, user_id = world.usernames["territorial_member"], world.users["territorial_member"]
    for _attempt in range(3):
        response = sign_in(client, name, WRONG)
        assert response.status_code == 401
        assert THROTTLED not in response.get_data(as_text=True)

    fourth = sign_in(client, name, WRONG)
    assert fourth.status_code == 429
    assert fourth.headers["Retry-After"] == "1"  # 2 ** (3 - 3) seconds after the third
    assert THROTTLED in fourth.get_data(as_text=True)
    refused = sign_in(client, name, PASSWORD)
    assert refused.status_code == 429, "the right password waits too: no password is checked"
    assert (
        _failures(app, name) == [("127.0.0.1", True, False)] * 3 + [("127.0.0.1", True, True)] * 2
    )
    assert audit_actions(app, "user", user_id) == [], "failures stay out of the hash chain"

    # Once the delay has passed (the failures are a few seconds old) the password works.
    with app.app_context():
        db.session.execute(
            update(SignInFailure)
            .where(SignInFailure.username == name)
            .values(at=utcnow() - timedelta(seconds=5))
        )
        db.session.commit()
    assert sign_in(client, name, PASSWORD).status_code == 302
    assert audit_actions(app, "user", user_id)[-1] == ("user.login_succeeded", {})


def test_a_success_resets_the_failure_count(app, client, world):
    name = world.usernames["precinct_secretary"]
    for _attempt in range(2):
        assert sign_in(client, name, WRONG).status_code == 401
    assert sign_in(client, name, PASSWORD).status_code == 302
    client.post("/logout")
    for _attempt in range(3):  # three free failures again, not one
        assert sign_in(client, name, WRONG).status_code == 401
    assert sign_in(client, name, WRONG).status_code == 429


# --- API tokens -----------------------------------------------------------------------------


def test_a_valid_token_authenticates(client, world, token_for):
    response = client.get("/api/v1/audit", headers=token_for(world.users["cec_admin"]))
    assert response.status_code == 200


def test_a_wrong_token_is_401(client, world, token_for):
    token_for(world.users["cec_admin"])
    response = client.get("/api/v1/audit", headers={"Authorization": "Bearer akim_not-a-token"})
    assert codes(errors_of(response, 401)) == ["unauthorized"]
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="elections"'


@pytest.mark.parametrize(
    "shape",
    ["Bearer", "Bearer    ", "Basic {token}", "Token {token}", "{token}", "Bearer{token}"],
    ids=["no token", "blank token", "basic scheme", "other scheme", "no scheme", "no space"],
)
def test_a_malformed_authorization_header_is_401(client, world, token_for, shape):
    token = token_for(world.users["cec_admin"])["Authorization"].removeprefix("Bearer ")
    header = {"Authorization": shape.format(token=token)}
    errors_of(client.get("/api/v1/audit", headers=header), 401)
    # Bad credentials are refused even where none are needed, never silently ignored.
    errors_of(client.get("/api/v1/elections", headers=header), 401)


def test_the_scheme_is_case_insensitive(client, world, token_for):
    token = token_for(world.users["cec_admin"])["Authorization"].removeprefix("Bearer ")
    response = client.get("/api/v1/audit", headers={"Authorization": f"bearer {token}"})
    assert response.status_code == 200


def test_a_token_is_stored_only_as_its_sha256(app, world):
    with app.app_context():
        user = db.session.get(User, world.users["cec_admin"])
        token = issue_token(user)
        db.session.commit()
    assert token.startswith("akim_") and len(token) > 40
    with app.app_context():
        stored = db.session.execute(
            select(ApiToken.token_hash).where(ApiToken.user_id == world.users["cec_admin"])
        ).scalar_one()
        assert stored == hashlib.sha256(token.encode()).hexdigest()
        connection = db.session.connection()
        for table in db.metadata.sorted_tables:
            rows = connection.execute(table.select()).all()
            assert token not in repr(rows), f"the raw token is stored in {table.name}"


def test_two_tokens_of_one_user_both_work(client, world, token_for):
    first = token_for(world.users["cec_admin"])
    second = token_for(world.users["cec_admin"])
    assert first != second
    assert client.get("/api/v1/audit", headers=first).status_code == 200
    assert client.get("/api/v1/audit", headers=second).status_code == 200


def test_an_inactive_users_token_is_401(app, client, world, token_for):
    headers = token_for(world.users["cec_admin"])
    with app.app_context():
        db.session.get(User, world.users["cec_admin"]).active = False
        db.session.commit()
    errors_of(client.get("/api/v1/audit", headers=headers), 401)


def test_issuing_a_token_is_audited(app, world, token_for):
    token_for(world.users["territorial_member"])
    events = audit_actions(app, "user", world.users["territorial_member"])
    assert [(action, payload["username"]) for action, payload in events] == [
        ("user.token_issued", world.usernames["territorial_member"])
    ]
    assert set(events[0][1]) == {"username", "expires_at"}
