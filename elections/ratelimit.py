"""A small fixed-window rate limiter per client address, kept in process memory.

Each worker process counts on its own, so with N workers a client gets at most N
times the limit; that is enough to stop guessing at the public status lookup.
"""

from __future__ import annotations

import math
import threading
import time
from collections import defaultdict

from flask import current_app, request
from flask_babel import gettext as _

from elections.errors import ServiceError

_lock = threading.Lock()
_windows: dict[tuple[str, str], tuple[int, float]] = defaultdict(lambda: (0, 0.0))


def check(bucket: str, config_key: str) -> None:
    """Count this request; a 429 with Retry-After once the client is over the limit."""
    limit, period = current_app.config[config_key]
    key = (bucket, request.remote_addr or "unknown")
    moment = time.monotonic()
    with _lock:
        count, started = _windows[key]
        if moment - started >= period:
            count, started = 0, moment
        count += 1
        _windows[key] = (count, started)
    if count > limit:
        retry_after = max(1, math.ceil(period - (moment - started)))
        raise ServiceError.one(
            429,
            "too_many_requests",
            _("Too many lookups. Try again in %(seconds)d seconds.", seconds=retry_after),
            headers={"Retry-After": str(retry_after)},
        )


def reset() -> None:
    with _lock:
        _windows.clear()
