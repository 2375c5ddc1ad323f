"""Candidates, the facts their eligibility is judged on, and the history of their status."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from elections.candidates.rules import CandidateFacts
from elections.core.db import UTCDateTime, utcnow
from elections.core.extensions import db
from elections.territory.models import Election, Party

STATUSES = (
    "submitted",
    "registered",
    "refused",
    "withdrawn",
    "registration_cancelled",
    "elected",
    "not_elected",
)
# A candidate in one of these is still standing: they block a second candidacy elsewhere.
STANDING = ("submitted", "registered")
# Candidates printed on the ballot and counted in protocols.
ON_BALLOT = ("registered", "elected", "not_elected")

# The fields of the nomination body (api.md, "Candidates") that are columns of the same name;
# the nomination object maps onto the columns of NOMINATION_OBJECT_FIELDS (and
# nomination_type). nominate(), update(), nomination_body(), the form and the views all go
# by these two.
NOMINATION_FIELDS = (
    "iin",
    "last_name",
    "first_name",
    "patronymic",
    "birth_date",
    "citizenship",
    "education",
    "work_experience_years",
    "deposit_paid",
    "documents",
    "legal_capacity",
    "serving_sentence",
    "unexpunged_conviction",
    "corruption_offence",
    "special_check",
    "consecutive_terms_in_post",
    "qualification_met",
    "qualification_note",
)
# The nomination object's own fields (besides its type), by type.
NOMINATION_OBJECT_FIELDS = {
    "party": ("party_id", "party_member"),
    "self": ("signatures_valid", "settlements_covered"),
}


class Candidate(db.Model):
    __tablename__ = "candidates"

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("elections.id"), index=True)
    application_number: Mapped[str] = mapped_column(String(12), unique=True)
    iin: Mapped[str] = mapped_column(String(12), index=True)
    last_name: Mapped[str] = mapped_column(String(100))
    first_name: Mapped[str] = mapped_column(String(100))
    patronymic: Mapped[str | None] = mapped_column(String(100))
    birth_date: Mapped[date] = mapped_column(Date)
    citizenship: Mapped[str] = mapped_column(String(2))
    education: Mapped[str] = mapped_column(String(30))
    work_experience_years: Mapped[float] = mapped_column(Float)
    nomination_type: Mapped[str] = mapped_column(String(10))
    party_id: Mapped[int | None] = mapped_column(ForeignKey("parties.id"), index=True)
    party_member: Mapped[bool | None] = mapped_column(Boolean)
    signatures_valid: Mapped[int | None] = mapped_column(Integer)
    settlements_covered: Mapped[int | None] = mapped_column(Integer)
    # Where the two figures come from: "typed" by the commission, or "sheets" once the
    # signature sheets were checked row by row (elections/voters/signatures.py).
    signatures_source: Mapped[str] = mapped_column(
        String(10), default="typed", server_default="typed"
    )
    deposit_paid: Mapped[bool] = mapped_column(Boolean)
    documents: Mapped[dict] = mapped_column(JSON)
    legal_capacity: Mapped[bool] = mapped_column(Boolean)
    serving_sentence: Mapped[bool] = mapped_column(Boolean)
    unexpunged_conviction: Mapped[bool] = mapped_column(Boolean)
    corruption_offence: Mapped[bool] = mapped_column(Boolean)
    special_check: Mapped[str] = mapped_column(String(10))
    consecutive_terms_in_post: Mapped[int] = mapped_column(Integer)
    # The commission's finding against the civil-service qualification requirements (None:
    # not checked yet), and the documents it checked them against.
    qualification_met: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    qualification_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(String(30), default="submitted", index=True)
    # Grounds of the last refusal or cancellation, as codes: shown to the candidate.
    grounds: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    election: Mapped[Election] = relationship()
    party: Mapped[Party | None] = relationship()
    history: Mapped[list[CandidateEvent]] = relationship(
        back_populates="candidate", order_by="CandidateEvent.id"
    )

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.patronymic) if p)

    def facts(self) -> CandidateFacts:
        return CandidateFacts(
            birth_date=self.birth_date,
            citizenship=self.citizenship,
            education=self.education,
            work_experience_years=self.work_experience_years,
            nomination_type=self.nomination_type,
            party_member=self.party_member,
            signatures_valid=self.signatures_valid,
            settlements_covered=self.settlements_covered,
            deposit_paid=self.deposit_paid,
            documents=self.documents,
            legal_capacity=self.legal_capacity,
            serving_sentence=self.serving_sentence,
            unexpunged_conviction=self.unexpunged_conviction,
            corruption_offence=self.corruption_offence,
            special_check=self.special_check,
            consecutive_terms_in_post=self.consecutive_terms_in_post,
            qualification_met=self.qualification_met,
        )


class CandidateEvent(db.Model):
    """One change of a candidate's status: who, when, why."""

    __tablename__ = "candidate_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), index=True)
    status: Mapped[str] = mapped_column(String(30))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor: Mapped[str] = mapped_column(String(80))
    reason: Mapped[str | None] = mapped_column(Text)
    grounds: Mapped[list] = mapped_column(JSON, default=list)

    candidate: Mapped[Candidate] = relationship(back_populates="history")
