"""Signing in, lockout after repeated failures, and API tokens."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from elections.auth.models import ApiToken, User
from elections.auth.services import issue_token
from elections.db import utcnow
from elections.extensions import db
from tests.factories import PASSWORD
from tests.foundation.support import audit_actions, codes, errors_of

WRONG = "not the password at all"
LOCKED = "locked for 15 minutes"


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


# --- lockout --------------------------------------------------------------------------------


def test_five_failures_lock_the_account_for_15_minutes_and_are_audited(app, client, world):
    name, user_id = world.usernames["territorial_member"], world.users["territorial_member"]
    for _attempt in range(4):
        response = sign_in(client, name, WRONG)
        assert response.status_code == 401
        assert LOCKED not in response.get_data(as_text=True)

    before = utcnow()
    fifth = sign_in(client, name, WRONG)
    after = utcnow()
    assert fifth.status_code == 401
    assert LOCKED in fifth.get_data(as_text=True)
    with app.app_context():
        locked_until = db.session.get(User, user_id).locked_until
    assert before + timedelta(minutes=15) <= locked_until <= after + timedelta(minutes=15)
    assert audit_actions(app, "user", user_id) == [
        ("user.login_failed", {"failures": 1}),
        ("user.login_failed", {"failures": 2}),
        ("user.login_failed", {"failures": 3}),
        ("user.login_failed", {"failures": 4}),
        ("user.login_failed", {"failures": 5}),
        ("user.locked", {"minutes": 15}),
    ]

    refused = sign_in(client, name, PASSWORD)
    assert refused.status_code == 401, "the right password is refused while locked"
    assert LOCKED in refused.get_data(as_text=True)

    # A minute before the lock ends it still holds; once it has passed the password works.
    with app.app_context():
        db.session.get(User, user_id).locked_until = utcnow() + timedelta(seconds=60)
        db.session.commit()
    assert sign_in(client, name, PASSWORD).status_code == 401
    with app.app_context():
        db.session.get(User, user_id).locked_until = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert sign_in(client, name, PASSWORD).status_code == 302

    with app.app_context():
        user = db.session.get(User, user_id)
        assert (user.failed_logins, user.locked_until) == (0, None)
    assert audit_actions(app, "user", user_id)[-1] == ("user.login_succeeded", {})


def test_a_success_resets_the_failure_count(app, client, world):
    name, user_id = world.usernames["precinct_secretary"], world.users["precinct_secretary"]
    with app.app_context():
        db.session.get(User, user_id).failed_logins = 4  # four failures in a row so far
        db.session.commit()
    assert sign_in(client, name, PASSWORD).status_code == 302
    client.post("/logout")
    response = sign_in(client, name, WRONG)
    assert LOCKED not in response.get_data(as_text=True)
    assert audit_actions(app, "user", user_id)[-1] == ("user.login_failed", {"failures": 1})
    with app.app_context():
        assert db.session.get(User, user_id).locked_until is None


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
    assert events == [("user.token_issued", {"username": world.usernames["territorial_member"]})]
