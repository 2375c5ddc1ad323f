"""API tokens that end, and the account commands (issue 13, item 9):

``users token NAME [--expires-in DAYS]``, ``users tokens NAME``, ``users revoke-tokens NAME``,
``users deactivate NAME``, ``users set-password NAME --password-stdin``. Each is audited.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from elections.auth.models import ApiToken, User
from elections.core.db import utcnow
from elections.core.extensions import db
from tests.factories import PASSWORD
from tests.foundation.support import audit_actions, codes, errors_of

NEW_PASSWORD = "a long and quiet steppe morning"
API = "/api/v1/audit"


@pytest.fixture
def admin(world):
    return world.users["cec_admin"]


@pytest.fixture
def name(world):
    return world.usernames["cec_admin"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def issue(cli, name: str, *options: str) -> str:
    result = cli.invoke(["users", "token", name, *options])
    assert result.exit_code == 0, result.output
    return result.output.strip()


def tokens_of(app, user_id: int) -> list[ApiToken]:
    with app.app_context():
        rows = list(
            db.session.execute(
                select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id)
            ).scalars()
        )
        for row in rows:
            db.session.expunge(row)
        return rows


def test_a_token_lasts_30_days_by_default(app, cli, client, admin, name):
    before = utcnow()
    token = issue(cli, name)
    assert client.get(API, headers=bearer(token)).status_code == 200
    [row] = tokens_of(app, admin)
    assert before + timedelta(days=30) <= row.expires_at <= utcnow() + timedelta(days=30)
    [(action, payload)] = audit_actions(app, "user", admin)
    assert action == "user.token_issued"
    assert payload["expires_at"] == row.expires_at.isoformat()


def test_an_expired_token_is_401(app, cli, client, admin, name):
    token = issue(cli, name, "--expires-in", "2")
    [row] = tokens_of(app, admin)
    assert timedelta(days=2) - timedelta(minutes=1) < row.expires_at - utcnow() <= timedelta(days=2)
    assert client.get(API, headers=bearer(token)).status_code == 200
    with app.app_context():
        db.session.get(ApiToken, row.id).expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    response = client.get(API, headers=bearer(token))
    assert codes(errors_of(response, 401)) == ["unauthorized"]


@pytest.mark.parametrize("days", ["0", "-1", "367", "soon"])
def test_an_unreasonable_lifetime_is_refused(app, cli, admin, name, days):
    result = cli.invoke(["users", "token", name, "--expires-in", days])
    assert result.exit_code == 2, result.output
    assert tokens_of(app, admin) == []


def test_revoking_stops_every_token_at_once(app, cli, client, admin, name):
    first, second = issue(cli, name), issue(cli, name)
    for token in (first, second):
        assert client.get(API, headers=bearer(token)).status_code == 200
    result = cli.invoke(["users", "revoke-tokens", name])
    assert result.exit_code == 0, result.output
    assert "revoked 2 tokens" in result.output
    for token in (first, second):
        errors_of(client.get(API, headers=bearer(token)), 401)
    assert all(row.revoked_at is not None for row in tokens_of(app, admin))
    assert audit_actions(app, "user", admin)[-1] == (
        "user.tokens_revoked",
        {"username": name, "tokens": 2},
    )
    assert client.get(API, headers=bearer(issue(cli, name))).status_code == 200, "a new one works"


def test_revoking_leaves_other_users_tokens_alone(app, cli, client, world, name):
    kept = issue(cli, world.usernames["territorial_member"])
    cli.invoke(["users", "revoke-tokens", name])
    response = client.get("/api/v1/elections", headers=bearer(kept))
    assert response.status_code == 200


def test_tokens_are_listed_with_their_last_use(app, cli, client, admin, name):
    used = issue(cli, name)
    issue(cli, name, "--expires-in", "1")
    client.get(API, headers=bearer(used))
    result = cli.invoke(["users", "tokens", name])
    assert result.exit_code == 0, result.output
    header, *lines = result.output.strip().splitlines()
    assert header.split("\t") == ["id", "created", "expires", "last used", "state"]
    first, second = (line.split("\t") for line in lines)
    assert first[3].endswith("Z") and first[4] == "active"
    assert second[3] == "-" and second[4] == "active", "never used"
    with app.app_context():
        db.session.get(ApiToken, int(second[0])).expires_at = utcnow() - timedelta(hours=1)
        db.session.commit()
    cli.invoke(["users", "revoke-tokens", name])
    issue(cli, name)
    states = [
        line.split("\t")[4]
        for line in cli.invoke(["users", "tokens", name]).output.strip().splitlines()[1:]
    ]
    assert states == ["revoked", "revoked", "active"]


def test_last_use_is_written_at_most_once_a_minute(app, cli, client, admin, name):
    token = issue(cli, name)
    assert tokens_of(app, admin)[0].last_used_at is None
    client.get(API, headers=bearer(token))
    first = tokens_of(app, admin)[0].last_used_at
    assert first is not None
    client.get(API, headers=bearer(token))
    client.get(API, headers=bearer(token))
    assert tokens_of(app, admin)[0].last_used_at == first, "no write on every request"
    with app.app_context():
        db.session.get(ApiToken, tokens_of(app, admin)[0].id).last_used_at = utcnow() - timedelta(
            minutes=2
        )
        db.session.commit()
    before = utcnow()
    client.get(API, headers=bearer(token))
    assert tokens_of(app, admin)[0].last_used_at >= before - timedelta(seconds=1)


def test_deactivation_stops_tokens_and_sign_in_and_is_audited(app, cli, client, admin, name):
    token = issue(cli, name)
    result = cli.invoke(["users", "deactivate", name])
    assert result.exit_code == 0, result.output
    errors_of(client.get(API, headers=bearer(token)), 401)
    assert all(row.revoked_at is not None for row in tokens_of(app, admin))
    with app.app_context():
        assert db.session.get(User, admin).active is False
    assert client.post("/login", data={"username": name, "password": PASSWORD}).status_code == 401
    assert audit_actions(app, "user", admin)[-1] == (
        "user.deactivated",
        {"username": name, "sessions_ended": 0, "tokens_revoked": 1},
    )


def test_set_password_changes_it_and_is_audited(app, cli, client, admin, name):
    result = cli.invoke(["users", "set-password", name, "--password-stdin"], NEW_PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert client.post("/login", data={"username": name, "password": PASSWORD}).status_code == 401
    login = client.post("/login", data={"username": name, "password": NEW_PASSWORD})
    assert login.status_code == 302
    assert ("user.password_changed", {"username": name, "sessions_ended": 0}) in audit_actions(
        app, "user", admin
    )


def test_set_password_refuses_a_weak_one(app, cli, client, admin, name):
    result = cli.invoke(["users", "set-password", name, "--password-stdin"], "short\n")
    assert result.exit_code == 1
    assert "password" in result.output
    assert audit_actions(app, "user", admin) == []
    assert client.post("/login", data={"username": name, "password": PASSWORD}).status_code == 302


@pytest.mark.parametrize(
    "args",
    [
        ["token"],
        ["tokens"],
        ["revoke-tokens"],
        ["deactivate"],
        ["set-password", "--password-stdin"],
    ],
    ids=lambda args: args[0],
)
def test_each_command_refuses_an_unknown_user(cli, world, args):
    result = cli.invoke(["users", args[0], "nobody-here", *args[1:]], NEW_PASSWORD + "\n")
    assert result.exit_code == 1
    assert "There is no user named nobody-here." in result.output
