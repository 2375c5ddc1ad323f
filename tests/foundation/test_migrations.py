"""Migrations: one head, upgrade from empty, down and up again, and models that match."""

from __future__ import annotations

import os
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
from elections.audit import GENESIS
from elections.extensions import db

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
