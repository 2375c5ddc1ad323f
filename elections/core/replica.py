"""A streaming replica for the public: ``ELECTIONS_READ_DATABASE_URL`` (optional).

The cached public pages (web/page_cache.py: the results pages, the open-data documents, the
public lists), asked by an anonymous GET or HEAD (no session, no API token), render from the
replica. Everything else reads and writes on the primary, and so does any write or row lock
inside such a render.

A replica replays the primary's WAL a little behind it, so a cached page's state (its
election's state and change counter) is read on the primary, and before the page renders from
the replica the replica must show that same state: the request waits for replay (up to
``REPLICA_WAIT`` seconds), else renders from the primary. A page therefore never shows a
result older than the one certified on the primary. A view without such a state is never sent
to the replica: nothing could tell it is behind.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import Flask, current_app, g, has_request_context, request, session
from flask_sqlalchemy.session import Session
from sqlalchemy import create_engine, text
from sqlalchemy.sql.dml import UpdateBase

_ROUTED = "read_replica"


def engine():
    """The replica's engine, or None when none is configured."""
    return current_app.extensions.get("replica")


def routed() -> bool:
    """Whether this moment's reads go to the replica."""
    return has_request_context() and bool(g.get(_ROUTED))


class RoutingSession(Session):
    """The app's session: a cached public page's render on the replica, all else on the
    primary (writes, row locks, and whatever follows a write, always)."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        if bind is None and routed() and not self._flushing and not _writes(clause):
            return engine()
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


def _writes(clause) -> bool:
    return isinstance(clause, UpdateBase) or getattr(clause, "_for_update_arg", None) is not None


def _eligible() -> None:
    """before_request: an anonymous GET or HEAD may read its cached page from the replica."""
    g.replica_eligible = (
        request.method in ("GET", "HEAD")
        and "Authorization" not in request.headers
        and "_user_id" not in session
    )


@contextmanager
def reading(state_of: Callable[[], tuple], key: tuple) -> Iterator[None]:
    """A cached public page renders inside this block (web/page_cache.py): from the replica,
    once the replica shows ``key`` (the page's state, read on the primary) or a later state
    the primary agrees with. Past ``REPLICA_WAIT`` seconds, or for any other request, the
    block reads the primary. Every other view reads the primary: only a page whose state is
    known can be checked against the replica's."""
    use = engine() is not None and has_request_context() and g.get("replica_eligible", False)
    if use:
        g.setdefault(_ROUTED, True)
        use = _caught_up(state_of, key)
        if not use:
            g.pop(_ROUTED, None)
    try:
        yield
    finally:
        if use:
            g.pop(_ROUTED, None)


def _caught_up(state_of: Callable[[], tuple], key: tuple) -> bool:
    """Wait, backing off, until the replica shows ``key``; a replica past ``key`` counts once
    the primary shows the same. The primary is asked at most once per wait step."""
    deadline = time.monotonic() + current_app.config["REPLICA_WAIT"]
    pause = 0.005
    while True:
        seen = state_of()
        if seen == key or seen == _on_primary(state_of):
            return True
        if time.monotonic() + pause > deadline:
            current_app.logger.warning("the replica is behind; this page reads the primary")
            return False
        time.sleep(pause)
        pause = min(pause * 2, 0.2)


@contextmanager
def primary() -> Iterator[None]:
    """Reads inside the block go to the primary, whatever the request."""
    was = g.pop(_ROUTED, None) if has_request_context() else None
    try:
        yield
    finally:
        if was:
            g.setdefault(_ROUTED, was)


def _on_primary(state_of: Callable[[], tuple]) -> tuple:
    with primary():
        return state_of()


@dataclass(frozen=True)
class Lag:
    bytes: int  # WAL the replica has still to replay
    seconds: float  # since the replica's last replayed commit; 0 when nothing is left


def lag() -> Lag | None:
    """How far the replica is behind the primary, or None without a replica."""
    from elections.core.extensions import db

    replica = engine()
    if replica is None:
        return None
    with db.engine.connect() as connection:
        written = connection.execute(text("SELECT pg_current_wal_lsn()::text")).scalar_one()
    with replica.connect() as connection:
        behind, since = connection.execute(
            text(
                "SELECT pg_wal_lsn_diff(CAST(:written AS pg_lsn), pg_last_wal_replay_lsn()),"
                " extract(epoch FROM now() - pg_last_xact_replay_timestamp())"
            ),
            {"written": written},
        ).one()
    behind = max(0, int(behind or 0))
    return Lag(behind, float(since or 0) if behind else 0.0)


def install(app: Flask) -> None:
    url = app.config.get("READ_DATABASE_URI")
    if not url:
        return
    app.extensions["replica"] = create_engine(url, pool_pre_ping=True)
    app.before_request_funcs.setdefault(None, []).insert(0, _eligible)
