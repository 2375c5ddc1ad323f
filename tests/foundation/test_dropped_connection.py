"""A database connection dropped under the service (PostgreSQL restarted or failed over, a
backend killed) costs one request a 503 with Retry-After, and the next one is served.

The pool does not ping the database before every checkout (a round trip on every request);
the first use of a dead connection finds it, and the pool then drops every connection as old
as it (SQLAlchemy's "optimistic" disconnect handling).
"""

from __future__ import annotations

import psycopg
import pytest

from elections.core.extensions import db

pytestmark = pytest.mark.committing


def _drop_every_connection(app) -> None:
    """Cut the app's pooled connections from outside, as a restarted server would."""
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "postgresql":
            server = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
            with psycopg.connect(server, autocommit=True) as conn:
                killed = conn.execute(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                ).fetchone()[0]
            assert killed >= 1  # the app's pooled connection was there to be cut
        else:
            # An embedded file has no server to drop it: close one under the pool instead,
            # which must then never serve it.
            pooled = engine.raw_connection()  # the one connection the requests used
            pooled.driver_connection.close()
            pooled.close()  # back to the pool, dead


def test_a_dropped_connection_costs_at_most_one_request(committed_app):
    client = committed_app.test_client()
    assert client.get("/api/v1/elections/999").status_code == 404  # the pool holds one now
    _drop_every_connection(committed_app)
    answers = [client.get("/api/v1/elections/999") for _ in range(4)]
    statuses = [answer.status_code for answer in answers]
    assert statuses.count(503) <= 1, statuses
    assert statuses[1:] == [404, 404, 404], statuses
    for answer in answers:
        if answer.status_code == 503:
            assert answer.headers["Retry-After"] == "5"
            assert answer.get_json()["errors"][0]["code"] == "service_unavailable"
