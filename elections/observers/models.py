"""Accreditations of observers, scans of the signed paper, observers' copies and the
differences between a copy and the official protocol.

An observer's IIN is kept only as its keyed hash (elections/voters/pii.py) and its last four
digits, which the commission reads to tell two people of the same name apart.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from elections.core.db import UTCDateTime, utcnow
from elections.core.extensions import db
from elections.territory.models import Precinct

SENDERS = ("party", "candidate", "association", "media")
# How the organising commission answers a difference; "acknowledged" is the chair's, at
# certification, for a difference left without another answer.
ANSWERS = ("recount", "corrected", "explained")
ACKNOWLEDGED = "acknowledged"

accreditation_precincts = Table(
    "accreditation_precincts",
    db.metadata,
    Column("accreditation_id", ForeignKey("accreditations.id"), primary_key=True),
    Column("precinct_id", ForeignKey("precincts.id"), primary_key=True),
)


class Accreditation(db.Model):
    """An observer accredited to an election by its organising commission, for some precincts."""

    __tablename__ = "accreditations"
    __table_args__ = (
        # One accreditation in force per person and election; a withdrawn one stays on the
        # record, and the person may be accredited again.
        Index(
            "uq_accreditations_in_force",
            "election_id",
            "iin_hash",
            unique=True,
            sqlite_where=text("withdrawn_at IS NULL"),
            postgresql_where=text("withdrawn_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("elections.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    iin_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    iin_tail: Mapped[str] = mapped_column(String(4))
    sent_by_type: Mapped[str] = mapped_column(String(20))
    sent_by_name: Mapped[str] = mapped_column(String(200))
    # The observer's account, once one is made (``users create --role observer``).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True)
    accredited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    accredited_by: Mapped[str] = mapped_column(String(80))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by: Mapped[str | None] = mapped_column(String(80))
    withdrawal_reason: Mapped[str | None] = mapped_column(Text)

    precincts: Mapped[list[Precinct]] = relationship(
        secondary=accreditation_precincts, order_by=Precinct.number
    )

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None


class ProtocolScan(db.Model):
    """The photo or PDF of a signed paper protocol, attached to the version entered from it.
    The file itself is stored once, under its SHA-256 (elections/observers/files.py)."""

    __tablename__ = "protocol_scans"
    __table_args__ = (UniqueConstraint("version_id", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("elections.id"), index=True)
    precinct_id: Mapped[int] = mapped_column(ForeignKey("precincts.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("protocol_versions.id"))
    version: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)  # /scans/<sha256> finds it
    media_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    attached_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attached_by: Mapped[str] = mapped_column(String(80))


class ObserverCopy(db.Model):
    """The figures of the certified copy an observer received at one precinct: the same lines
    as the protocol. A new entry replaces the figures; the audit trail keeps each one."""

    __tablename__ = "observer_copies"
    __table_args__ = (UniqueConstraint("accreditation_id", "precinct_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    accreditation_id: Mapped[int] = mapped_column(ForeignKey("accreditations.id"))
    election_id: Mapped[int] = mapped_column(ForeignKey("elections.id"), index=True)
    precinct_id: Mapped[int] = mapped_column(ForeignKey("precincts.id"), index=True)
    lines: Mapped[dict] = mapped_column(JSON)  # {"voters_on_list": 1200, ..., "votes.7": 412}
    digest: Mapped[str] = mapped_column(String(64))
    photo_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    photo_media_type: Mapped[str | None] = mapped_column(String(40))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Entries of the figures and photos so far: it only grows, so the public pages' cache
    # key sees every one, whatever order concurrent ones commit in.
    entries: Mapped[int] = mapped_column(Integer, default=0)

    accreditation: Mapped[Accreditation] = relationship()
    precinct: Mapped[Precinct] = relationship()


class Difference(db.Model):
    """One line on which a copy and the official protocol disagree, from when it was first seen
    until they agree again (``closed_at``); the commission's answer stays with it."""

    __tablename__ = "differences"
    __table_args__ = (Index("ix_differences_election_open", "election_id", "closed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    copy_id: Mapped[int] = mapped_column(ForeignKey("observer_copies.id"), index=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("elections.id"))
    precinct_id: Mapped[int] = mapped_column(ForeignKey("precincts.id"))
    line: Mapped[str] = mapped_column(String(40))
    official: Mapped[int] = mapped_column(Integer)
    copy: Mapped[int] = mapped_column(Integer)
    official_version: Mapped[int] = mapped_column(Integer)
    since: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answer: Mapped[str | None] = mapped_column(String(20))
    answer_note: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by: Mapped[str | None] = mapped_column(String(80))
    answers: Mapped[int] = mapped_column(Integer, default=0)  # given so far (as entries)

    observer_copy: Mapped[ObserverCopy] = relationship()
    precinct: Mapped[Precinct] = relationship()

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def by(self) -> int:
        """How far the copy is from the official figure (positive: the copy has more)."""
        return self.copy - self.official
