"""Users, their roles and scopes, and API tokens (stored only as hashes)."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from elections.core.db import UTCDateTime, utcnow
from elections.core.extensions import db
from elections.web.access import ROLES, TERRITORIAL_ROLES  # noqa: F401 (named here too)

if TYPE_CHECKING:  # the units and precincts an account serves sit in the layer above
    from elections.territory.models import Precinct, Unit


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    role: Mapped[str] = mapped_column(String(30))
    commission_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    precinct_id: Mapped[int | None] = mapped_column(ForeignKey("precincts.id"))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    commission: Mapped[Unit | None] = relationship()
    precinct: Mapped[Precinct | None] = relationship()

    @property
    def is_active(self) -> bool:
        return self.active

    def has_role(self, *roles: str) -> bool:
        return self.role in roles


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    @staticmethod
    def digest(token: str) -> str:
        """Tokens carry 256 bits of randomness, so a plain SHA-256 is enough to store them."""
        return hashlib.sha256(token.encode()).hexdigest()


class UserSession(db.Model):
    """A signed-in browser session, kept by the server: ending it ends every copy of the cookie."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    address: Mapped[str | None] = mapped_column(String(64))

    user: Mapped[User] = relationship()


class SignInFailure(db.Model):
    """A failed sign-in, kept outside the hash chain (a flood must not queue the writers)."""

    __tablename__ = "sign_in_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    username: Mapped[str] = mapped_column(String(80), index=True)
    address: Mapped[str] = mapped_column(String(64))
    known_user: Mapped[bool] = mapped_column(Boolean)
    throttled: Mapped[bool] = mapped_column(Boolean, default=False)
