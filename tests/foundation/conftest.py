"""Fixtures for the foundation tests: extra app instances and the CLI runner."""

from __future__ import annotations

import pytest
from flask.cli import FlaskGroup

from elections import create_app
from elections.core.extensions import db


@pytest.fixture
def make_app(database_url):
    """Build another app with ``create_app`` (same database as the session app) for a test
    that needs other settings or extra routes; its engine is disposed afterwards.

    Requests to it use ``db.session``, which the harness binds to the test's transaction,
    so they see the test's data and leave nothing behind.
    """
    made = []

    def make(**overrides):
        config = {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "test-secret-not-for-production",
            "WTF_CSRF_ENABLED": False,
            "SESSION_COOKIE_SECURE": False,
        }
        config.update(overrides)
        app = create_app(config)
        made.append(app)
        return app

    yield make
    for app in made:
        with app.app_context():
            db.engine.dispose()


class Cli:
    """Runs ``flask --app elections ARGS`` in-process: through Flask's own command group, which
    pushes an app context for every command, as the real ``flask`` command does."""

    def __init__(self, app):
        self.runner = app.test_cli_runner()
        self.group = FlaskGroup(create_app=lambda: app, load_dotenv=False)

    def invoke(self, args: list[str], input: str | None = None):
        return self.runner.invoke(self.group, args=args, input=input)


@pytest.fixture
def cli(app, monkeypatch):
    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "true")  # FlaskGroup sets it; restored afterwards
    return Cli(app)
