"""Nominating candidates and deciding on their registration.

Each operation loads what it needs, applies the pure rules, changes state, writes
the candidate's history and the audit event, and flushes; the caller commits once.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask_babel import gettext as _
from marshmallow import ValidationError
from sqlalchemy import func, select

from elections.candidates.grounds import GROUND_CODES, ground
from elections.candidates.labels import candidate_status_label
from elections.candidates.models import (
    NOMINATION_FIELDS,
    NOMINATION_OBJECT_FIELDS,
    STANDING,
    Candidate,
    CandidateEvent,
)
from elections.candidates.rules import Territory, Violation, check_eligibility
from elections.candidates.schemas import NominationIn
from elections.core import audit
from elections.core.audit import Action
from elections.core.clock import now
from elections.core.errors import (
    ErrorItem,
    ServiceError,
    conflict,
    invalid,
    not_found,
    validation_error,
)
from elections.core.extensions import db
from elections.territory.models import SETTLEMENT_KINDS, Election, Party, Precinct, Unit
from elections.territory.services import lock_election
from elections.web.i18n import pick_language

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


def _calendar(election: Election):
    return election.calendar()


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
    election = lock_election(election.id)
    if not nomination_open(election):
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
        grounds=[],
        **{name: value for name, value in _normalised(data).items() if name in NOMINATION_FIELDS},
    )
    _set_nomination(candidate, nomination, party)
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


# Fields of the nomination body whose values are personal data: the audit trail, which can
# never be erased, records that they changed but not what they were (as the nomination's own
# event leaves the IIN out).
PERSONAL_FIELDS = frozenset({"iin", "birth_date"})


def nomination_body(candidate: Candidate) -> dict:
    """The candidate's facts as the nomination body of the API (api.md, "Candidates")."""
    kind = "party" if candidate.nomination_type == "party" else "self"
    values = {name: getattr(candidate, name) for name in NOMINATION_OBJECT_FIELDS[kind]}
    if kind == "party":
        values["party_member"] = bool(values["party_member"])
    else:
        values = {name: value or 0 for name, value in values.items()}
    nomination = {"type": kind, **values}
    body = {name: getattr(candidate, name) for name in NOMINATION_FIELDS}
    return {
        **body,
        "birth_date": candidate.birth_date.isoformat(),
        "documents": {
            "party_decision": False,
            "tax_certificate": False,
            "signature_check_protocol": False,
            **(candidate.documents or {}),
        },
        "nomination": nomination,
    }


def _set_nomination(candidate: Candidate, nomination: dict, party: Party | None) -> None:
    """The nomination object onto its columns; those of the other type are emptied."""
    candidate.nomination_type = nomination["type"]
    for fields in NOMINATION_OBJECT_FIELDS.values():
        for name in fields:
            setattr(candidate, name, nomination.get(name))
    candidate.party = party


# Who is nominated: after nomination closes these can no longer change (that would be a
# new nomination, late). Names stay correctable (spelling, transliteration): the IIN is
# what identifies the person.
PERSON_FIELDS = ("iin", "birth_date")


def nomination_open(election: Election) -> bool:
    calendar = _calendar(election)
    return calendar.nomination_opens <= now() < calendar.nomination_closes


def editing_closed(candidate: Candidate) -> ServiceError | None:
    """Why the application can no longer be changed at all, or None while it can.

    The same code as a late decision (``registration_closed``): after registration closes
    the commission can no longer decide, so the facts it decides on are closed too; so they
    are once the election is no longer open (invalidated, certified, a repeat ordered).
    """
    if candidate.status != "submitted":
        return conflict(
            "already_decided",
            _(
                "The commission has already decided on this application: "
                "it can no longer be changed."
            ),
        )
    election = candidate.election
    if election.state != "open":
        return conflict(
            "registration_closed",
            _("This election is no longer open: its applications can no longer be changed."),
        )
    if now() >= _calendar(election).registration_closes:
        return conflict(
            "registration_closed",
            _("Registration of candidates has closed: the application can no longer be changed."),
        )
    return None


def check_still_editable(candidate: Candidate) -> None:
    refusal = editing_closed(candidate)
    if refusal is not None:
        raise refusal


