"""Reads of one statement in one round trip: the hot public reads (cache keys, "where do I vote").

On PostgreSQL a statement run in the request's transaction costs three round trips (BEGIN,
the statement, ROLLBACK at the end of the request); on a connection of its own in autocommit
it costs one, and PostgreSQL reads READ COMMITTED statement by statement, so it sees what the
transaction would have seen. On SQLite the statement runs on the session's connection in a
deferred transaction (core/sqlite.py), even inside a POST: a read never takes the write lock.
"""

from __future__ import annotations

from sqlalchemy import Engine

from elections.core.db import has_written
from elections.core.extensions import db
from elections.core.sqlite import reading


def read_rows(statement, params: dict | None = None) -> list:
    """Every row of one read-only statement. After the request has written, in its own
    transaction, which alone sees what it wrote."""
    bind = db.session.get_bind()
    session = db.session()
    session_writes = session.in_transaction() and has_written(session.connection())
    if isinstance(bind, Engine) and bind.dialect.name == "postgresql" and not session_writes:
        with bind.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            return connection.execute(statement, params).all()
    with reading():
        return db.session.connection().execute(statement, params).all()


def read_one(statement, params: dict | None = None) -> tuple:
    """The one row of a state query; () when it finds none."""
    rows = read_rows(statement, params)
    return tuple(rows[0]) if rows else ()
