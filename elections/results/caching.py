"""HTTP caching for the public results: ETag, Cache-Control, and an in-process page cache.

The cache key is read from the database on every request (one small query), so a
saved protocol, a certification or a correction changes it at once: a page is never
served stale by this server. A CDN in front may keep a page for ``max-age`` seconds.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from functools import wraps

from flask import make_response, request
from flask_babel import get_locale
from sqlalchemy import func, select

from elections.ballots.models import ProtocolVersion
from elections.candidates.models import Candidate, CandidateEvent
from elections.extensions import db
from elections.results.models import Correction, ResultVersion
from elections.territory.models import Election

MAX_AGE = 10
_ENTRIES = 512
_lock = threading.Lock()
_pages: OrderedDict[str, tuple[bytes, int, dict]] = OrderedDict()


def state_key(election_id: int) -> tuple:
    """What a results page depends on, in one round trip."""

    def latest(column, *where):
        return select(func.max(column)).where(*where).scalar_subquery()

    return tuple(
        db.session.execute(
            select(
                select(Election.state).where(Election.id == election_id).scalar_subquery(),
                latest(ProtocolVersion.id, ProtocolVersion.election_id == election_id),
                latest(ResultVersion.id, ResultVersion.election_id == election_id),
                latest(Correction.id, Correction.election_id == election_id),
                select(func.max(CandidateEvent.id))
                .join(Candidate, Candidate.id == CandidateEvent.candidate_id)
                .where(Candidate.election_id == election_id)
                .scalar_subquery(),
            )
        ).one()
    )


def cached_public(view):
    @wraps(view)
    def wrapper(election_id: int, **kwargs):
        key = "|".join(map(str, (request.full_path, get_locale(), *state_key(election_id))))
        etag = hashlib.sha256(key.encode()).hexdigest()[:32]
        with _lock:
            hit = _pages.get(etag)
            if hit is not None:
                _pages.move_to_end(etag)
        if hit is None:
            response = make_response(view(election_id, **kwargs))
            if response.status_code == 200:
                body = response.get_data()
                headers = {"Content-Type": response.headers["Content-Type"]}
                for name in ("Content-Disposition",):
                    if name in response.headers:
                        headers[name] = response.headers[name]
                with _lock:
                    _pages[etag] = (body, 200, headers)
                    while len(_pages) > _ENTRIES:
                        _pages.popitem(last=False)
        else:
            body, status, headers = hit
            response = make_response(body, status, headers)
        if response.status_code == 200:
            response.set_etag(etag)
            response.headers["Cache-Control"] = f"public, max-age={MAX_AGE}"
            response.vary.add("Cookie")
            response = response.make_conditional(request)
        return response

    return wrapper


def clear() -> None:
    with _lock:
        _pages.clear()
