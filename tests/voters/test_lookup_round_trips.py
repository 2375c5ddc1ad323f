"""Where do I vote answers in one round trip to PostgreSQL, and never takes SQLite's write lock.

Every voter of the country may ask, so each round trip counts: in the request's transaction a
lookup cost three (BEGIN, the query, ROLLBACK), and the benchmark's lookup rate at 32
connections was 27% of the static file's (issue 15); in one round trip it is over 50%. What
the driver sends is read from the driver itself: libpq's protocol trace, SQLite's statement
trace.
"""

from __future__ import annotations

import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import event

from elections.core.extensions import db
from tests.voters.support import listed_voter

pytestmark = pytest.mark.committing


@contextmanager
def traced(engine):
    """What every connection opened meanwhile sends: libpq's messages (PostgreSQL) or the
    statements SQLite runs, in the order sent."""
    sent: list[str] = []
    trace_file = Path(tempfile.mkstemp(suffix=".trace")[1])
    files = []

    def on_connect(dbapi_connection, _record):
        if engine.dialect.name == "postgresql":
            from psycopg import pq

            handle = trace_file.open("a")
            files.append(handle)
            dbapi_connection.pgconn.trace(handle.fileno())
            dbapi_connection.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS)
        else:
            dbapi_connection.set_trace_callback(sent.append)

    engine.dispose()  # only connections opened from here on are traced
    event.listen(engine, "connect", on_connect)
    try:
        yield sent
    finally:
        event.remove(engine, "connect", on_connect)
        engine.dispose()
        for handle in files:
            handle.close()
        # A frontend line of the trace: "F <length> <message> ...".
        for line in trace_file.read_text().splitlines():
            parts = line.split("\t")
            if parts[0] == "F":
                sent.append(" ".join(parts[2:]))
        trace_file.unlink()


def test_a_lookup_is_one_statement_in_one_round_trip(committed_app):
    world, row = listed_voter(committed_app)
    with committed_app.app_context():
        engine = db.engine
    client = committed_app.test_client()

    with traced(engine) as sent:
        answer = client.post("/api/v1/voter-lookup", json={"iin": row["iin"]})
        assert answer.status_code == 200
        assert answer.get_json()["elections"][0]["election_id"] == world.election_id

    if engine.dialect.name == "postgresql":
        # The extended protocol ends each round trip with Sync; a simple Query is one too.
        round_trips = [m for m in sent if m.startswith(("Sync", "Query"))]
        assert len(round_trips) == 1, sent
        assert not [m for m in sent if "BEGIN" in m or "ROLLBACK" in m], sent
    else:
        assert "BEGIN IMMEDIATE" not in sent, sent
        assert [s for s in sent if s.startswith("SELECT")] and len(sent) <= 3, sent
