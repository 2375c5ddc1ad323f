"""Server-side sessions: signing out, deactivation and a password change end every copy
of the cookie (issue 13, item 8); signing out is audited (item 3)."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select

from elections.auth import sessions
from elections.auth.models import User, UserSession
from elections.core.db import utcnow
from elections.core.extensions import db
from tests.factories import PASSWORD
from tests.foundation.support import audit_actions

NEW_PASSWORD = "a long and quiet steppe morning"
PAGE = "/admin/units"


@pytest.fixture
def admin(world):
    return world.users["cec_admin"]


def copy_of(app, client):
    """A second browser holding a copy of the first one's cookie."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def sessions_of(app, user_id: int) -> list[UserSession]:
    with app.app_context():
        rows = list(
            db.session.execute(
                select(UserSession).where(UserSession.user_id == user_id).order_by(UserSession.id)
            ).scalars()
        )
        for row in rows:
            db.session.expunge(row)
        return rows


def refused(response) -> bool:
    return response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_a_copied_cookie_stops_working_after_sign_out(app, client, login, admin):
    login(admin)
    thief = copy_of(app, client)
    assert thief.get(PAGE).status_code == 200, "a copy works while the session is open"
    assert client.post("/logout").status_code == 302
    assert refused(thief.get(PAGE)), "signing out ended the session on the server"
    assert refused(client.get(PAGE))


def test_sign_out_ends_the_row_and_is_audited(app, client, login, admin):
    login(admin)
    [open_row] = sessions_of(app, admin)
    assert open_row.ended_at is None and open_row.address == "127.0.0.1"
    client.post("/logout")
    [ended] = sessions_of(app, admin)
    assert ended.ended_at is not None
    assert audit_actions(app, "user", admin)[-1] == ("user.logged_out", {"session": ended.id})


def test_signing_out_when_not_signed_in_records_nothing(app, client, admin):
    assert client.post("/logout").status_code == 302
    assert audit_actions(app, "user", admin) == []


def test_each_sign_in_is_its_own_session(app, client, login, admin):
    login(admin)
    other = app.test_client()
    other.post("/login", data={"username": "x", "password": "y"})  # a failure: no session
    response = other.post(
        "/login", data={"username": db_username(app, admin), "password": PASSWORD}
    )
    assert response.status_code == 302
    assert len(sessions_of(app, admin)) == 2
    other.post("/logout")
    assert client.get(PAGE).status_code == 200, "ending one session leaves the other"


def db_username(app, user_id: int) -> str:
    with app.app_context():
        return db.session.get(User, user_id).username


def test_the_key_is_stored_only_as_its_sha256(app, client, login, admin):
    login(admin)
    with client.session_transaction() as cookie:
        key = cookie[sessions.SESSION_KEY]
    [row] = sessions_of(app, admin)
    assert row.key_hash == hashlib.sha256(key.encode()).hexdigest()
    with app.app_context():
        connection = db.session.connection()
        for table in db.metadata.sorted_tables:
            assert key not in repr(connection.execute(table.select()).all()), table.name


def test_a_cookie_without_a_server_session_is_not_signed_in(app, client, login, admin):
    """A cookie from before server-side sessions (the user id alone) no longer works."""
    login(admin)
    with client.session_transaction() as cookie:
        cookie.pop(sessions.SESSION_KEY)
    assert refused(client.get(PAGE))


def test_deactivation_ends_every_session_for_good(app, client, login, cli, admin):
    login(admin)
    thief = copy_of(app, client)
    result = cli.invoke(["users", "deactivate", db_username(app, admin)])
    assert result.exit_code == 0, result.output
    assert refused(client.get(PAGE)) and refused(thief.get(PAGE))
    assert all(row.ended_at is not None for row in sessions_of(app, admin))
    with app.app_context():  # even if the account were switched back on, the cookie is dead
        db.session.get(User, admin).active = True
        db.session.commit()
    assert refused(client.get(PAGE))


def test_a_password_change_ends_every_session(app, client, login, cli, admin):
    login(admin)
    thief = copy_of(app, client)
    name = db_username(app, admin)
    result = cli.invoke(["users", "set-password", name, "--password-stdin"], NEW_PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert refused(client.get(PAGE)) and refused(thief.get(PAGE))
    old = client.post("/login", data={"username": name, "password": PASSWORD})
    assert old.status_code == 401
    new = client.post("/login", data={"username": name, "password": NEW_PASSWORD})
    assert new.status_code == 302
    assert client.get(PAGE).status_code == 200


def test_last_seen_is_written_at_most_once_a_minute(app, client, login, admin):
    login(admin)
    [row] = sessions_of(app, admin)
    first = row.last_seen_at
    assert first is not None
    client.get(PAGE)
    assert sessions_of(app, admin)[0].last_seen_at == first, "within the minute: no write"
    with app.app_context():
        db.session.get(UserSession, row.id).last_seen_at = utcnow() - timedelta(minutes=2)
        db.session.commit()
    before = utcnow()
    assert client.get(PAGE).status_code == 200
    assert sessions_of(app, admin)[0].last_seen_at >= before - timedelta(seconds=1)
