"""JSON shapes of units, parties, elections and precincts (api.md, "Setup")."""

from __future__ import annotations

from flask import current_app
from marshmallow import Schema, fields, pre_dump, validate
from sqlalchemy import select

from elections.core.clock import now
from elections.core.db import INTEGER_MAX
from elections.core.extensions import db
from elections.rules import ELECTION_KINDS, rule_entries
from elections.territory.hours import voting_hours
from elections.territory.models import UNIT_KINDS, Election
from elections.web.schema_fields import (
    NAME_TYPE,
    TEXTS_TYPE,
    LocalDateTime,
    NameSchema,
    kato_field,
    shown_as,
)

HHMM = r"^([01][0-9]|2[0-3]):[0-5][0-9]\Z"
HHMM_ERROR = "Give the time as HH:MM, for example 20:00."


class UnitNameSchema(NameSchema):
    """Unit names are stored in 200 characters (units.name_kk, units.name_ru)."""

    kk = fields.String(required=True, validate=validate.Length(min=1, max=200))
    ru = fields.String(required=True, validate=validate.Length(min=1, max=200))


class UnitIn(Schema):
    kato = kato_field(required=True)
    parent_kato = kato_field(required=True, allow_none=True)
    kind = fields.String(required=True, validate=validate.OneOf(UNIT_KINDS))
    name = fields.Nested(UnitNameSchema, required=True)
    # Only a region or a city of republican significance names one (territory/zones.py).
    timezone = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))


class UnitZoneIn(Schema):
    """PATCH /units/<kato>: the zone a region names; null gives it back the deployment's."""

    timezone = fields.String(required=True, allow_none=True, validate=validate.Length(max=40))


def _effective_zone(unit) -> str:
    return unit.zone_name() or current_app.config["ELECTIONS_TIMEZONE"]


class UnitOut(Schema):
    id = fields.Integer()
    kato = fields.String()
    parent_kato = fields.Function(
        lambda unit: unit.parent.kato if unit.parent else None,
        metadata=shown_as({"type": "string", "nullable": True}),
    )
    kind = fields.String()
    name = fields.Dict(metadata=shown_as(NAME_TYPE))
    timezone = fields.String(allow_none=True)
    zone = fields.Function(
        _effective_zone,
        metadata=shown_as(
            {
                "type": "string",
                "description": "The zone in force: the unit's own, inherited, or the deployment's.",
            }
        ),
    )


class PartyIn(Schema):
    name = fields.Nested(NameSchema, required=True)
    short_name = fields.String(required=True, validate=validate.Length(min=1, max=40))


class PartyOut(Schema):
    id = fields.Integer()
    name = fields.Dict(metadata=shown_as(NAME_TYPE))
    short_name = fields.String()


class ElectionIn(Schema):
    unit_kato = kato_field(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(ELECTION_KINDS))
    called_on = fields.Date(required=True)
    election_day = fields.Date(required=True)
    profile = fields.String(load_default=None, validate=validate.Length(max=40))


class UnitRef(Schema):
    kato = fields.String()
    name = fields.Dict(metadata=shown_as(NAME_TYPE))
    kind = fields.String()


class ProfileOut(Schema):
    """A shipped rule profile: every rule as ``{value, basis, confirmed}`` (basis in kk, ru, en)."""

    key = fields.String()
    version = fields.Integer()
    kind = fields.String()
    title = fields.Dict(metadata=shown_as(TEXTS_TYPE))
    day_counting = fields.String()
    rules = fields.Function(
        lambda profile: {
            entry["rule"]: {key: entry[key] for key in ("value", "basis", "confirmed")}
            for entry in rule_entries(profile)
        },
        metadata=shown_as(
            {
                "type": "object",
                "additionalProperties": {
                    "type": "object",
                    "properties": {
                        "value": {
                            "description": "A number, a share such as 1/100, a time or a list."
                        },
                        "basis": TEXTS_TYPE,
                        "confirmed": {"type": "boolean"},
                    },
                    "required": ["value", "basis", "confirmed"],
                },
            }
        ),
    )


