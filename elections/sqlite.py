"""SQLite as a real embedded engine: WAL, foreign keys, and writers that queue.

pysqlite opens transactions lazily and upgrades read locks to write locks late,
which makes concurrent writers fail with "database is locked". Requests that may
write (anything but GET/HEAD/OPTIONS, and every CLI command) begin with
``BEGIN IMMEDIATE`` so they wait their turn from the start; reads stay deferred.
"""

from __future__ import annotations

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

READ_METHODS = ("GET", "HEAD", "OPTIONS")


def _may_write() -> bool:
    return not has_request_context() or request.method not in READ_METHODS


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
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _may_write() else "BEGIN")
