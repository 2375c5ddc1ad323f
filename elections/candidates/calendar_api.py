"""JSON API of the commission's calendar decisions (api.md, "Additions of December 2026").

``POST /elections/{id}/extend-nomination {days, reason}``: the organising commission
(a member or its chair). ``POST /elections/{id}/postpone {election_day, reason}``: the
organising commission's chair. Both answer 200 with the election's calendar.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from elections.auth.access import ensure_organiser
from elections.candidates import calendar_decisions
from elections.core.extensions import db
from elections.territory.schemas import CalendarOut
from elections.territory.services import get_election
from elections.web.access import current_actor, roles
from elections.web.api import SETUP, ApiBlueprint, errors

bp = ApiBlueprint("calendar_api", __name__, tag=SETUP)

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
@errors(409)
@bp.body(ExtendNominationIn)
@bp.response(200, CalendarOut)
def extend_nomination(read, election_id: int):
    """Extend nomination while fewer than two candidates are nominated

    The organising commission (a member or its chair), while nomination is open (CEC,
    September 2023). Nominated: applications taken in that still stand (submitted or
    registered). Moves nomination_closes later by days, at most the profile's
    nomination_extension_max_days (3) in all for the election; registration still closes on
    its date. Recorded as the decision nomination_extended with {days, total_days,
    nomination_closes_before, nomination_closes_after}. 409 codes: nomination_closed,
    enough_candidates. 422 days_out_of_range (field days, with remaining), required (field
    reason).
    """
    ensure_organiser(current_actor(), get_election(election_id))
    data = read()
    election = calendar_decisions.extend_nomination(
        election_id, data["days"], data["reason"], current_actor()
    )
    db.session.commit()
    return election.calendar()


@bp.post("/elections/<int:election_id>/postpone")
@roles(*COMMISSION)
@errors(409)
@bp.body(PostponeIn)
@bp.response(200, PostponedOut)
def postpone(read, election_id: int):
    """Postpone election day when fewer than two candidates are registered

    The organising commission's chair, after registration has closed and before election day
    (the election's local date). The new day is later than the current one. The profile's
    registration_extension_days (15 after the day first set, over every postponement) is
    unconfirmed (rule_confirmed says so): a later day is accepted and recorded with
    beyond_limit; only where the commission turned the rule on is it refused (too_late).
    Every deadline counted from election day moves with it. Recorded as the decision
    postponed with {election_day_before, election_day_after, days, total_days,
    rule_confirmed, beyond_limit}. 409 codes: election_not_open, election_day_reached,
    registration_open, enough_candidates. 422 not_later, too_late (field election_day),
    required (field reason).
    """
    ensure_organiser(current_actor(), get_election(election_id), chair=True)
    data = read()
    election = calendar_decisions.postpone(
        election_id, data["election_day"], data["reason"], current_actor()
    )
    db.session.commit()
    return election
