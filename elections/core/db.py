"""Declarative base, naming convention and an aware-UTC datetime column type."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# The largest value an INTEGER column holds (PostgreSQL's int4): ids, counts and numbers that
# come from clients are checked against it, so an oversized one is refused, never a 500.
INTEGER_MAX = 2**31 - 1


def dialect_insert(dialect_name: str):
    """The dialect's INSERT, which speaks ``ON CONFLICT DO NOTHING`` on both engines."""
    return postgresql_insert if dialect_name == "postgresql" else sqlite_insert


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Stores aware instants as UTC; SQLite hands them back naive, so UTC is re-attached."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; attach a timezone")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


_WROTE = "elections.wrote"


def track_writes(engine) -> None:
    """Mark a connection's transaction once it runs an INSERT, UPDATE or DELETE.

    What a transaction wrote may still be rolled back, so a memory shared by every request
    must not learn from it: see :func:`has_written`.
    """

    @event.listens_for(engine, "begin")
    def forget(connection):
        connection.info.pop(_WROTE, None)

    @event.listens_for(engine, "after_cursor_execute")
    def remember(connection, _cursor, _statement, _parameters, context, _executemany):
        if context is not None and (context.isinsert or context.isupdate or context.isdelete):
            connection.info[_WROTE] = True


def has_written(connection) -> bool:
    """Whether the connection's current transaction has changed rows (see track_writes)."""
    return bool(connection.info.get(_WROTE))


def bulk_insert(connection, table: str, columns: tuple[str, ...], records: list[tuple]) -> None:
    """Rows as tuples straight to the driver, for lists of thousands (a precinct's voters):
    one COPY on PostgreSQL, one executemany on SQLite. No ORM, no per-value processing, so the
    values must be what the driver takes: dates as ``date`` on PostgreSQL, ISO text on SQLite
    (as SQLAlchemy's Date stores them), hashes as bytes. ``connection``: a SQLAlchemy one, in
    the caller's transaction."""
    if not records:
        return
    raw = connection.connection.driver_connection
    if connection.dialect.name == "postgresql":
        with raw.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for record in records:
                copy.write_row(record)
        return
    marks = ", ".join("?" for _ in columns)
    statement = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608
    raw.executemany(statement, records)
