"""Voter lists per precinct and the signature sheets checked against them.

No IIN is stored: only its keyed hash (elections/voters/pii.py), which finds a voter and
catches a voter listed twice, but reads back into no number without the key, which is
kept outside the database (docs/personal-data.md).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from elections.core.db import UTCDateTime, utcnow
from elections.core.extensions import db

# The 32 bytes of an HMAC-SHA-256, as bytes: half the index of its hex digits, compared byte
# by byte whatever the database's collation (12 million of them sit in a unique index).
HASH = LargeBinary(32)


class Voter(db.Model):
    """One voter on one precinct's list. A voter is on one list of an election at most."""

    __tablename__ = "voters"
    __table_args__ = (
        # Led by the hash: it finds a voter in every election ("where do I vote") and, with
        # the election, refuses a second list of the same election.
        UniqueConstraint("iin_hash", "election_id", name="uq_voters_iin_hash_election"),
        Index("ix_voters_precinct_line", "precinct_id", "line"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("elections.id"))
    precinct_id: Mapped[int] = mapped_column(ForeignKey("precincts.id"))
    # The row of the list as loaded; voters added later go after the last.
    line: Mapped[int] = mapped_column(Integer)
    iin_hash: Mapped[bytes] = mapped_column(HASH)
    last_name: Mapped[str] = mapped_column(String(100))
    first_name: Mapped[str] = mapped_column(String(100))
    patronymic: Mapped[str | None] = mapped_column(String(100))
    birth_date: Mapped[date] = mapped_column(Date)
    address: Mapped[str] = mapped_column(String(500))

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.patronymic) if p)


class VoterList(db.Model):
    """The list a precinct has: the digest of the file it came from and its changes since."""

    __tablename__ = "voter_lists"

    precinct_id: Mapped[int] = mapped_column(ForeignKey("precincts.id"), primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("elections.id"), index=True)
    digest: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    loaded_by: Mapped[str] = mapped_column(String(80))
    # Voters added or removed one by one since the upload (each audited with its reason).
    changes: Mapped[int] = mapped_column(Integer, default=0)
    next_line: Mapped[int] = mapped_column(Integer, default=1)


class SignatureCheck(db.Model):
    """The territorial commission's check of a self-nominee's signature sheets: the latest
    upload replaces the one before (the sheets are handed in as a whole)."""

    __tablename__ = "signature_checks"

    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), primary_key=True)
    digest: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(Integer)
    valid: Mapped[int] = mapped_column(Integer)
    required: Mapped[int] = mapped_column(Integer)
    settlements_covered: Mapped[int] = mapped_column(Integer)
    lists_loaded: Mapped[bool] = mapped_column(default=False)
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    checked_by: Mapped[str] = mapped_column(String(80))


class SignatureRow(db.Model):
    """One signature as typed from the sheet, with its verdict."""

    __tablename__ = "signature_rows"
    __table_args__ = (Index("ix_signature_rows_candidate", "candidate_id", "sheet", "line"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"))
    sheet: Mapped[int] = mapped_column(Integer)
    line: Mapped[int] = mapped_column(Integer)
    # None: what was typed is no IIN at all.
    iin_hash: Mapped[bytes | None] = mapped_column(HASH, index=True)
    last_name: Mapped[str] = mapped_column(String(100))
    first_name: Mapped[str] = mapped_column(String(100))
    patronymic: Mapped[str | None] = mapped_column(String(100))
    signed_on: Mapped[date | None] = mapped_column(Date)
    verdict: Mapped[str] = mapped_column(String(30))
