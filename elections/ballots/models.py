"""Precinct protocols: a header per precinct with its version counter, and every version kept."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from elections.core.db import UTCDateTime, utcnow
from elections.core.extensions import db
from elections.territory.models import Precinct

FIGURE_FIELDS = (
    "voters_on_list",
    "ballots_received",
    "ballots_issued",
    "ballots_cancelled",
    "ballots_in_boxes",
    "invalid_ballots",
    "against_all",
)


class Protocol(db.Model):
    """The current version number of a precinct's protocol: saves compare-and-set it."""

    __tablename__ = "protocols"

    id: Mapped[int] = mapped_column(primary_key=True)
    precinct_id: Mapped[int] = mapped_column(ForeignKey("precincts.id"), unique=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("elections.id"), index=True)
    version: Mapped[int] = mapped_column(Integer, default=0)


class ProtocolVersion(db.Model):
    __tablename__ = "protocol_versions"
    __table_args__ = (
        UniqueConstraint("precinct_id", "version"),
        Index(
            "uq_protocol_versions_current",
            "precinct_id",
            unique=True,
            sqlite_where=text("is_current"),
            postgresql_where=text("is_current"),
        ),
        Index("ix_protocol_versions_election_current", "election_id", "is_current"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    precinct_id: Mapped[int] = mapped_column(ForeignKey("precincts.id"))
    election_id: Mapped[int] = mapped_column(ForeignKey("elections.id"))
    version: Mapped[int] = mapped_column(Integer)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    voters_on_list: Mapped[int] = mapped_column(Integer)
    ballots_received: Mapped[int] = mapped_column(Integer)
    ballots_issued: Mapped[int] = mapped_column(Integer)
    ballots_cancelled: Mapped[int] = mapped_column(Integer)
    ballots_in_boxes: Mapped[int] = mapped_column(Integer)
    invalid_ballots: Mapped[int] = mapped_column(Integer)
    against_all: Mapped[int] = mapped_column(Integer)
    digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by: Mapped[str] = mapped_column(String(80))

    precinct: Mapped[Precinct] = relationship()
    votes: Mapped[list[ProtocolVote]] = relationship(
        back_populates="protocol_version", order_by="ProtocolVote.position"
    )

    def votes_by_candidate(self) -> dict[int, int]:
        return {vote.candidate_id: vote.votes for vote in self.votes}


class ProtocolVote(db.Model):
    __tablename__ = "protocol_votes"

    version_id: Mapped[int] = mapped_column(ForeignKey("protocol_versions.id"), primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    votes: Mapped[int] = mapped_column(Integer)

    protocol_version: Mapped[ProtocolVersion] = relationship(back_populates="votes")
