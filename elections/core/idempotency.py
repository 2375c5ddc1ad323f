"""Idempotency keys: a retried write with the same key and body gets the first answer again.

The key's record is written in the same transaction as the change it answers, so a
request that never committed leaves no key behind and its retry does the work.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column

from elections.core.audit import canonical
from elections.core.db import UTCDateTime, utcnow
from elections.core.errors import ServiceError
from elections.core.extensions import db

HEADER = "Idempotency-Key"


class IdempotencyRecord(db.Model):
    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    key: Mapped[str] = mapped_column(String(200))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def fingerprint(method: str, path: str, body: dict) -> str:
    return hashlib.sha256(canonical([method, path, body]).encode()).hexdigest()


def check_key(key: str) -> str:
    key = key.strip()
    if not key or len(key) > 200:
        raise ServiceError.one(
            400, "bad_request", _("An Idempotency-Key has 1 to 200 characters."), field=HEADER
        )
    return key


def replay(user, key: str, print_: str) -> tuple[int, dict] | None:
    """The stored answer for this key, or None; the same key with another body is refused."""
    record = db.session.execute(
        select(IdempotencyRecord).where(
            IdempotencyRecord.user_id == user.id, IdempotencyRecord.key == key
        )
    ).scalar_one_or_none()
    if record is None:
        return None
    if record.fingerprint != print_:
        raise ServiceError.one(
            422,
            "idempotency_key_reused",
            _("This Idempotency-Key was used with a different request."),
            field=HEADER,
        )
    return record.status, json.loads(record.body)


def answer(user, key: str) -> dict | None:
    """The answer stored under this user's key, whatever body it was sent with, or None:
    whether a write that got no answer back landed after all."""
    body = db.session.execute(
        select(IdempotencyRecord.body).where(
            IdempotencyRecord.user_id == user.id, IdempotencyRecord.key == key
        )
    ).scalar_one_or_none()
    return None if body is None else json.loads(body)


def remember(user, key: str, print_: str, status: int, body: dict) -> None:
    db.session.add(
        IdempotencyRecord(
            user_id=user.id, key=key, fingerprint=print_, status=status, body=json.dumps(body)
        )
    )
    db.session.flush()
