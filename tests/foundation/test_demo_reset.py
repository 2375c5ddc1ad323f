"""``flask --app elections demo --reset``: only the demo's own SQLite database in the instance
folder, only while it holds the demo (or nothing), only while no server has it open.

Each test gets an app whose instance folder is the test's own, so the default database is a
file of the test's and the checkout's instance/ is never touched.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from elections import create_app
from elections.auth.models import User
from elections.core.extensions import db
from elections.demo import region as demo
from elections.territory.models import Unit
from tests.foundation.conftest import Cli
from tests.foundation.test_cli import printed_logins

pytestmark = pytest.mark.committing

PASSWORD = "a long and quiet steppe morning"


@pytest.fixture
def instance(tmp_path, monkeypatch):
    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "true")
    monkeypatch.delenv("ELECTIONS_DEMO_LOGINS_FILE", raising=False)
    for name in ("LC_ALL", "LC_MESSAGES", "LANGUAGE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    folder = tmp_path / "instance"
    folder.mkdir()
    return folder


@pytest.fixture
def demo_app(instance):
    """The app as ``flask --app elections`` makes it without ELECTIONS_DATABASE_URL: its
    database is instance/elections.sqlite3 (here the test's instance folder)."""
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'elections.sqlite3'}",
            "SECRET_KEY": "reset-test-secret-not-for-production",
            "WTF_CSRF_ENABLED": False,
            "SESSION_COOKIE_SECURE": False,
        }
    )
    app.instance_path = str(instance)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def count(app, model) -> int:
    with app.app_context():
        try:
            return db.session.execute(select(func.count()).select_from(model)).scalar_one()
        finally:
            db.session.remove()


def signs_in(app, username: str, password: str) -> bool:
    response = app.test_client().post("/login", data={"username": username, "password": password})
    return response.status_code == 302


def test_reset_loads_a_new_demo_with_new_passwords(demo_app, instance):
    cli = Cli(demo_app)
    with demo_app.app_context():
        upgrade(directory=demo_app.extensions["migrate"].directory)
    first = printed_logins(cli.invoke(args=["demo"]).output)
    assert signs_in(demo_app, "cec-admin", first["cec-admin"][0])
    again = cli.invoke(args=["demo"])
    assert again.exit_code == 1, "without --reset the demo is not loaded twice"

    reset = cli.invoke(args=["demo", "--reset"])
    assert reset.exit_code == 0, reset.output
    second = printed_logins(reset.output)
    assert set(second) == set(first)
    assert all(second[name][0] != first[name][0] for name in first), "new passwords"
    assert count(demo_app, Unit) == len(demo.UNITS), "one demo, not two"
    assert not signs_in(demo_app, "cec-admin", first["cec-admin"][0])
    assert signs_in(demo_app, "cec-admin", second["cec-admin"][0])
    remembered = (instance / "demo-logins.txt").read_text()
    assert second["cec-admin"][0] in remembered
    assert first["cec-admin"][0] not in remembered

    verified = cli.invoke(args=["audit", "verify"])
    assert verified.exit_code == 0, verified.output


def test_reset_of_a_database_never_made_makes_it(demo_app, instance):
    reset = Cli(demo_app).invoke(args=["demo", "--reset"])
    assert reset.exit_code == 0, reset.output
    assert count(demo_app, Unit) == len(demo.UNITS)


def test_reset_is_refused_while_a_server_has_the_database_open(demo_app, instance):
    cli = Cli(demo_app)
    assert cli.invoke(args=["demo", "--reset"]).exit_code == 0
    database = Path(instance / "elections.sqlite3")
    server = sqlite3.connect(database)  # what a running server's pool holds: an open connection
    try:
        server.execute("SELECT count(*) FROM units").fetchone()
        refused = cli.invoke(args=["demo", "--reset"])
    finally:
        server.close()
    assert refused.exit_code == 1
    assert "stop the server first" in refused.output
    assert count(demo_app, Unit) == len(demo.UNITS), "nothing was deleted"
    assert cli.invoke(args=["demo", "--reset"]).exit_code == 0, "once it is closed, it resets"


def test_reset_is_refused_for_a_default_database_that_holds_a_real_install(demo_app, instance):
    """Someone began a real install on the default SQLite file: its first administrator."""
    cli = Cli(demo_app)
    with demo_app.app_context():
        upgrade(directory=demo_app.extensions["migrate"].directory)
    created = cli.invoke(
        args=["users", "create", "first-admin", "--role", "cec_admin", "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert created.exit_code == 0, created.output
    refused = cli.invoke(args=["demo", "--reset"])
    assert refused.exit_code == 1
    assert "not the demo" in refused.output
    assert count(demo_app, User) == 1
    assert signs_in(demo_app, "first-admin", PASSWORD)
    assert cli.invoke(args=["demo"]).exit_code == 1, "nor does the demo go in beside it"
