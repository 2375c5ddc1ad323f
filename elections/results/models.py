"""Certified result versions (frozen, hashed) and the corrections that reopen them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from elections.core.db import UTCDateTime, utcnow
from elections.core.extensions import db


class ResultVersion(db.Model):
    """One certification: the figures, the protocol versions they came from, and their digest."""

    __tablename__ = "result_versions"
    __table_args__ = (UniqueConstraint("election_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("elections.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    certified_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    certified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    certified_by: Mapped[str] = mapped_column(String(80))
    outcome: Mapped[str] = mapped_column(String(10))
    figures: Mapped[dict] = mapped_column(JSON)
    protocols: Mapped[list] = mapped_column(JSON)
    digest: Mapped[str] = mapped_column(String(64))
    # The reason of the correction that led to this version (None for the first one).
    correction_reason: Mapped[str | None] = mapped_column(Text)
    # The observers' differences still open when it was certified, each with its answer or
    # the chair's acknowledgement (elections/observers/differences.py); None before issue 16.
    differences: Mapped[list | None] = mapped_column(JSON)


class Correction(db.Model):
    __tablename__ = "corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("elections.id"), index=True)
    after_version: Mapped[int] = mapped_column(Integer)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    opened_by: Mapped[str] = mapped_column(String(80))
    reason: Mapped[str] = mapped_column(Text)