def _merge(current: dict, patch: dict) -> dict:
    """The body after the patch: documents merge key by key; a nomination of the same type
    too, while one of another type replaces the old one whole."""
    merged = {**current, **patch}
    documents = patch.get("documents")
    if isinstance(documents, dict):
        merged["documents"] = {**current["documents"], **documents}
    nomination = patch.get("nomination")
    if isinstance(nomination, dict):
        same_type = nomination.get("type", current["nomination"]["type"])
        if same_type == current["nomination"]["type"]:
            merged["nomination"] = {**current["nomination"], **nomination}
    return merged


def _normalised(data: dict) -> dict:
    """Loaded body -> the values as stored (what nominate() keeps)."""
    return {
        **data,
        "patronymic": data.get("patronymic") or None,
        "citizenship": data["citizenship"].upper(),
        "qualification_note": (data.get("qualification_note") or "").strip() or None,
        "documents": dict(data["documents"]),
    }


def _flat(body: dict) -> dict:
    """{"documents": {"biography": true}} -> {"documents.biography": true}, and so on."""
    flat = {}
    for name, value in body.items():
        if isinstance(value, dict):
            flat |= {f"{name}.{key}": inner for key, inner in value.items()}
        else:
            flat[name] = value
    return flat


def changed_paths(before: dict, after: dict) -> set[str]:
    """The fields (``documents.biography`` and so on) whose values differ between two
    nomination bodies."""
    old, new = _flat(before), _flat(after)
    return {name for name in old.keys() | new.keys() if old.get(name) != new.get(name)}


def patch_of(body: dict, paths: set[str]) -> dict:
    """The PATCH body carrying only ``paths`` of ``body``; a nomination of another type goes
    whole (it replaces the old one), otherwise with its type, merged key by key."""
    patch: dict = {}
    for path in sorted(paths):
        top, _dot, inner = path.partition(".")
        if not inner:
            patch[top] = body.get(top)
        elif top == "nomination" and "nomination.type" in paths:
            patch["nomination"] = dict(body["nomination"])
        elif inner in (body.get(top) or {}):
            patch.setdefault(top, {})[inner] = body[top][inner]
    if isinstance(patch.get("nomination"), dict):
        patch["nomination"].setdefault("type", body["nomination"]["type"])
    return patch


