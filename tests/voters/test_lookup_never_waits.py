"""Where do I vote is a read, though it comes by POST: it never waits for a writer. On SQLite
a POST otherwise begins BEGIN IMMEDIATE, so every lookup took the file's write lock and
queued behind the protocol saves of election night (and held them up)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from elections.core.extensions import db
from elections.territory.models import Election
from tests.voters.support import listed_voter

pytestmark = pytest.mark.committing


def test_a_lookup_answers_while_a_writer_holds_its_lock(committed_app):
    world, row = listed_voter(committed_app)
    with committed_app.app_context():
        writer = db.engine.connect()
    try:
        # Outside a request a transaction begins BEGIN IMMEDIATE on SQLite (core/sqlite.py):
        # the file's write lock, as every saving request holds it. On PostgreSQL the writer
        # holds what a certification does: the election's row, FOR UPDATE.
        writer.begin()
        held = select(Election.id).where(Election.id == world.election_id)
        writer.execute(held if writer.dialect.name == "sqlite" else held.with_for_update())
        answers = []
        asking = threading.Thread(
            target=lambda: answers.append(
                committed_app.test_client().post("/api/v1/voter-lookup", json={"iin": row["iin"]})
            )
        )
        asking.start()
        asking.join(timeout=5)
        assert not asking.is_alive(), "the lookup waited for the writer"
        assert answers[0].status_code == 200
    finally:
        writer.rollback()
        writer.close()
