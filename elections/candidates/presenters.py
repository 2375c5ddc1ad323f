"""Plain views of a candidate for the schemas and templates, in the reader's language."""

from __future__ import annotations

from flask_babel import gettext as _

from elections.candidates import services
from elections.candidates.models import NOMINATION_FIELDS, Candidate
from elections.candidates.rules import Territory, Violation, commission_checks
from elections.core.clock import now
from elections.web.i18n import pick_language


def violation_view(violation: Violation) -> dict:
    return {
        "code": violation.code,
        "message": pick_language(violation.message),
        "legal_basis": violation.legal_basis,  # the API's English citation
        "basis": pick_language(violation.basis) or violation.legal_basis,  # the reader's
    }


def checks_view(candidate: Candidate) -> list[dict]:
    """What the commission has to check for this candidate, in the reader's language."""
    return checks_of(candidate.election.profile, candidate.nomination_type)


def checks_of(profile, nomination_type: str | None) -> list[dict]:
    """What the commission has to check under ``profile``, in the reader's language."""
    return [
        {
            "key": check.key,
            "text": pick_language(check.text),
            "basis": pick_language(check.basis),
            "confirmed": check.confirmed,
        }
        for check in commission_checks(profile, nomination_type)
    ]


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
        "signatures_source": candidate.signatures_source or "typed",
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


_PLAIN_FIELDS = ("id", "election_id", "application_number", "status", *NOMINATION_FIELDS)


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


def next_step(candidate: Candidate) -> str:
    """What happens next for the candidate, in their language, with this election's dates."""
    from elections.web.templating import local_date, local_datetime  # the app's date formats

    election = candidate.election
    calendar = election.calendar()
    day = local_date(election.election_day)
    status = candidate.status
    if status == "submitted" and now() >= calendar.registration_closes:
        return _(
            "Registration closed on %(deadline)s without a decision on your application. "
            "Ask the commission why; you may appeal to the higher election commission or to "
            "a court.",
            deadline=local_datetime(calendar.registration_closes, election.tz),
        )
    if status == "submitted":
        return _(
            "The commission is checking your application and documents and decides on your "
            "registration no later than %(deadline)s. If a document or a check is missing, "
            "the commission will ask you for it: answer quickly, so that it can decide in time.",
            deadline=local_datetime(calendar.registration_closes, election.tz),
        )
    if status == "registered":
        return _(
            "You are registered: your name will be on the ballot on election day, %(day)s. "
            "If you decide to withdraw, tell the commission in writing no later than "
            "%(deadline)s.",
            day=day,
            deadline=local_datetime(calendar.withdrawal_closes, election.tz),
        )
    if status == "refused":
        return _(
            "The commission refused to register you on the grounds listed below. You may "
            "appeal against this decision to the higher election commission or to a court; "
            "ask the commission for the time limit and bring your application number."
        )
    if status == "withdrawn":
        return _(
            "Your candidacy has been withdrawn: your name will not be on the ballot. "
            "Nothing more is needed from you."
        )
    if status == "registration_cancelled":
        return _(
            "Your registration was cancelled on the grounds listed below: your name will not "
            "be on the ballot. You may appeal against this decision to the higher election "
            "commission or to a court."
        )
    if status == "elected":
        return _(
            "You have been elected. The commission registers the elected akim within 7 days "
            "of establishing the result, and the powers of the akim begin on registration: "
            "the commission will invite you."
        )
    if status == "not_elected":
        share = f"{float(election.profile.refund_vote_share) * 100:g}"
        return _(
            "The commission has established the result: you were not elected. The electoral "
            "deposit is refunded to candidates who received at least %(share)s%% of the "
            "votes of those who voted; the results page shows the votes of each candidate.",
            share=share,
        )
    return ""
