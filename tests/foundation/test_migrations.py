"""Migrations: one head, upgrade from empty, down and up again, and models that match."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

import elections
from elections.core.audit import GENESIS
from elections.core.extensions import db

MIGRATIONS = Path(elections.__file__).parent / "migrations"


def scripts() -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config)


def schema_differences(connection) -> list:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return compare_metadata(context, db.metadata)


def test_there_is_one_head_and_one_base():
    assert len(scripts().get_heads()) == 1
    assert len(scripts().get_bases()) == 1


def test_every_revision_can_be_undone():
    for revision in scripts().walk_revisions():
        assert callable(getattr(revision.module, "downgrade", None)), revision.revision


def test_the_test_database_was_upgraded_from_empty_to_the_head(app):
    with app.app_context():
        context = MigrationContext.configure(db.session.connection())
        assert context.get_current_heads() == tuple(scripts().get_heads())


def test_the_models_match_the_migrated_schema(app):
    with app.app_context():
        assert schema_differences(db.session.connection()) == []


def test_the_migration_starts_the_audit_chain(app):
    with app.app_context():
        rows = db.session.execute(text("SELECT id, seq, hash FROM audit_head")).all()
    assert [tuple(row) for row in rows] == [(1, 0, GENESIS)]


def check_up_down_up(app) -> None:
    directory = app.extensions["migrate"].directory
    with app.app_context():
        upgrade(directory=directory)
        tables = set(inspect(db.engine).get_table_names())
        model_tables = {table.name for table in db.metadata.sorted_tables}
        assert model_tables <= tables
        with db.engine.connect() as connection:
            assert schema_differences(connection) == []
            head = connection.execute(text("SELECT seq, hash FROM audit_head")).all()
            assert [tuple(row) for row in head] == [(0, GENESIS)]

        downgrade(directory=directory, revision="base")
        left = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert left == set()

        upgrade(directory=directory)
        assert model_tables <= set(inspect(db.engine).get_table_names())
        with db.engine.connect() as connection:
            assert schema_differences(connection) == []
            count = connection.execute(text("SELECT count(*) FROM audit_head")).scalar_one()
            assert count == 1


@pytest.fixture
def brand_new_database(database_url, tmp_path):
    """An empty database of the engine under test: a new SQLite file, or a new PostgreSQL
    database beside the test database (dropped afterwards)."""
    if not database_url.startswith(("postgresql", "postgres:")):
        yield "sqlite:///" + str(tmp_path / "fresh.sqlite3")
        return
    url = make_url(database_url.replace("postgres://", "postgresql://", 1)).set(
        drivername="postgresql+psycopg"
    )
    name = f"{url.database}_migrations_{os.getpid()}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_upgrade_downgrade_upgrade_on_a_brand_new_database(make_app, brand_new_database):
    check_up_down_up(make_app(SQLALCHEMY_DATABASE_URI=brand_new_database))


# --- c12a0profiles: the withdrawn rural-2026 profile ------------------------------------------


def test_rural_2026_elections_are_rebound_with_an_audited_reason_and_the_chain_holds(
    make_app, brand_new_database
):
    """Elections bound to rural-2026 (no source shows a 2026 change: domain.md, "Rule
    profiles") are re-bound to the profile of their kind and call date, each with an
    ``election.profile_rebound`` event; ``flask audit verify`` still passes."""
    import json as _json
    from datetime import UTC, date, datetime

    import sqlalchemy as sa

    from elections.core import audit
    from elections.core.db import UTCDateTime
    from elections.rules import load_profile

    app = make_app(SQLALCHEMY_DATABASE_URI=brand_new_database)
    directory = app.extensions["migrate"].directory
    old_snapshot = {"key": "rural-2026", "version": 1, "kind": "rural", "rules": {}}
    events = sa.table(
        "audit_events",
        *(sa.column(name) for name in ("seq", "actor_id", "actor", "action", "entity_type")),
        *(sa.column(name) for name in ("entity_id", "payload", "prev_hash", "hash")),
        sa.column("at", UTCDateTime),
    )
    with app.app_context():
        upgrade(directory=directory, revision="a51b946e9e84")
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO units (id, kato, parent_id, kind, name_kk, name_ru) VALUES "
                    "(1, '111000000', NULL, 'district', 'A', 'A'), "
                    "(2, '111010000', 1, 'rural_district', 'B', 'B')"
                )
            )
            rows = [
                (1, "rural-2026", date(2026, 7, 10), date(2026, 9, 6)),
                (2, "rural-2026", date(2022, 11, 1), date(2022, 12, 25)),
                (3, "rural-2023", date(2026, 7, 10), date(2026, 9, 6)),
            ]
            for election_id, key, called_on, election_day in rows:
                connection.execute(
                    sa.table(
                        "elections",
                        *(sa.column(n) for n in ("id", "unit_id", "organiser_id", "kind")),
                        sa.column("called_on", sa.Date),
                        sa.column("election_day", sa.Date),
                        sa.column("profile_key"),
                        sa.column("profile_snapshot", sa.JSON),
                        sa.column("state"),
                        sa.column("created_at", UTCDateTime),
                    )
                    .insert()
                    .values(
                        id=election_id,
                        unit_id=2,
                        organiser_id=1,
                        kind="rural",
                        called_on=called_on,
                        election_day=election_day,
                        profile_key=key,
                        profile_snapshot={**old_snapshot, "key": key},
                        state="open",
                        created_at=datetime(2026, 7, 10, tzinfo=UTC),
                    )
                )
            # One event already in the chain: the re-binding must link to it.
            first = audit.AuditEvent(
                seq=1,
                at=datetime(2026, 7, 10, 5, 0, tzinfo=UTC),
                actor_id=None,
                actor="system",
                action="election.called",
                entity_type="election",
                entity_id="1",
                payload=audit.canonical({"profile": "rural-2026"}),
                prev_hash=GENESIS,
            )
            first.hash = audit.event_hash(first)
            connection.execute(
                events.insert().values(
                    **{c: getattr(first, c) for c in ("seq", "at", "actor_id", "actor")},
                    **{c: getattr(first, c) for c in ("action", "entity_type", "entity_id")},
                    **{c: getattr(first, c) for c in ("payload", "prev_hash", "hash")},
                )
            )
            connection.execute(
                text("UPDATE audit_head SET seq = 1, hash = :hash WHERE id = 1"),
                {"hash": first.hash},
            )

        upgrade(directory=directory)

        with db.engine.connect() as connection:
            bound = dict(connection.execute(text("SELECT id, profile_key FROM elections")).all())
            snapshots = {
                row.id: row.profile_snapshot
                for row in connection.execute(
                    sa.select(sa.column("id"), sa.column("profile_snapshot", sa.JSON)).select_from(
                        sa.table("elections")
                    )
                )
            }
            rebound = connection.execute(
                text(
                    "SELECT entity_id, payload FROM audit_events "
                    "WHERE action = 'election.profile_rebound' ORDER BY seq"
                )
            ).all()
        assert bound == {1: "rural-2023", 2: "rural-2021", 3: "rural-2023"}
        assert snapshots[1] == load_profile("rural-2023").data
        assert snapshots[2] == load_profile("rural-2021").data
        assert snapshots[3]["version"] == 1  # an election not on rural-2026 is left alone
        assert [row.entity_id for row in rebound] == ["1", "2"]
        payload = _json.loads(rebound[0].payload)
        assert payload["from"] == {"profile": "rural-2026", "version": 1}
        assert payload["to"]["profile"] == "rural-2023"
        assert "no source shows a 2026 change" in payload["reason"]

        # ``flask audit verify`` on that database, as an operator runs it.
        result = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "elections", "audit", "verify"],
            env={**os.environ, "ELECTIONS_DATABASE_URL": brand_new_database},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert "intact: 3 events" in result.stdout
        db.session.remove()
