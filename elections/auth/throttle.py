"""Sign-in throttling per (user name, client address), with a high ceiling per user name.

This replaced a lockout: five wrong passwords used to lock an account for everyone, its
owner included, and the user names are predictable. Now failures slow down only the
address they come from. After ``LOGIN_FREE_FAILURES`` failures from an address for a
name, the next attempt from there waits ``2 ** (n - free)`` seconds after the last one,
at most ``LOGIN_MAX_DELAY``; failures older than ``LOGIN_THROTTLE_WINDOW`` or before the
last successful sign-in from that address no longer count. Besides, a name that has
``LOGIN_ACCOUNT_CEILING`` failures within its period from all addresses together is held
for everyone until the count falls: from a few addresses, the delays above keep an
attacker far below that ceiling, so in practice only a wide botnet ever reaches it.

Failures live in ``sign_in_failures``, outside the audit hash chain, known names or not,
and refused attempts while throttled are kept there too (flagged ``throttled``; they do
not count, since no password was checked). A user name that does not exist is counted
and throttled exactly like one that does, so the answers never tell them apart.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from flask import current_app, request
from sqlalchemy import func, select

from elections.auth.models import SignInFailure, UserSession
from elections.core.db import utcnow
from elections.core.extensions import db

ADDRESS_LENGTH = 64
USERNAME_LENGTH = 80


def client_address() -> str:
    """The client's address; behind trusted proxies ProxyFix has already made it the real one."""
    return (request.remote_addr or "unknown")[:ADDRESS_LENGTH]


def delay_after(failures: int) -> int:
    """Seconds the next attempt waits after ``failures`` counted failures from one address."""
    free = current_app.config["LOGIN_FREE_FAILURES"]
    if failures < free:
        return 0
    cap = current_app.config["LOGIN_MAX_DELAY"]
    exponent = failures - free
    return cap if exponent >= cap.bit_length() else min(cap, 2**exponent)


def seconds_to_wait(username: str, address: str, user_id: int | None) -> int:
    """0 when this address may try a password for this name now, else the seconds to wait.

    Reads only. ``user_id`` names the account when the name exists: a successful sign-in
    from this address (a session begun there) wipes the slate for this address.
    """
    username = username[:USERNAME_LENGTH]
    now = utcnow()
    since = now - timedelta(seconds=current_app.config["LOGIN_THROTTLE_WINDOW"])
    if user_id is not None:
        last_success = db.session.execute(
            select(func.max(UserSession.created_at)).where(
                UserSession.user_id == user_id, UserSession.address == address
            )
        ).scalar_one()
        if last_success is not None and last_success > since:
            since = last_success
    counted, last = db.session.execute(
        select(func.count(), func.max(SignInFailure.at)).where(
            SignInFailure.username == username,
            SignInFailure.address == address,
            SignInFailure.throttled.is_(False),
            SignInFailure.at > since,
        )
    ).one()
    wait = _until(last + timedelta(seconds=delay_after(counted)), now) if counted else 0
    return max(wait, _ceiling_wait(username, now))


def _ceiling_wait(username: str, now: datetime) -> int:
    limit, period = current_app.config["LOGIN_ACCOUNT_CEILING"]
    start = now - timedelta(seconds=period)
    recent = (
        SignInFailure.username == username,
        SignInFailure.throttled.is_(False),
        SignInFailure.at > start,
    )
    total = db.session.execute(select(func.count()).where(*recent)).scalar_one()
    if total < limit:
        return 0
    # Held until enough failures have aged out of the period to leave room for one more.
    pivot = db.session.execute(
        select(SignInFailure.at)
        .where(*recent)
        .order_by(SignInFailure.at)
        .offset(total - limit)
        .limit(1)
    ).scalar_one()
    return max(1, _until(pivot + timedelta(seconds=period), now))


def _until(moment: datetime, now: datetime) -> int:
    return max(0, math.ceil((moment - now).total_seconds()))


def record_failure(username: str, address: str, *, known_user: bool, throttled: bool) -> None:
    """Keep a failed or refused attempt (in the caller's transaction; not in the chain)."""
    db.session.add(
        SignInFailure(
            at=utcnow(),
            username=username[:USERNAME_LENGTH],
            address=address,
            known_user=known_user,
            throttled=throttled,
        )
    )
