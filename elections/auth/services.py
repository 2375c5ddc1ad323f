"""Accounts: argon2 password hashes, throttled sign-in, sessions, API tokens that end."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import gettext as _
from sqlalchemy import select, update

from elections.auth import sessions, throttle
from elections.auth.models import ApiToken, User
from elections.core import audit, sqlite
from elections.core.audit import Action
from elections.core.db import utcnow
from elections.core.errors import ErrorItem, invalid
from elections.core.extensions import db

MIN_PASSWORD_LENGTH = 12
# argon2id at OWASP's minimum (Password Storage Cheat Sheet: m=19 MiB, t=2, p=1), instead of
# argon2-cffi's default (m=64 MiB, t=3, p=4). Measured on this 2-core machine (December 2026,
# load average 8 from other runs): one verify 81 ms at best, 105 ms median, against 624 ms
# and 824 ms with the default. Older hashes are rehashed at the next sign-in
# (check_needs_rehash).
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
_DUMMY_HASH = _hasher.hash("timing-equaliser-not-a-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_problems(username: str, password: str) -> list[str]:
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(_("Use at least %(n)d characters.", n=MIN_PASSWORD_LENGTH))
    if username and username.lower() in password.lower():
        problems.append(_("The password must not contain the user name."))
    return problems


def issue_token(user: User, actor: User | None = None, *, expires_in_days: int = 30) -> str:
    """A new bearer token for the user; only its hash is stored, so it is shown once."""
    token = "akim_" + secrets.token_urlsafe(32)
    now = utcnow()
    expires_at = now + timedelta(days=expires_in_days)
    db.session.add(
        ApiToken(
            user=user, token_hash=ApiToken.digest(token), created_at=now, expires_at=expires_at
        )
    )
    audit.record(
        Action.TOKEN_ISSUED,
        "user",
        user.id,
        {"username": user.username, "expires_at": expires_at.isoformat()},
        actor,
    )
    return token


def _revoke_all(user: User) -> int:
    """Revoke every token of the user still usable; how many there were."""
    return db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    ).rowcount


def revoke_tokens(user: User, actor: User | None = None) -> int:
    """Every token of the user stops at once; how many were still usable."""
    revoked = _revoke_all(user)
    audit.record(
        Action.TOKENS_REVOKED,
        "user",
        user.id,
        {"username": user.username, "tokens": revoked},
        actor,
    )
    return revoked


def deactivate(user: User, actor: User | None = None) -> None:
    """The user can no longer sign in; their sessions end and their tokens are revoked."""
    user.active = False
    ended = sessions.end_all(user)
    revoked = _revoke_all(user)
    audit.record(
        Action.USER_DEACTIVATED,
        "user",
        user.id,
        {"username": user.username, "sessions_ended": ended, "tokens_revoked": revoked},
        actor,
    )


def set_password(user: User, password: str, actor: User | None = None) -> None:
    """A new password (checked like a new user's); every session of the user ends."""
    problems = password_problems(user.username, password)
    if problems:
        raise invalid([ErrorItem("weak_password", p, field="password") for p in problems])
    user.password_hash = hash_password(password)
    ended = sessions.end_all(user)
    audit.record(
        Action.PASSWORD_CHANGED,
        "user",
        user.id,
        {"username": user.username, "sessions_ended": ended},
        actor,
    )


def tokens_of(user: User) -> list[ApiToken]:
    return list(
        db.session.execute(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)
        ).scalars()
    )


def token_state(token: ApiToken, now) -> str:
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= now:
        return "expired"
    return "active"


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    retry_after: int = 0  # seconds, when this address must wait before trying this name


def authenticate(username: str, password: str, address: str) -> LoginResult:
    """Check a password, throttled per (name, address); no lockout, no hint a name exists.

    Three phases, so that the slow hash never runs while the SQLite write lock is held
    (every POST begins ``BEGIN IMMEDIATE``): read the user and the recent failures in a
    deferred read transaction and end it; verify the hash with no transaction open; then
    write, in the request's write transaction the caller commits: the failure (kept
    outside the hash chain) or the success and its audit event. The caller's transaction
    must have written nothing yet: it ends here. An unknown or inactive name costs the same
    hash (a dummy) and gets the same answer as a wrong password.
    """
    db.session.rollback()  # nothing is written before sign-in; a read may have begun
    with sqlite.reading():
        user = db.session.execute(
            select(User).where(User.username == username)
        ).scalar_one_or_none()
        usable = user is not None and user.active
        wait = throttle.seconds_to_wait(username, address, user.id if usable else None)
        user_id, stored_hash = (user.id, user.password_hash) if usable else (None, _DUMMY_HASH)
        db.session.rollback()
    if wait:
        throttle.record_failure(username, address, known_user=user is not None, throttled=True)
        return LoginResult(None, retry_after=wait)
    right = _verify(stored_hash, password)
    new_hash = None
    if right and usable and _hasher.check_needs_rehash(stored_hash):
        new_hash = hash_password(password)
    known = user is not None
    user = db.session.get(User, user_id) if user_id is not None else None
    if not (right and usable) or user is None or not user.active:
        throttle.record_failure(username, address, known_user=known, throttled=False)
        return LoginResult(None)
    if user.password_hash != stored_hash:  # changed while we were checking: try again
        return LoginResult(None)
    if new_hash is not None:
        user.password_hash = new_hash
    audit.record(Action.LOGIN_SUCCEEDED, "user", user.id, {}, user)
    return LoginResult(user)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
