"""``/healthz``: the process answers. ``/readyz``: it can serve, so a balancer may send it work.

Ready means the primary database answers and its schema is at the migrations' head, the
read replica answers when one is configured, and Redis answers when one is configured (the
rate limits are shared there). Each check's verdict is named; the answer is 503 while any
fails. Neither page says more than ``ok`` or ``failed`` about a part.
"""

from __future__ import annotations

from functools import cache

from alembic.script import ScriptDirectory
from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from elections.web.access import public

bp = Blueprint("health", __name__)


@cache
def _heads(directory: str) -> frozenset[str]:
    """The migrations' heads: read from the files once per process."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", directory)
    return frozenset(ScriptDirectory.from_config(config).get_heads())


def _database() -> str:
    from elections.core.extensions import db

    stored = set(db.session.execute(text("SELECT version_num FROM alembic_version")).scalars())
    heads = _heads(current_app.extensions["migrate"].directory)
    return "ok" if stored == heads else "migrations_behind"


def _replica() -> str:
    from elections.core import replica

    engine = replica.engine()
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    return "ok"


def _redis() -> str:
    import redis

    client = redis.Redis.from_url(current_app.config["REDIS_URL"], socket_timeout=2)
    try:
        return "ok" if client.ping() else "failed"
    finally:
        client.close()


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/healthz")
@public
def healthz():
    return _no_store(jsonify(status="ok"))


@bp.get("/readyz")
@public
def readyz():
    checks = {"database": _database}
    if current_app.extensions.get("replica"):
        checks["replica"] = _replica
    if current_app.config["REDIS_URL"]:
        checks["redis"] = _redis
    verdicts = {}
    for name, check in checks.items():
        try:
            verdicts[name] = check()
        except Exception:  # noqa: BLE001 (any failure of a part means not ready)
            current_app.logger.exception("readiness check %s failed", name)
            verdicts[name] = "failed"
    ready = all(verdict == "ok" for verdict in verdicts.values())
    response = jsonify(status="ready" if ready else "not_ready", checks=verdicts)
    response.status_code = 200 if ready else 503
    return _no_store(response)