def _jsonable(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def update(candidate: Candidate, patch: dict, actor) -> dict:
    """Change any fields of a nomination still awaiting its decision (PATCH, api.md).

    ``candidate`` comes locked (``lock_for_edit``): its row, as for a decision, so an edit
    and a decision at the same moment queue and the later one sees what the first did; and
    its election when the patch may change the party or the person. -> the changes,
    ``{field: {"old", "new"}}`` (personal fields without their values).
    """
    check_still_editable(candidate)
    current = nomination_body(candidate)
    try:
        data = _normalised(NominationIn().load(_merge(current, patch)))
    except ValidationError as error:
        raise validation_error(error) from error
    before = _flat(current)
    before["birth_date"] = candidate.birth_date
    after = _flat(data)
    changed = sorted(
        name for name in before.keys() | after.keys() if before.get(name) != after.get(name)
    )
    if not changed:
        return {}
    _keep_checked_signatures(candidate, changed)
    person = [name for name in changed if name in PERSON_FIELDS]
    if person and not nomination_open(candidate.election):
        raise ServiceError(
            409,
            [
                ErrorItem(
                    "nomination_closed",
                    _(
                        "Nomination has closed: the person nominated can no longer be "
                        "changed (IIN and date of birth)."
                    ),
                    field=name,
                )
                for name in person
            ],
        )
    nomination = data["nomination"]
    election = candidate.election
    party = candidate.party
    if nomination["type"] == "party":
        if nomination["party_id"] != candidate.party_id:
            party = db.session.get(Party, nomination["party_id"])
            if party is None:
                raise invalid(
                    [ErrorItem("not_found", _("No such party."), field="nomination.party_id")]
                )
        others = (Candidate.election_id == election.id, Candidate.id != candidate.id)
        if party.id != candidate.party_id and _standing(*others, Candidate.party_id == party.id):
            raise conflict(
                "party_already_nominated", _("This party already has a nominee in this election.")
            )
    else:
        party = None
    if data["iin"] != candidate.iin:
        others = (Candidate.election_id == election.id, Candidate.id != candidate.id)
        if _standing(*others, Candidate.iin == data["iin"]):
            raise conflict(
                "already_nominated", _("This person is already nominated in this election.")
            )
        if _standing_elsewhere(data["iin"], election.id):
            raise conflict(
                "already_candidate_elsewhere",
                _("This person is already standing in another election that is not over."),
            )
    for name in NOMINATION_FIELDS:
        setattr(candidate, name, data[name])
    _set_nomination(candidate, nomination, party)
    changes = {
        name: {"changed": True}
        if name in PERSONAL_FIELDS
        else {"old": _jsonable(before.get(name)), "new": _jsonable(after.get(name))}
        for name in changed
    }
    db.session.flush()
    audit.record(
        Action.CANDIDATE_UPDATED,
        "candidate",
        candidate.id,
        {
            "election_id": election.id,
            "application_number": candidate.application_number,
            "changes": changes,
        },
        actor,
    )
    return changes


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


# Keys of a PATCH that can change who stands or for which party: the election's checks
# (party_already_nominated, already_nominated) then need the election's lock, as nominate().
_ELECTION_WIDE_KEYS = ("iin", "nomination")


def _keep_checked_signatures(candidate: Candidate, changed: list[str]) -> None:
    """Once the sheets were checked, the two figures are the check's, not typed numbers."""
    checked = [n for n in changed if n.removeprefix("nomination.") in SIGNATURE_FIGURES]
    if candidate.signatures_source == "sheets" and candidate.nomination_type == "self" and checked:
        raise ServiceError(
            409,
            [
                ErrorItem(
                    "signatures_checked",
                    _(
                        "The signature sheets were checked: this figure comes from the check. "
                        "Load the corrected sheets instead."
                    ),
                    field=name,
                )
                for name in checked
            ],
        )


SIGNATURE_FIGURES = ("signatures_valid", "settlements_covered")


def lock_for_edit(candidate: Candidate, patch: dict) -> Candidate:
    """Lock what an edit of ``candidate`` needs, in the order every writer takes them: its
    election first (when the patch may change the party, the IIN or the nomination type:
    a nomination for the same party or person then waits, and sees this change), then the
    candidate row (so a decision at the same moment queues). -> the candidate, fresh."""
    if isinstance(patch, dict) and any(key in patch for key in _ELECTION_WIDE_KEYS):
        lock_election(candidate.election_id)
    return lock_candidate(candidate.id)


def _require_status(candidate: Candidate, *allowed: str) -> None:
    if candidate.status not in allowed:
        raise conflict(
            "invalid_status",
            _(
                "This cannot be done while the candidate's status is %(status)s.",
                status=candidate_status_label(candidate.status),
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


DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2212"), "-")


def normalise_application_number(typed: str) -> str:
    """As people type it: any case, spaces anywhere, a phone's long dash, or no dash at all."""
    number = "".join(typed.split()).translate(DASHES).upper()
    if len(number) == 8 and "-" not in number:
        number = f"{number[:4]}-{number[4:]}"
    return number


def normalise_iin(typed: str) -> str:
    """Spaces anywhere (``850101 300 123``, a copy with a no-break space) are dropped."""
    return "".join(typed.split())


def find_application(application_number: str, iin: str) -> Candidate | None:
    """Both must match; the caller answers the same whichever one is wrong."""
    return db.session.execute(
        select(Candidate).where(
            Candidate.application_number == normalise_application_number(application_number),
            Candidate.iin == normalise_iin(iin),
        )
    ).scalar_one_or_none()


def submitted_candidates(election_ids: list[int]) -> dict[int, list[Candidate]]:
    """Applications taken in and not yet decided, by election, in list order."""
    found: dict[int, list[Candidate]] = {}
    if not election_ids:
        return found
    rows = db.session.execute(
        select(Candidate)
        .where(Candidate.election_id.in_(election_ids), Candidate.status == "submitted")
        .order_by(Candidate.last_name, Candidate.first_name)
    ).scalars()
    for candidate in rows:
        found.setdefault(candidate.election_id, []).append(candidate)
    return found


def list_candidates(election: Election, status: str | None = None) -> list[Candidate]:
    query = select(Candidate).where(Candidate.election_id == election.id)
    if status:
        query = query.where(Candidate.status == status)
    return list(
        db.session.execute(query.order_by(Candidate.last_name, Candidate.first_name)).scalars()
    )