class CalendarOut(Schema):
    nomination_opens = LocalDateTime()
    nomination_closes = LocalDateTime()
    registration_closes = LocalDateTime()
    withdrawal_closes = LocalDateTime()
    campaign_closes = LocalDateTime()
    counting_opens = LocalDateTime()
    results_due = LocalDateTime()
    publication_due = LocalDateTime()


class ElectionOut(Schema):
    id = fields.Integer()
    kind = fields.String()
    unit = fields.Nested(UnitRef)
    organiser = fields.Nested(UnitRef)
    profile = fields.String(attribute="profile_key")
    status = fields.Function(
        lambda election: election.status_at(now()), metadata=shown_as({"type": "string"})
    )
    called_on = fields.Date()
    election_day = fields.Date()
    calendar = fields.Function(
        lambda election: _calendar_out(election),
        metadata=shown_as({"$ref": "#/components/schemas/Calendar"}),
    )
    # The hours of voting on election day (art. 43: the commission may change them).
    voting_hours = fields.Function(
        lambda election: {
            "starts": voting_hours(election)[0].strftime("%H:%M"),
            "ends": voting_hours(election)[1].strftime("%H:%M"),
        },
        metadata=shown_as(
            {
                "type": "object",
                "description": "Local times, HH:MM: 07:00-20:00 unless the commission changed "
                "them.",
                "properties": {"starts": {"type": "string"}, "ends": {"type": "string"}},
                "required": ["starts", "ends"],
            }
        ),
    )
    # The zone the election's instants are told in (its region's, or the deployment's).
    timezone = fields.Function(
        lambda election: str(election.tz.key),
        metadata=shown_as({"type": "string", "description": "The IANA zone in force."}),
    )
    # The election this one repeats, and the repeat called for this one (art. 113-9).
    repeat_of = fields.Integer(attribute="repeat_of_id", allow_none=True)
    repeated_by = fields.Method(
        "_repeated_by", metadata=shown_as({"type": "integer", "nullable": True})
    )

    @pre_dump(pass_collection=True)
    def _find_repeats(self, data, many, **_kwargs):
        """The repeats of the elections dumped, in one query: repeats are few, so a list
        reads them all rather than sending every id."""
        query = select(Election.repeat_of_id, Election.id)
        if many:
            query = query.where(Election.repeat_of_id.is_not(None))
        else:
            query = query.where(Election.repeat_of_id == data.id)
        self._repeats = dict(db.session.execute(query).all())
        return data

    def _repeated_by(self, election) -> int | None:
        return self._repeats.get(election.id)


def _calendar_out(election) -> dict:
    """The calendar with the offsets of the election's own zone (domain.md, "Time zones")."""
    calendar, tz = election.calendar(), election.tz
    return {
        name: value.astimezone(tz).isoformat() if value is not None else None
        for name, value in ((name, getattr(calendar, name)) for name in _CALENDAR_FIELDS)
    }


_CALENDAR_FIELDS = tuple(CalendarOut._declared_fields)  # one schema per election cost 0.2 ms


class VotingHoursIn(Schema):
    """POST /elections/<id>/voting-hours: the changed hours of voting and why (art. 43)."""

    starts = fields.String(required=True, validate=validate.Regexp(HHMM, error=HHMM_ERROR))
    ends = fields.String(required=True, validate=validate.Regexp(HHMM, error=HHMM_ERROR))
    reason = fields.String(required=True, validate=validate.Length(min=3, max=2000))


class PrecinctIn(Schema):
    number = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=1, max=INTEGER_MAX)
    )
    unit_kato = kato_field(required=True)
    voters_on_list = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=0, max=INTEGER_MAX)
    )
    address = fields.String(required=True, validate=validate.Length(min=1, max=500))


class PrecinctOut(Schema):
    id = fields.Integer()
    election_id = fields.Integer()
    number = fields.Integer()
    unit_kato = fields.Function(
        lambda precinct: precinct.unit.kato, metadata=shown_as({"type": "string"})
    )
    voters_on_list = fields.Integer()
    address = fields.String()
