"""Test harness: one app and one migrated database per run, each test rolled back.

SQLite by default; PostgreSQL when ELECTIONS_TEST_DATABASE_URL is set. The schema
comes from the Alembic migrations, so every run also proves they upgrade from empty.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from flask import Flask
from flask_migrate import upgrade
from flask_sqlalchemy.session import _app_ctx_id
from psycopg import sql
from sqlalchemy.engine import make_url
from sqlalchemy.orm import scoped_session, sessionmaker

from elections import create_app
from elections.auth.models import User
from elections.auth.services import issue_token
from elections.core.extensions import db
from elections.web import page_cache, ratelimit
from tests import factories


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("ELECTIONS_TEST_DATABASE_URL")
    if url:
        return url
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    return _database_url(tmp_path_factory)


def _migrated_app(database_url: str, secret: str) -> Flask:
    """A test app on this database, its schema upgraded from the migrations."""
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": secret,
            "WTF_CSRF_ENABLED": False,
            "SESSION_COOKIE_SECURE": False,
            # Scans kept by the tests go to a folder of their own, never the instance's.
            "SCAN_FOLDER": tempfile.mkdtemp(prefix="scans-"),
        }
    )
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
    return app


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    app = _migrated_app(database_url, "test-secret-not-for-production")
    yield app
    with app.app_context():
        db.engine.dispose()


# -- a database of a module's own, for tests that commit for real ---------------------------
# A new SQLite file, or on PostgreSQL (ELECTIONS_TEST_DATABASE_URL set) a new database on the
# same server, made fresh from the migrations and dropped at the end of the module. A module
# using ``committed_app`` is marked ``committing``.


@pytest.fixture(scope="module")
def fresh_database_url(tmp_path_factory) -> Iterator[str]:
    """A database nobody else uses, of the same kind as the rest of the suite's."""
    shared = os.environ.get("ELECTIONS_TEST_DATABASE_URL")
    if not shared:
        yield "sqlite:///" + str(tmp_path_factory.mktemp("committed") / "committed.sqlite3")
        return
    url = make_url(shared)
    server = url.set(drivername="postgresql", database="postgres")
    name = f"elections_committed_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(server.render_as_string(hide_password=False), autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture(scope="module")
def committed_app(fresh_database_url) -> Iterator[Flask]:
    app = _migrated_app(fresh_database_url, "committed-secret-not-for-production")
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _transaction(request, app):
    """Each test runs inside one outer transaction that is rolled back at the end.

    Sessions (one per app context, as in production) join that transaction through
    savepoints, so a ``commit()`` in a request only releases a savepoint. No app
    context stays pushed during the test: requests get fresh ones, as in production.
    """
    if "committing" in request.keywords:
        yield
        return
    with app.app_context():
        connection = db.engine.connect()
    outer = connection.begin()
    real_session = db.session
    db.session = scoped_session(
        sessionmaker(bind=connection, join_transaction_mode="create_savepoint"),
        scopefunc=_app_ctx_id,
    )
    try:
        yield
    finally:
        db.session = real_session
        outer.rollback()
        connection.close()


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit windows live in process memory: each test starts with none used, and with
    no public page cached (a rolled-back test's pages must not answer the next one's)."""
    ratelimit.reset()
    page_cache.clear()
    yield
    ratelimit.reset()
    page_cache.clear()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def clock(app):
    """Freeze the service's clock: ``clock(datetime)``; restored after the test."""
    previous = app.config.get("ELECTIONS_NOW")

    def set_now(moment):
        app.config["ELECTIONS_NOW"] = moment

    yield set_now
    app.config["ELECTIONS_NOW"] = previous


@pytest.fixture
def token_for(app):
    """Bearer headers for a user: ``client.get(url, headers=token_for(user))``."""

    def make(user_id: int) -> dict[str, str]:
        with app.app_context():
            token = issue_token(db.session.get(User, user_id))
            db.session.commit()
        return {"Authorization": f"Bearer {token}"}

    return make


@pytest.fixture
def login(app, client):
    """Sign a user in through the real login form (factories give every user one password)."""

    def sign_in(user_id: int):
        with app.app_context():
            username = db.session.get(User, user_id).username
        response = client.post(
            "/login", data={"username": username, "password": factories.PASSWORD}
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return sign_in


@pytest.fixture
def world(app):
    """A small territory: region > district > rural district > two villages, one rural election."""
    with app.app_context():
        world = factories.make_world()
        db.session.commit()
        return world
