"""JSON shapes of units, parties, elections and precincts (api.md, "Setup")."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from elections.clock import now
from elections.db import INTEGER_MAX
from elections.rules import ELECTION_KINDS, rule_entries
from elections.schema_fields import LocalDateTime, NameSchema, kato_field
from elections.territory.models import UNIT_KINDS


class UnitNameSchema(NameSchema):
    """Unit names are stored in 200 characters (units.name_kk, units.name_ru)."""

    kk = fields.String(required=True, validate=validate.Length(min=1, max=200))
    ru = fields.String(required=True, validate=validate.Length(min=1, max=200))


class UnitIn(Schema):
    kato = kato_field(required=True)
    parent_kato = kato_field(required=True, allow_none=True)
    kind = fields.String(required=True, validate=validate.OneOf(UNIT_KINDS))
    name = fields.Nested(UnitNameSchema, required=True)


class UnitOut(Schema):
    id = fields.Integer()
    kato = fields.String()
    parent_kato = fields.Function(lambda unit: unit.parent.kato if unit.parent else None)
    kind = fields.String()
    name = fields.Dict()


class PartyIn(Schema):
    name = fields.Nested(NameSchema, required=True)
    short_name = fields.String(required=True, validate=validate.Length(min=1, max=40))


class PartyOut(Schema):
    id = fields.Integer()
    name = fields.Dict()
    short_name = fields.String()


class ElectionIn(Schema):
    unit_kato = kato_field(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(ELECTION_KINDS))
    called_on = fields.Date(required=True)
    election_day = fields.Date(required=True)
    profile = fields.String(load_default=None, validate=validate.Length(max=40))


class UnitRef(Schema):
    kato = fields.String()
    name = fields.Dict()
    kind = fields.String()


class ProfileOut(Schema):
    """A shipped rule profile: every rule as ``{value, basis, confirmed}`` (basis in kk, ru, en)."""

    key = fields.String()
    version = fields.Integer()
    kind = fields.String()
    title = fields.Dict()
    day_counting = fields.String()
    rules = fields.Function(
        lambda profile: {
            entry["rule"]: {key: entry[key] for key in ("value", "basis", "confirmed")}
            for entry in rule_entries(profile)
        }
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
    status = fields.Function(lambda election: election.status_at(now()))
    called_on = fields.Date()
    election_day = fields.Date()
    calendar = fields.Function(lambda election: CalendarOut().dump(election.calendar()))


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
    unit_kato = fields.Function(lambda precinct: precinct.unit.kato)
    voters_on_list = fields.Integer()
    address = fields.String()
