"""Nominating candidates and deciding on their registration.

Each operation loads what it needs, applies the pure rules, changes state, writes
the candidate's history and the audit event, and flushes; the caller commits once.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select

from elections import audit
from elections.audit import Action
from elections.candidates.grounds import GROUND_CODES, ground
from elections.candidates.models import STANDING, Candidate, CandidateEvent
from elections.candidates.rules import Territory, Violation, check_eligibility
from elections.clock import now, service_timezone
from elections.errors import ErrorItem, ServiceError, conflict, invalid, not_found
from elections.extensions import db
from elections.i18n import pick_language
from elections.territory.models import SETTLEMENT_KINDS, Election, Party, Precinct, Unit

APPLICATION_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud on the phone


@dataclass(frozen=True)
class Eligibility:
    violations: list[Violation]

    @property
    def eligible(self) -> bool:
        return not self.violations


def new_application_number() -> str:
    """Eight random characters (32^8, about 10^12): one number says nothing about another."""
    raw = "".join(secrets.choice(APPLICATION_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def territory_of(election: Election) -> Territory:
    voters = db.session.execute(
        select(func.coalesce(func.sum(Precinct.voters_on_list), 0)).where(
            Precinct.election_id == election.id
        )
    ).scalar_one()
    # A village, settlement or town is its own single settlement.
    settled = election.unit.kind in SETTLEMENT_KINDS
    settlements = 1 if settled else _settlements_under(election.unit)
    return Territory(voters=int(voters), settlements=settlements)


def _settlements_under(unit: Unit) -> int:
    count, frontier = 0, [unit.id]
    while frontier:
        children = db.session.execute(
            select(Unit.id, Unit.kind).where(Unit.parent_id.in_(frontier))
        ).all()
        count += sum(1 for _id, kind in children if kind in SETTLEMENT_KINDS)
        frontier = [child_id for child_id, _kind in children]
    return count


def eligibility(candidate: Candidate, territory: Territory | None = None) -> Eligibility:
    election = candidate.election
    territory = territory or territory_of(election)
    return Eligibility(
        check_eligibility(candidate.facts(), election.election_day, election.profile, territory)
    )


def violation_items(violations: list[Violation]) -> list[ErrorItem]:
    return [
        ErrorItem(v.code, pick_language(v.message), legal_basis=v.legal_basis) for v in violations
    ]


def _lock_election(election_id: int) -> Election:
    election = db.session.execute(
        select(Election).where(Election.id == election_id).with_for_update(),
        execution_options={"populate_existing": True},
    ).scalar_one_or_none()
    if election is None:
        raise not_found()
    return election


def _calendar(election: Election):
    return election.calendar_in(service_timezone())


def record_status(candidate: Candidate, status: str, actor, reason: str | None, grounds=()) -> None:
    """Change the status and write the event to the candidate's history (who, when, why)."""
    candidate.status = status
    db.session.add(
        CandidateEvent(
            candidate=candidate,
            status=status,
            at=now(),
            actor_id=getattr(actor, "id", None),
            actor=getattr(actor, "username", None) or "system",
            reason=reason,
            grounds=list(grounds),
        )
    )


def nominate(election: Election, data: dict, actor) -> Candidate:
    election = _lock_election(election.id)
    calendar = _calendar(election)
    moment = now()
    if not calendar.nomination_opens <= moment < calendar.nomination_closes:
        raise conflict("nomination_closed", _("Nomination is not open for this election."))
    nomination = data["nomination"]
    party = None
    if nomination["type"] == "party":
        party = db.session.get(Party, nomination["party_id"])
        if party is None:
            raise invalid(
                [ErrorItem("not_found", _("No such party."), field="nomination.party_id")]
            )
        if _standing(Candidate.election_id == election.id, Candidate.party_id == party.id):
            raise conflict(
                "party_already_nominated", _("This party already has a nominee in this election.")
            )
    if _standing(Candidate.iin == data["iin"], Candidate.election_id == election.id):
        raise conflict("already_nominated", _("This person is already nominated in this election."))
    if _standing_elsewhere(data["iin"], election.id):
        raise conflict(
            "already_candidate_elsewhere",
            _("This person is already standing in another election that is not over."),
        )
    candidate = Candidate(
        election=election,
        application_number=_unique_application_number(),
        iin=data["iin"],
        last_name=data["last_name"],
        first_name=data["first_name"],
        patronymic=data.get("patronymic") or None,
        birth_date=data["birth_date"],
        citizenship=data["citizenship"].upper(),
        education=data["education"],
        work_experience_years=data["work_experience_years"],
        nomination_type=nomination["type"],
        party=party,
        party_member=nomination.get("party_member"),
        signatures_valid=nomination.get("signatures_valid"),
        settlements_covered=nomination.get("settlements_covered"),
        deposit_paid=data["deposit_paid"],
        documents=data["documents"],
        legal_capacity=data["legal_capacity"],
        serving_sentence=data["serving_sentence"],
        unexpunged_conviction=data["unexpunged_conviction"],
        corruption_offence=data["corruption_offence"],
        special_check=data["special_check"],
        consecutive_terms_in_post=data["consecutive_terms_in_post"],
        grounds=[],
    )
    db.session.add(candidate)
    record_status(candidate, "submitted", actor, None)
    db.session.flush()
    audit.record(
        Action.CANDIDATE_NOMINATED,
        "candidate",
        candidate.id,
        {
            "election_id": election.id,
            "application_number": candidate.application_number,
            "nomination": nomination,
        },
        actor,
    )
    return candidate


