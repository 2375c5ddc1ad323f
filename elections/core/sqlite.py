"""SQLite as a real embedded engine: WAL, foreign keys, and writers that queue.

pysqlite opens transactions lazily and upgrades read locks to write locks late,
which makes concurrent writers fail with "database is locked". Requests that may
write (anything but GET/HEAD/OPTIONS) begin with ``BEGIN IMMEDIATE`` so they wait
their turn from the start; reads stay deferred.

Outside a request (the command line, the test harness) a transaction begins
``IMMEDIATE`` too, since most commands write, unless the code runs inside
:func:`reading`: a command that only reads (``audit verify``, the checks ``start``
makes before it serves) then never takes the write lock, and a server running on the
same file keeps writing meanwhile. Whoever begins a transaction outside a request must
end it: a write lock held by an open ``IMMEDIATE`` transaction stops every other writer
of the file (see :func:`release`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

READ_METHODS = ("GET", "HEAD", "OPTIONS")

_reading: ContextVar[bool] = ContextVar("elections_sqlite_reading", default=False)


@contextmanager
def reading() -> Iterator[None]:
    """Transactions begun inside this block are plain, deferred reads, in a request or not.

    A request that may write uses it for a read phase it ends before writing: sign-in reads
    the user, ends that transaction, checks the password with no lock held, then writes.
    """
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


def _may_write() -> bool:
    if _reading.get():  # a read phase, even inside a request that writes later (sign-in)
        return False
    if has_request_context():
        return request.method not in READ_METHODS
    return True


def begin_statement() -> str:
    """What a transaction begun here and now starts with."""
    return "BEGIN IMMEDIATE" if _may_write() else "BEGIN"


def release(session, engine: Engine) -> None:
    """End the session's transaction and close every pooled connection of the engine.

    For code outside a request that is about to hand the process over to something else
    (``start`` before it serves): nothing it did may keep a lock or a connection.
    """
    session.rollback()
    session.remove()
    engine.dispose()


def configure(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        connection.exec_driver_sql(begin_statement())


def backup(engine: Engine, target: Path) -> int:
    """A consistent copy of the database in ``target`` while the service goes on writing:
    SQLite's online backup API in one step, which reads one snapshot (in WAL mode writers
    are not held meanwhile). The copy is checked (``PRAGMA integrity_check``) under a
    temporary name and only then renamed into place. Returns the bytes of the copy."""
    if target.exists():
        raise FileExistsError(target)
    partial = target.with_name(target.name + ".partial")
    source = sqlite3.connect(engine.url.database)
    copy = sqlite3.connect(partial)
    try:
        source.backup(copy)
        (verdict,) = copy.execute("PRAGMA integrity_check").fetchone()
        if verdict != "ok":
            raise sqlite3.DatabaseError(f"the copy failed its integrity check: {verdict}")
    finally:
        copy.close()
        source.close()
    partial.rename(target)
    return target.stat().st_size
