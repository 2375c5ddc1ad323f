"""The fuzzed app lives for the whole run, on a database of its own (its writes are real)."""

from __future__ import annotations

import os
import re

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from elections.core.extensions import db
from tests.fuzz import harness


@pytest.fixture(scope="session")
def fuzz_database_url(tmp_path_factory):
    """A fresh SQLite file; on PostgreSQL runs, a fresh database beside the test database."""
    shared = os.environ.get("ELECTIONS_TEST_DATABASE_URL")
    if not shared or not shared.startswith("postgres"):
        yield "sqlite:///" + str(tmp_path_factory.mktemp("fuzz") / "fuzz.sqlite3")
        return
    server = make_url(shared).set(drivername="postgresql+psycopg")
    name = re.sub(r"\W", "_", f"{server.database}_fuzz_{os.getpid()}")[:63]
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def live(fuzz_database_url):
    live = harness.build(fuzz_database_url)
    yield live
    with live.app.app_context():
        db.engine.dispose()


def pytest_terminal_summary(terminalreporter):
    tally = harness.TALLY
    if tally.cases:
        statuses = ", ".join(f"{s}: {n}" for s, n in sorted(tally.by_status.items()))
        terminalreporter.write_line(
            f"schemathesis: {len(tally.operations)} operations, {tally.cases} cases "
            f"(statuses {statuses})"
        )