def _standing(*conditions) -> bool:
    query = select(Candidate.id).where(*conditions, Candidate.status.in_(STANDING)).limit(1)
    return db.session.execute(query).first() is not None


def _standing_elsewhere(iin: str, election_id: int) -> bool:
    query = (
        select(Candidate.id)
        .join(Election, Candidate.election_id == Election.id)
        .where(
            Candidate.iin == iin,
            Candidate.election_id != election_id,
            Candidate.status.in_(STANDING),
            Election.state == "open",
        )
        .limit(1)
    )
    return db.session.execute(query).first() is not None


def _unique_application_number() -> str:
    while True:
        number = new_application_number()
        taken = db.session.execute(
            select(Candidate.id).where(Candidate.application_number == number)
        ).first()
        if taken is None:
            return number


def get_candidate(candidate_id: int) -> Candidate:
    candidate = db.session.get(Candidate, candidate_id)
    if candidate is None:
        raise not_found()
    return candidate


def application_not_found() -> ServiceError:
    """One answer whether the number or the IIN is wrong, so neither can be probed alone."""
    return ServiceError.one(
        404, "not_found", _("No application matches this number and IIN. Check both and try again.")
    )


def lock_candidate(candidate_id: int) -> Candidate:
    candidate = db.session.execute(
        select(Candidate).where(Candidate.id == candidate_id).with_for_update(),
        execution_options={"populate_existing": True},
    ).scalar_one_or_none()
    if candidate is None:
        raise not_found()
    return candidate


def _require_status(candidate: Candidate, *allowed: str) -> None:
    if candidate.status not in allowed:
        raise conflict(
            "invalid_status",
            _(
                "This cannot be done while the candidate's status is %(status)s.",
                status=candidate.status,
            ),
        )


def _check_grounds(codes: list[str]) -> None:
    unknown = [code for code in codes if code not in GROUND_CODES]
    if unknown:
        raise invalid(
            [
                ErrorItem("invalid_choice", _("Unknown ground: %(code)s", code=c), field="grounds")
                for c in unknown
            ]
        )


def register(candidate: Candidate, note: str | None, actor) -> Candidate:
    _require_status(candidate, "submitted")
    if now() >= _calendar(candidate.election).registration_closes:
        raise conflict("registration_closed", _("Registration of candidates has closed."))
    found = eligibility(candidate)
    if not found.eligible:
        raise ServiceError(
            409,
            [
                ErrorItem("ineligible", _("The candidate does not meet the requirements.")),
                *violation_items(found.violations),
            ],
        )
    record_status(candidate, "registered", actor, note)
    audit.record(Action.CANDIDATE_REGISTERED, "candidate", candidate.id, {"note": note}, actor)
    return candidate


def refuse(candidate: Candidate, grounds: list[str] | None, note: str | None, actor) -> Candidate:
    """Refuse registration; without named grounds the current violations are the grounds."""
    _require_status(candidate, "submitted")
    if now() >= _calendar(candidate.election).registration_closes:
        raise conflict("registration_closed", _("Registration of candidates has closed."))
    if grounds:
        _check_grounds(grounds)
    else:
        grounds = [v.code for v in eligibility(candidate).violations]
        if not grounds:
            raise invalid(
                [
                    ErrorItem(
                        "grounds_required",
                        _("Name the grounds: the candidate meets every requirement."),
                        field="grounds",
                    )
                ]
            )
    candidate.grounds = list(grounds)
    record_status(candidate, "refused", actor, note, grounds)
    audit.record(
        Action.CANDIDATE_REFUSED,
        "candidate",
        candidate.id,
        {"grounds": grounds, "note": note},
        actor,
    )
    return candidate


def withdraw(candidate: Candidate, reason: str, actor) -> Candidate:
    _require_status(candidate, "submitted", "registered")
    if now() >= _calendar(candidate.election).withdrawal_closes:
        raise conflict(
            "withdrawal_closed", _("Withdrawal is closed in the last days before the election.")
        )
    record_status(candidate, "withdrawn", actor, reason)
    audit.record(Action.CANDIDATE_WITHDRAWN, "candidate", candidate.id, {"reason": reason}, actor)
    return candidate


def cancel_registration(
    candidate: Candidate, grounds: list[str], note: str | None, actor
) -> Candidate:
    _require_status(candidate, "registered")
    if now() >= _calendar(candidate.election).withdrawal_closes:
        raise conflict(
            "cancellation_closed",
            _("No registration can be cancelled in the last days before the election."),
        )
    _check_grounds(grounds)
    candidate.grounds = list(grounds)
    record_status(candidate, "registration_cancelled", actor, note, grounds)
    audit.record(
        Action.CANDIDATE_REGISTRATION_CANCELLED,
        "candidate",
        candidate.id,
        {"grounds": grounds, "note": note},
        actor,
    )
    return candidate


def grounds_explained(candidate: Candidate) -> list[Violation]:
    profile = candidate.election.profile
    return [ground(code, profile) for code in candidate.grounds or []]


def find_application(application_number: str, iin: str) -> Candidate | None:
    """Both must match; the caller answers the same whichever one is wrong."""
    return db.session.execute(
        select(Candidate).where(
            Candidate.application_number == application_number.strip().upper(),
            Candidate.iin == iin.strip(),
        )
    ).scalar_one_or_none()


def list_candidates(election: Election, status: str | None = None) -> list[Candidate]:
    query = select(Candidate).where(Candidate.election_id == election.id)
    if status:
        query = query.where(Candidate.status == status)
    return list(
        db.session.execute(query.order_by(Candidate.last_name, Candidate.first_name)).scalars()
    )
