"""Configuration from the environment: secret key, database URL, cookie and size limits."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from elections.core import config
from elections.core.extensions import db


@pytest.fixture
def clean_env(monkeypatch):
    for name in ("SECRET_KEY", "ELECTIONS_DATABASE_URL", "ELECTIONS_ENV", "ELECTIONS_TIMEZONE"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_a_secret_key_is_generated_once_into_the_instance_folder(clean_env, tmp_path):
    instance = tmp_path / "instance"
    key = config._secret_key(str(instance))
    path = instance / "secret_key"
    assert path.read_text().strip() == key
    assert len(key) >= 48
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert config._secret_key(str(instance)) == key, "kept across restarts"
    assert config._secret_key(str(tmp_path / "elsewhere")) != key


def test_secret_key_from_the_environment_wins_and_writes_nothing(clean_env, tmp_path):
    clean_env.setenv("SECRET_KEY", "from-the-environment")
    assert config._secret_key(str(tmp_path)) == "from-the-environment"
    assert not (tmp_path / "secret_key").exists()


def test_defaults_from_an_empty_environment(clean_env, tmp_path):
    settings = config.from_environment(str(tmp_path))
    assert settings["SQLALCHEMY_DATABASE_URI"] == "sqlite:///" + str(
        Path(tmp_path) / "elections.sqlite3"
    )
    assert settings["ELECTIONS_TIMEZONE"] == "Asia/Almaty"
    assert settings["BABEL_DEFAULT_LOCALE"] == "kk"
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["SESSION_COOKIE_HTTPONLY"] is True
    assert settings["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert settings["MAX_CONTENT_LENGTH"] == 1024 * 1024
    assert "LOGIN_MAX_FAILURES" not in settings, "no lockout: throttling per name and address"
    assert (settings["LOGIN_FREE_FAILURES"], settings["LOGIN_MAX_DELAY"]) == (3, 15 * 60)
    assert settings["LOGIN_ACCOUNT_CEILING"] == (100, 60 * 60)


def test_the_environment_names_the_database_and_development_mode(clean_env, tmp_path):
    clean_env.setenv("ELECTIONS_DATABASE_URL", "postgresql://app@db.example/elections")
    clean_env.setenv("ELECTIONS_ENV", "development")
    settings = config.from_environment(str(tmp_path))
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql://app@db.example/elections"
    assert settings["SESSION_COOKIE_SECURE"] is False


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql://app@db/elections", "postgresql+psycopg://app@db/elections"),
        ("postgres://app@db/elections", "postgresql+psycopg://app@db/elections"),
        ("postgresql+psycopg://app@db/elections", "postgresql+psycopg://app@db/elections"),
        ("postgresql+psycopg2://app@db/elections", "postgresql+psycopg2://app@db/elections"),
        ("sqlite:////srv/elections.sqlite3", "sqlite:////srv/elections.sqlite3"),
    ],
    ids=[
        "postgresql://",
        "postgres:// (Heroku style)",
        "already psycopg",
        "explicit driver",
        "sqlite",
    ],
)
def test_database_urls_are_normalised(url, expected):
    assert config._normalise_database_url(url) == expected


def test_the_overrides_win_over_the_environment(clean_env, make_app, database_url):
    clean_env.setenv("ELECTIONS_DATABASE_URL", "sqlite:////nonexistent/from-env.sqlite3")
    app = make_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == config._normalise_database_url(database_url)
    with app.app_context():
        assert db.engine.url.render_as_string(hide_password=False) == (
            config._normalise_database_url(database_url)
        )


def test_a_postgresql_url_in_the_overrides_is_served_by_psycopg(make_app):
    app = make_app(SQLALCHEMY_DATABASE_URI="postgresql://app@db.example:5432/elections")
    assert (
        app.config["SQLALCHEMY_DATABASE_URI"]
        == "postgresql+psycopg://app@db.example:5432/elections"
    )
    # No ping before each checkout: a dropped connection costs one 503 instead
    # (tests/foundation/test_dropped_connection.py).
    assert "pool_pre_ping" not in app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {})
    with app.app_context():
        assert db.engine.url.drivername == "postgresql+psycopg"
        assert db.engine.dialect.driver == "psycopg"


def test_the_session_app_runs_with_test_settings(app):
    assert app.config["TESTING"] is True
    assert app.config["SECRET_KEY"] == "test-secret-not-for-production"
