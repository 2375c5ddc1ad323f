"""Accrediting observers, withdrawing them, and the scope of an observer's account."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from elections.auth.models import User
from elections.auth.services import deactivate
from elections.core import audit
from elections.core.audit import Action
from elections.core.clock import now
from elections.core.errors import ErrorItem, conflict, invalid, not_found
from elections.core.extensions import db
from elections.observers.differences import close_for_withdrawal
from elections.observers.models import Accreditation
from elections.territory.accounts import create_user
from elections.territory.models import Election, Precinct
from elections.voters.pii import iin_hash


def get_accreditation(accreditation_id: int) -> Accreditation:
    found = db.session.get(Accreditation, accreditation_id) if accreditation_id > 0 else None
    if found is None:
        raise not_found()
    return found


def accreditations_of(election: Election) -> list[Accreditation]:
    return list(
        db.session.execute(
            select(Accreditation)
            .where(Accreditation.election_id == election.id)
            .order_by(Accreditation.withdrawn_at.is_not(None), Accreditation.name)
        ).scalars()
    )


def _precincts(election: Election, precinct_ids: list[int]) -> list[Precinct]:
    wanted = set(precinct_ids)
    found = [p for p in election.precincts if p.id in wanted]
    if len(found) != len(wanted):
        raise invalid(
            [
                ErrorItem(
                    "unknown_precinct",
                    _("Name precincts of this election only."),
                    field="precinct_ids",
                )
            ]
        )
    return found


def accredit(election: Election, data: dict, actor) -> Accreditation:
    """Accredit an observer (``data``: name, iin, sent_by {type, name}, precinct_ids) while the
    result is not yet certified; one accreditation per person and election."""
    if election.state != "open":
        raise conflict("election_closed", _("The result is certified: no one is accredited now."))
    precincts = _precincts(election, data["precinct_ids"])
    digest = iin_hash(data["iin"])
    taken = db.session.execute(
        select(Accreditation.id).where(
            Accreditation.election_id == election.id,
            Accreditation.iin_hash == digest,
            Accreditation.withdrawn_at.is_(None),
        )
    ).first()
    if taken is not None:
        raise conflict(
            "already_accredited",
            _("This person is already accredited to the election."),
            field="iin",
        )
    accreditation = Accreditation(
        election_id=election.id,
        name=data["name"],
        iin_hash=digest,
        iin_tail=data["iin"][-4:],
        sent_by_type=data["sent_by"]["type"],
        sent_by_name=data["sent_by"]["name"],
        accredited_at=now(),
        accredited_by=actor.username,
        precincts=precincts,
    )
    db.session.add(accreditation)
    db.session.flush()
    audit.record(
        Action.OBSERVER_ACCREDITED,
        "accreditation",
        accreditation.id,
        {
            "election_id": election.id,
            "name": accreditation.name,
            "sent_by": data["sent_by"],
            "precinct_ids": [p.id for p in precincts],
        },
        actor,
    )
    return accreditation


def withdraw(accreditation: Accreditation, reason: str, actor) -> Accreditation:
    """Withdraw an accreditation with its reason: the observer's sessions and tokens stop.
    The copies already entered, and their differences, stay on the record, closed."""
    if not accreditation.active:
        raise conflict("already_withdrawn", _("This accreditation is already withdrawn."))
    accreditation.withdrawn_at, accreditation.withdrawn_by = now(), actor.username
    accreditation.withdrawal_reason = reason
    close_for_withdrawal(accreditation, accreditation.withdrawn_at)
    if accreditation.user_id is not None:
        deactivate(db.session.get(User, accreditation.user_id), actor)
    audit.record(
        Action.OBSERVER_WITHDRAWN,
        "accreditation",
        accreditation.id,
        {"election_id": accreditation.election_id, "reason": reason},
        actor,
    )
    return accreditation


def create_account(username: str, password: str, accreditation_id: int, actor=None) -> User:
    """The account of an accredited observer (``users create --role observer``): one each."""
    accreditation = db.session.get(Accreditation, accreditation_id)
    if accreditation is None or not accreditation.active:
        raise invalid(
            [ErrorItem("invalid", _("Name an accreditation in force."), field="observer")]
        )
    if accreditation.user_id is not None:
        raise conflict("has_account", _("This observer has an account already."), field="observer")
    user = create_user(username, "observer", password, actor=actor)
    accreditation.user_id = user.id
    return user


def accreditation_of(user) -> Accreditation | None:
    """The accreditation in force of an observer's account."""
    if getattr(user, "role", None) != "observer":
        return None
    return db.session.execute(
        select(Accreditation).where(
            Accreditation.user_id == user.id, Accreditation.withdrawn_at.is_(None)
        )
    ).scalar_one_or_none()


def ensure_observer_at(user, precinct: Precinct) -> Accreditation:
    """An observer reaches only the precincts of their accreditation in force (else 404)."""
    accreditation = accreditation_of(user)
    if accreditation is None or precinct not in accreditation.precincts:
        raise not_found()
    return accreditation
