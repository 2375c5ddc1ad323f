"""``flask --app elections backup FILE``: SQLite's online backup while the service writes on,
and a copy that restores whole (its audit trail verifies; it holds every event committed
before the backup began)."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from elections import create_app
from elections.core import audit
from elections.core.audit import AuditEvent
from elections.core.extensions import db

FLASK = str(Path(sys.executable).with_name("flask"))
SECRET = "backup-test-secret-not-for-production"

pytestmark = pytest.mark.committing


def flask(url: str, *args: str) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "ELECTIONS_DATABASE_URL": url, "SECRET_KEY": SECRET}
    return subprocess.run(
        [FLASK, "--app", "elections", *args], env=env, capture_output=True, text=True, timeout=120
    )


def events(app) -> int:
    with app.app_context():
        count = db.session.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
        db.session.remove()
        return count


def test_a_backup_taken_while_writes_go_on_restores_whole(tmp_path):
    url = f"sqlite:///{tmp_path / 'live.sqlite3'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET})
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
    stop = threading.Event()
    written = [0]

    def writer():
        while not stop.is_set():
            with app.app_context():
                audit.record(audit.Action.UNIT_CREATED, "unit", written[0], {"n": written[0]})
                db.session.commit()
                db.session.remove()
            written[0] += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while written[0] < 50:
            threading.Event().wait(0.01)
        before = events(app)
        copy = tmp_path / "copy.sqlite3"
        done = flask(url, "backup", str(copy))
        after = events(app)
    finally:
        stop.set()
        thread.join(30)
    assert done.returncode == 0, done.stderr
    assert "its national audit head is" in done.stdout
    head = done.stdout.rsplit(" ", 1)[1].strip()
    verified = flask(f"sqlite:///{copy}", "audit", "verify", "--expect-head", head)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    restored = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{copy}", "SECRET_KEY": SECRET})
    assert before <= events(restored) <= after
    assert after > before, "the writes went on while the backup ran"
    with app.app_context():
        db.engine.dispose()
    with restored.app_context():
        db.engine.dispose()


def test_backup_refuses_an_existing_file_and_a_postgresql_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'live.sqlite3'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET})
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        db.engine.dispose()
    taken = tmp_path / "taken.sqlite3"
    taken.write_bytes(b"keep me")
    refused = flask(url, "backup", str(taken))
    assert refused.returncode == 1 and "exists already" in refused.stderr
    assert taken.read_bytes() == b"keep me"
    postgres = flask("postgresql://postgres@127.0.0.1:1/none", "backup", str(tmp_path / "x"))
    assert postgres.returncode == 1 and "pg_basebackup" in postgres.stderr
