"""A streaming replica for the public: ``ELECTIONS_READ_DATABASE_URL`` (optional).

Anonymous GET and HEAD requests (no session, no API token) read from the replica: the public
pages and the open-data documents. Everything else reads and writes on the primary, and so
does any write a public request makes (a flush or an INSERT/UPDATE/DELETE goes to the primary).

A replica replays the primary's WAL a little behind it, so a cached page's state (its
election's state and change counter, web/page_cache.py) is read on the primary, and before a
page is rendered from the replica, the replica must show that same state: the request waits
for replay (up to ``REPLICA_WAIT`` seconds), else renders from the primary. A page therefore
never shows a result older than the one certified on the primary.
"""

from __future__ import annotations

import time
from collections.abc import Callable
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
    """Whether this request's reads go to the replica."""
    return has_request_context() and bool(g.get(_ROUTED))


class RoutingSession(Session):
    """The app's session: reads of a public request on the replica, the rest on the primary."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        if bind is None and routed() and not self._flushing and not isinstance(clause, UpdateBase):
            return engine()
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


def _route() -> None:
    """before_request: a public read goes to the replica."""
    g.pop(_ROUTED, None)
    anonymous = "Authorization" not in request.headers and "_user_id" not in session
    if request.method in ("GET", "HEAD") and anonymous:
        g.setdefault(_ROUTED, True)


@contextmanager
def primary():
    """Reads inside the block go to the primary, whatever the request."""
    was = g.get(_ROUTED) if has_request_context() else None
    if was:
        g.pop(_ROUTED)
    try:
        yield
    finally:
        if was:
            g.setdefault(_ROUTED, was)


def on_primary(state_of: Callable[[], tuple]) -> tuple:
    with primary():
        return state_of()


def settle(state_of: Callable[[], tuple], key: tuple) -> None:
    """Before a page is rendered from the replica: wait until the replica shows ``key`` (read
    on the primary) or a later state the primary agrees with; past the wait, the rest of the
    request reads from the primary."""
    if not routed():
        return
    deadline = time.monotonic() + current_app.config["REPLICA_WAIT"]
    while True:
        seen = state_of()
        if seen == key or seen == on_primary(state_of):
            return
        if time.monotonic() >= deadline:
            g.pop(_ROUTED)
            current_app.logger.warning("the replica is behind; this page reads the primary")
            return
        time.sleep(0.01)


@dataclass(frozen=True)
class Lag:
    bytes: int  # WAL the replica has still to replay
    seconds: float  # since the replica's last replayed commit; 0 when nothing is left


def _lsn(value: str) -> int:
    high, low = value.split("/")
    return (int(high, 16) << 32) + int(low, 16)


def lag() -> Lag | None:
    """How far the replica is behind the primary, or None without a replica."""
    from elections.core.extensions import db

    replica = engine()
    if replica is None:
        return None
    with db.engine.connect() as connection:
        written = connection.execute(text("SELECT pg_current_wal_lsn()::text")).scalar_one()
    with replica.connect() as connection:
        replayed, since = connection.execute(
            text(
                "SELECT pg_last_wal_replay_lsn()::text,"
                " extract(epoch FROM now() - pg_last_xact_replay_timestamp())"
            )
        ).one()
    behind = max(0, _lsn(written) - _lsn(replayed)) if replayed else 0
    return Lag(behind, float(since or 0) if behind else 0.0)


def install(app: Flask) -> None:
    url = app.config.get("READ_DATABASE_URI")
    if not url:
        return
    app.extensions["replica"] = create_engine(url, pool_pre_ping=True)
    app.before_request_funcs.setdefault(None, []).insert(0, _route)
