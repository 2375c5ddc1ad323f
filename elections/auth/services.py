"""Accounts: argon2 password hashes, lockout after repeated failures, API tokens."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from elections import audit
from elections.audit import Action
from elections.auth.models import ROLES, TERRITORIAL_ROLES, ApiToken, User
from elections.db import utcnow
from elections.errors import ErrorItem, invalid
from elections.extensions import db
from elections.territory.models import Precinct, Unit

MIN_PASSWORD_LENGTH = 12
_hasher = PasswordHasher()
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


def create_user(
    username: str,
    role: str,
    password: str,
    *,
    commission_kato: str | None = None,
    precinct_id: int | None = None,
    actor: User | None = None,
) -> User:
    errors = []
    if role not in ROLES:
        errors.append(ErrorItem("invalid_choice", _("Unknown role."), field="role"))
    if db.session.execute(select(User).where(User.username == username)).scalar_one_or_none():
        errors.append(ErrorItem("duplicate", _("This user name is taken."), field="username"))
    errors += [
        ErrorItem("weak_password", p, field="password")
        for p in password_problems(username, password)
    ]
    commission = precinct = None
    if role in TERRITORIAL_ROLES:
        commission = db.session.execute(
            select(Unit).where(Unit.kato == commission_kato)
        ).scalar_one_or_none()
        if commission is None or commission.kind not in ("region", "district", "city_regional"):
            errors.append(
                ErrorItem(
                    "invalid", _("Name the KATO of a territorial commission."), field="commission"
                )
            )
    if role == "precinct_secretary":
        precinct = db.session.get(Precinct, precinct_id) if precinct_id else None
        if precinct is None:
            errors.append(ErrorItem("invalid", _("Name an existing precinct."), field="precinct"))
    if errors:
        raise invalid(errors)
    user = User(
        username=username,
        role=role,
        password_hash=hash_password(password),
        commission=commission,
        precinct=precinct,
        failed_logins=0,
        active=True,
    )
    db.session.add(user)
    db.session.flush()
    audit.record(
        Action.USER_CREATED,
        "user",
        user.id,
        {
            "username": username,
            "role": role,
            "commission": commission_kato,
            "precinct": precinct_id,
        },
        actor,
    )
    return user


def issue_token(user: User, actor: User | None = None) -> str:
    """A new bearer token for the user; only its hash is stored, so it is shown once."""
    token = "akim_" + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user=user, token_hash=ApiToken.digest(token)))
    audit.record(Action.TOKEN_ISSUED, "user", user.id, {"username": user.username}, actor)
    return token


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    locked: bool = False


def authenticate(username: str, password: str) -> LoginResult:
    """Check a password, counting failures; the fifth in a row locks the account for a while."""
    user = db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    now = utcnow()
    if user is None or not user.active:
        _verify(_DUMMY_HASH, password)
        return LoginResult(None)
    if user.locked_until and user.locked_until > now:
        return LoginResult(None, locked=True)
    if _verify(user.password_hash, password):
        user.failed_logins, user.locked_until = 0, None
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        audit.record(Action.LOGIN_SUCCEEDED, "user", user.id, {}, user)
        return LoginResult(user)
    user.failed_logins += 1
    audit.record(Action.LOGIN_FAILED, "user", user.id, {"failures": user.failed_logins}, None)
    if user.failed_logins >= current_app.config["LOGIN_MAX_FAILURES"]:
        minutes = current_app.config["LOGIN_LOCK_MINUTES"]
        user.locked_until = now + timedelta(minutes=minutes)
        user.failed_logins = 0
        audit.record(Action.ACCOUNT_LOCKED, "user", user.id, {"minutes": minutes}, None)
        return LoginResult(None, locked=True)
    return LoginResult(None)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
