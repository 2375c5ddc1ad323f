"""Fixed-window rate limits per client address (and per account), counted by Flask-Limiter.

With ``ELECTIONS_REDIS_URL`` set the counters live in Redis, shared by every worker and
machine, so a limit of N is N whatever the number of gunicorn workers; without it they live
in the process's memory (one server process: development and tests).

The client address is ``request.remote_addr``: behind nginx it is the real client only when
``ELECTIONS_PROXY_COUNT`` tells ProxyFix how many proxies' ``X-Forwarded-For`` to trust
(elections/__init__.py); with the default 0 the header is ignored, so it cannot be forged.

The call sites count a request with :func:`check` (a bucket and the config key of its
``(limit, seconds)``); a client over the limit gets the API error envelope's 429 with
``Retry-After``. Sign-in is also counted per account: :func:`account_key` hashes the
submitted user name, so Redis never holds the names people typed.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import time
import weakref
from functools import wraps

import redis
from flask import Flask, current_app
from flask_babel import gettext as _
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import RateLimitItemPerSecond
from limits.storage import MemoryStorage

from elections.core.errors import ServiceError

EXTENSION = "elections_limiter"
_limiters: weakref.WeakSet[Limiter] = weakref.WeakSet()


def install(app: Flask) -> None:
    """A Limiter of the app's own, on Redis when ``REDIS_URL`` is configured."""
    redis_url = app.config.get("REDIS_URL")
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "elections")
    limiter = Limiter(
        key_func=get_remote_address,
        app=app,
        storage_uri=redis_url or "memory://",
        # A Redis that hangs must not hold requests: half a second, then uncounted.
        storage_options={"socket_timeout": 0.5, "socket_connect_timeout": 0.5} if redis_url else {},
        strategy="fixed-window",
        # Counting is never worth a 500: with Redis down, requests go through uncounted.
        swallow_errors=True,
        in_memory_fallback_enabled=bool(redis_url),
    )
    limiter.app_prefix = app.config["RATELIMIT_KEY_PREFIX"]
    _drop_request_hooks(app, limiter)
    app.extensions[EXTENSION] = limiter
    _limiters.add(limiter)


def _drop_request_hooks(app: Flask, limiter: Limiter) -> None:
    """Limits are counted where they apply (:func:`check`). The extension's own hooks look
    for decorated or default limits on every request, find none, and cost a results page
    served from the cache about a fifth of its time: they are taken off again."""

    def ours(hook) -> bool:
        owner = getattr(hook, "__self__", None) or next(iter(getattr(hook, "args", ())), None)
        return owner is limiter

    for hooks in (app.before_request_funcs, app.after_request_funcs, app.teardown_request_funcs):
        hooks[None] = [hook for hook in hooks.get(None, []) if not ours(hook)]


def account_key(username: str | None) -> str:
    """The bucket of a submitted user name: case- and space-insensitive, and keyed with the
    app's secret (HMAC-SHA-256), so the store cannot be read back into predictable names."""
    name = (username or "").strip().casefold()
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, name.encode(), hashlib.sha256).hexdigest()[:32]


def check(bucket: str, config_key: str, key: str | None = None) -> None:
    """Count this request against ``config_key``'s ``(limit, seconds)`` for ``key`` (the
    client address unless given); a 429 with Retry-After once over the limit."""
    limit, period = current_app.config[config_key]
    limiter: Limiter = current_app.extensions[EXTENSION]
    item = RateLimitItemPerSecond(limit, period)
    identifiers = (
        current_app.config["RATELIMIT_KEY_PREFIX"],
        bucket,
        key if key is not None else (get_remote_address() or "unknown"),
    )
    try:
        allowed = limiter.limiter.hit(item, *identifiers)
    except Exception:  # the store is down: let the request through
        current_app.logger.exception("rate limit store unavailable")
        return
    if not allowed:
        try:
            reset_at = limiter.limiter.get_window_stats(item, *identifiers).reset_time
        except Exception:
            reset_at = time.time() + period
        retry_after = max(1, math.ceil(reset_at - time.time()))
        raise ServiceError.one(
            429,
            "too_many_requests",
            _("Too many lookups. Try again in %(seconds)d seconds.", seconds=retry_after),
            headers={"Retry-After": str(retry_after)},
        )


def reset() -> None:
    """Forget every count of every app's limiter (tests start each with none used). On Redis
    only this app's keys go, never another deployment's sharing the server."""
    for limiter in list(_limiters):
        storage = limiter.storage
        if isinstance(storage, MemoryStorage):
            storage.reset()
            continue
        prefix = limiter.app_prefix
        connection = storage.get_connection()
        try:
            for name in connection.scan_iter(match=f"*LIMITER/{prefix}/*", count=500):
                connection.delete(name)
        except redis.ConnectionError:
            continue  # a store nobody reaches (a readiness test's) keeps no counts


def limited(bucket: str, config_key: str):
    """A view counted by :func:`check` before anything else of it runs, its arguments too."""

    def decorate(view):
        @wraps(view)
        def counted(*args, **kwargs):
            check(bucket, config_key)
            return view(*args, **kwargs)

        return counted

    return decorate
