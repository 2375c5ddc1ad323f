"""Server-side sign-in sessions, and noting when a session or a token was last used.

The browser's cookie carries a random key; the server keeps only its SHA-256 in
``user_sessions``. A session counts only while its row exists, is not ended and its user is
active, so signing out, deactivation and a password change end every copy of the cookie.

``last_seen_at`` / ``last_used_at`` are written at most once a minute per session or token,
in a tiny transaction of their own at the start of the request (before the view has done
anything), never on every request: on SQLite each write takes the file's write lock.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import g, session
from sqlalchemy import or_, select, update

from elections.auth.models import ApiToken, User, UserSession
from elections.core.db import utcnow
from elections.core.extensions import db

SESSION_KEY = "session_key"
TOUCH_EVERY = timedelta(minutes=1)


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def start(user: User, address: str) -> str:
    """A new session for the user (in the caller's transaction); returns the cookie's key."""
    key = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(
        UserSession(
            key_hash=digest(key), user_id=user.id, created_at=now, last_seen_at=now, address=address
        )
    )
    return key


def load(user_id: str) -> User | None:
    """The user of this request's cookie, if its server-side session is still open."""
    key = session.get(SESSION_KEY)
    if not isinstance(key, str) or not user_id.isdigit():
        return None
    found = db.session.execute(
        select(User, UserSession)
        .join(UserSession, UserSession.user_id == User.id)
        .where(
            UserSession.key_hash == digest(key),
            UserSession.user_id == int(user_id),
            UserSession.ended_at.is_(None),
            User.active.is_(True),
        )
    ).one_or_none()
    if found is None:
        return None
    user, row = found
    g.user_session = (row.id, row.last_seen_at)
    return user


def current_session_id() -> int | None:
    found = g.get("user_session")
    return found[0] if found else None


def end_current() -> int | None:
    """End this request's session (in the caller's transaction); its id, if there was one."""
    row_id = current_session_id()
    if row_id is not None:
        db.session.execute(
            update(UserSession)
            .where(UserSession.id == row_id, UserSession.ended_at.is_(None))
            .values(ended_at=utcnow())
        )
    session.pop(SESSION_KEY, None)
    return row_id


def end_all(user: User) -> int:
    """End every open session of the user (in the caller's transaction); how many."""
    result = db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )
    return result.rowcount


def note_session_use() -> None:
    found = g.get("user_session")
    if found is not None:
        _touch(UserSession, UserSession.last_seen_at, "last_seen_at", *found)


def note_token_use(token_id: int, last_used_at) -> None:
    _touch(ApiToken, ApiToken.last_used_at, "last_used_at", token_id, last_used_at)


def _touch(model, column, name: str, row_id: int, seen) -> None:
    """Write the time of use when the stored one is a minute old or more.

    Called first thing in a request, when its transaction has read its credentials and
    written nothing: that transaction ends, the update commits alone (a GET on SQLite takes
    the write lock only for this one row, once a minute), and the request goes on afresh.
    """
    now = utcnow()
    if seen is not None and now - seen < TOUCH_EVERY:
        return
    db.session.commit()
    db.session.execute(
        update(model)
        .where(model.id == row_id, or_(column.is_(None), column < now - TOUCH_EVERY))
        .values({name: now})
    )
    db.session.commit()
