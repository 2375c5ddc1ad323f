"""HTTP caching of public pages: ETag, Cache-Control, and an in-process page cache.

A view says what it shows depends on (``cached_by(state)``): its state is read from the
database on every request, one small query, so a change is seen at once and a page is
never served stale by this server. A CDN in front may keep a page for ``max-age`` seconds.

A reader who already holds the page (a browser revalidating it, as Chromium does on every
``<meta http-equiv="refresh">``: ``Cache-Control: max-age=0`` with ``If-None-Match``) gets
304 after that one query, before anything is rendered or looked up.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from datetime import UTC, datetime
from functools import wraps

from flask import Response, current_app, g, make_response, request, session
from flask_babel import get_locale

from elections.core import replica
from elections.core.clock import now
from elections.web.access import current_actor, is_api_request
from elections.web.metrics import PAGE_CACHE

MAX_AGE = 10
_ENTRIES = 4096
FOREVER = datetime.max.replace(tzinfo=UTC)
# Besides the entries, the bytes kept are bounded (config PAGE_CACHE_BYTES): a few national
# documents of megabytes each must not grow a worker whatever the query strings.
DEFAULT_BYTES = 64 * 1024 * 1024
_KEPT_HEADERS = ("Content-Disposition", "Link", "X-Total-Count")
_lock = threading.Lock()
_pages: OrderedDict[str, tuple[bytes, int, dict]] = OrderedDict()
_bytes = 0
_horizons: dict[str, datetime] = {}  # of pages that follow the clock: until when each holds


def _personal() -> bool:
    """A page that shows its reader (the signed-in header, a CSRF token, flashed messages)
    must be neither served from nor stored in a cache shared by everyone."""
    return not is_api_request() and (current_actor() is not None or "_flashes" in session)


def cached_by(state, reads=None, follows_clock: bool = False):
    """Cache a public view under ``state(**view_arguments)``: a tuple that changes whenever
    what the view shows may have changed.

    ``reads``: the query parameters the view reads, either their names or a callable giving
    their (validated) values; the key then holds those and the path, so a made-up parameter
    is a hit. Without it the key holds the whole query string (pages whose links repeat it).

    ``follows_clock``: what the view shows also changes with the clock. It says until when
    its answer holds by calling :func:`holds_until`; the page is kept, and its ETag stays,
    until then, and an answer that names no instant is rendered anew every time.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(**kwargs):
            if reads is None:
                variant = request.full_path
            elif callable(reads):
                variant = (request.path, *reads())
            else:
                variant = (request.path, *(request.args.get(name) for name in reads))
            # The key comes from the primary; a page rendered from the replica waits for it.
            with replica.primary():
                key = state(**kwargs)

            def render():
                with replica.reading(lambda: state(**kwargs), key):
                    return view(**kwargs)

            return _cached(render, key, variant, follows_clock)

        return wrapper

    return decorator


def holds_until(instant: datetime | None) -> None:
    """The answer being rendered is true until ``instant`` (None: whatever the clock)."""
    instant = FOREVER if instant is None else instant
    g.page_holds_until = min(instant, g.get("page_holds_until", instant))


def _cached(render, state: tuple, variant, follows_clock: bool):
    """``render``: the view's answer, from the replica once it shows ``state``."""
    if _personal():
        response = make_response(render())
        response.headers["Cache-Control"] = "private, no-cache"
        response.vary.add("Cookie")
        return response
    key = "|".join(map(str, (variant, get_locale(), *state)))
    if follows_clock:
        # The instant the page kept under this key stops being true completes the key; while
        # it is unknown or past, the page is rendered and tells it anew.
        horizon = _horizons.get(key)
        if horizon is None or now() >= horizon:
            return _render_following_clock(render, key)
        key += f"|{horizon.isoformat()}"
    etag = hashlib.sha256(key.encode()).hexdigest()[:32]
    if etag in request.if_none_match:
        # The reader holds this very variant (same path and query, language and data).
        PAGE_CACHE.labels("not_modified").inc()
        return _shared(Response(status=304), etag)
    with _lock:
        hit = _pages.get(etag)
        if hit is not None:
            _pages.move_to_end(etag)
    PAGE_CACHE.labels("miss" if hit is None else "hit").inc()
    if hit is None:
        response = make_response(render())
        _keep_response(etag, response)
    else:
        body, status, headers = hit
        response = make_response(body, status, headers)
    if response.status_code == 200:
        response = _shared(response, etag).make_conditional(request)
    return response


def _render_following_clock(render, key: str) -> Response:
    g.pop("page_holds_until", None)
    PAGE_CACHE.labels("miss").inc()
    response = make_response(render())
    horizon = g.pop("page_holds_until", None)
    if horizon is None or response.status_code != 200:
        response.headers["Cache-Control"] = "no-cache"
        return response
    with _lock:
        if len(_horizons) >= _ENTRIES:
            _horizons.clear()  # keys of states gone by; the pages themselves stay bounded
        _horizons[key] = horizon
    etag = hashlib.sha256(f"{key}|{horizon.isoformat()}".encode()).hexdigest()[:32]
    _keep_response(etag, response)
    return _shared(response, etag).make_conditional(request)


def _keep_response(etag: str, response: Response) -> None:
    if response.status_code == 200:
        headers = {"Content-Type": response.headers["Content-Type"]}
        for name in _KEPT_HEADERS:
            if name in response.headers:
                headers[name] = response.headers[name]
        _keep(etag, (response.get_data(), 200, headers))


def _shared(response: Response, etag: str) -> Response:
    """The headers of a response any reader may get and any cache may keep."""
    response.set_etag(etag)
    response.headers["Cache-Control"] = f"public, max-age={MAX_AGE}"
    response.vary.add("Cookie")  # the language cookie
    if request.path.startswith("/api/"):
        response.vary.add("Accept-Language")  # the API's language without ?lang= or cookie
    return response


def _keep(etag: str, entry: tuple[bytes, int, dict]) -> None:
    """Store a page, dropping the least recently used ones while over the entries or bytes."""
    global _bytes
    budget = current_app.config.get("PAGE_CACHE_BYTES", DEFAULT_BYTES)
    size = len(entry[0])
    if size > budget:
        return  # bigger than the whole cache: rendered each time rather than evicting all
    with _lock:
        previous = _pages.pop(etag, None)
        if previous is not None:
            _bytes -= len(previous[0])
        _pages[etag] = entry
        _bytes += size
        while len(_pages) > _ENTRIES or _bytes > budget:
            _, (dropped, *_rest) = _pages.popitem(last=False)
            _bytes -= len(dropped)


def cached_bytes() -> int:
    """The bytes of the pages kept now (for tests and the benchmark)."""
    with _lock:
        return _bytes


def clear() -> None:
    global _bytes
    with _lock:
        _pages.clear()
        _horizons.clear()
        _bytes = 0
