"""Plain views of a candidate for the schemas and templates, in the reader's language."""

from __future__ import annotations

from elections.candidates import services
from elections.candidates.models import Candidate
from elections.candidates.rules import Territory, Violation
from elections.i18n import pick_language


def violation_view(violation: Violation) -> dict:
    return {
        "code": violation.code,
        "message": pick_language(violation.message),
        "legal_basis": violation.legal_basis,
    }


def nomination_view(candidate: Candidate) -> dict:
    if candidate.nomination_type == "party":
        return {
            "type": "party",
            "party_id": candidate.party_id,
            "party_member": candidate.party_member,
            "party": candidate.party.name if candidate.party else None,
        }
    return {
        "type": "self",
        "signatures_valid": candidate.signatures_valid,
        "settlements_covered": candidate.settlements_covered,
    }


def candidate_view(candidate: Candidate, territory: Territory | None = None) -> dict:
    found = services.eligibility(candidate, territory)
    return {
        **{column: getattr(candidate, column) for column in _PLAIN_FIELDS},
        "nomination": nomination_view(candidate),
        "eligibility": {
            "eligible": found.eligible,
            "violations": [violation_view(v) for v in found.violations],
        },
        "grounds": [violation_view(v) for v in services.grounds_explained(candidate)],
        "history": candidate.history,
    }


_PLAIN_FIELDS = (
    "id",
    "election_id",
    "application_number",
    "status",
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
)


def status_view(candidate: Candidate) -> dict:
    election = candidate.election
    return {
        "application_number": candidate.application_number,
        "status": candidate.status,
        "election": {
            "id": election.id,
            "unit": election.unit.name,
            "election_day": election.election_day.isoformat(),
        },
        "history": candidate.history,
        "reasons": [violation_view(v) for v in services.grounds_explained(candidate)],
    }
