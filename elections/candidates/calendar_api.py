"""JSON API of the commission's calendar decisions (api.md, "Additions of December 2026").

``POST /elections/{id}/extend-nomination {days, reason}``: the organising commission
(a member or its chair). ``POST /elections/{id}/postpone {election_day, reason}``: the
organising commission's chair. Both answer 200 with the election's calendar.
"""

from __future__ import annotations

from flask import Blueprint
from marshmallow import Schema, fields, validate

from elections.auth.access import ensure_organiser
from elections.candidates import calendar_decisions
from elections.core.extensions import db
from elections.territory.schemas import CalendarOut
from elections.territory.services import get_election
from elections.web.access import current_actor, roles
from elections.web.http import load

bp = Blueprint("calendar_api", __name__, url_prefix="/api/v1")

COMMISSION = ("territorial_member", "territorial_chair")


class ExtendNominationIn(Schema):
    days = fields.Integer(required=True, strict=True)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class PostponeIn(Schema):
    election_day = fields.Date(required=True)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class PostponedOut(Schema):
    election_day = fields.Date()
    calendar = fields.Function(lambda election: CalendarOut().dump(election.calendar()))
    rule_confirmed = fields.Function(calendar_decisions.postponement_confirmed)


@bp.post("/elections/<int:election_id>/extend-nomination")
@roles(*COMMISSION)
def extend_nomination(election_id: int):
    """Move nomination_closes later while fewer than two are nominated (CEC, Sept 2023).

    "Nominated": applications taken in that still stand (submitted or registered).
    409 ``nomination_closed`` once nomination has closed, 409 ``enough_candidates`` with
    two or more nominated; 422 ``days_out_of_range`` (field ``days``) outside 1 to the
    days remaining of the profile's cap (3 in all), 422 on ``reason`` when it is blank.
    """
    ensure_organiser(current_actor(), get_election(election_id))
    data = load(ExtendNominationIn())
    election = calendar_decisions.extend_nomination(
        election_id, data["days"], data["reason"], current_actor()
    )
    db.session.commit()
    return CalendarOut().dump(election.calendar())


@bp.post("/elections/<int:election_id>/postpone")
@roles("territorial_member", "territorial_chair")
def postpone(election_id: int):
    """Set a later election day: registration closed with fewer than two registered.

    The chair's decision. 409 ``election_not_open``, ``election_day_reached``,
    ``registration_open`` or ``enough_candidates``; 422 on ``election_day`` when it is not
    later (``not_later``). The profile's ``registration_extension_days`` (15 after the day
    first set) is unconfirmed: a later day is accepted, ``rule_confirmed`` in the answer
    says so; only where the commission turned the rule on is a later day 422 ``too_late``.
    200 with the new day and calendar.
    """
    ensure_organiser(current_actor(), get_election(election_id), chair=True)
    data = load(PostponeIn())
    election = calendar_decisions.postpone(
        election_id, data["election_day"], data["reason"], current_actor()
    )
    db.session.commit()
    return PostponedOut().dump(election)
