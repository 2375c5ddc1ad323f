"""JSON shapes of voter lists, "where do I vote" and signature checks (api.md, "Voter lists")."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from elections.candidates.iin import IinError, parse_iin
from elections.voters.messages import ADDITION_REASONS, REMOVAL_REASONS
from elections.voters.rules import ADDRESS_MAX, NAME_MAX, VERDICTS
from elections.web.schema_fields import LocalDateTime

NOTE_MAX = 1000


def _iin(value: str) -> None:
    try:
        parse_iin(value)
    except IinError as error:
        raise ValidationError(error.message.get("en")) from error


class IinField(fields.String):
    """An IIN, spaces ignored, checked digit by digit (format and check digit)."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        return "".join(text.split())

    def __init__(self, **kwargs):
        super().__init__(required=True, validate=[validate.Length(max=20), _iin], **kwargs)


class LookupIn(Schema):
    iin = IinField(metadata={"description": "12 digits; spaces are ignored."})


class VotingPlaceOut(Schema):
    election_id = fields.Integer()
    unit = fields.Dict()
    precinct_number = fields.Integer()
    address = fields.String()
    election_day = fields.Date()
    voting_hours = fields.Dict(metadata={"description": '{"starts": "07:00", "ends": "20:00"}'})


class LookupOut(Schema):
    elections = fields.List(fields.Nested(VotingPlaceOut))


class ListQuery(Schema):
    class Meta:
        unknown = EXCLUDE

    accept_valid = fields.Boolean(
        load_default=False,
        metadata={"description": "Load the valid rows and report the refused ones."},
    )


class RefusedRowOut(Schema):
    line = fields.Integer()
    code = fields.String()
    message = fields.String()


class ListLoadedOut(Schema):
    voters_on_list = fields.Integer()
    digest = fields.String(metadata={"description": "SHA-256 of the file as it came."})
    refused = fields.List(fields.Nested(RefusedRowOut))


class VoterOut(Schema):
    line = fields.Integer()
    last_name = fields.String()
    first_name = fields.String()
    patronymic = fields.String(allow_none=True)
    birth_date = fields.Date()
    address = fields.String()


class VoterListOut(Schema):
    precinct_id = fields.Integer()
    voters_on_list = fields.Integer()
    digest = fields.String()
    loaded_at = LocalDateTime()
    loaded_by = fields.String()
    changes = fields.Integer()
    voters = fields.List(fields.Nested(VoterOut))


class _Change(Schema):
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=NOTE_MAX))

    @validates_schema
    def _note_for_other(self, data, **_kwargs):
        if data.get("reason") == "other" and not (data.get("note") or "").strip():
            raise ValidationError(_l("Say what the other reason is."), "note")


class AdditionIn(_Change):
    iin = IinField()
    last_name = fields.String(required=True, validate=validate.Length(min=1, max=NAME_MAX))
    first_name = fields.String(required=True, validate=validate.Length(min=1, max=NAME_MAX))
    patronymic = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=NAME_MAX)
    )
    birth_date = fields.String(required=True, validate=validate.Length(max=10))
    address = fields.String(required=True, validate=validate.Length(min=1, max=ADDRESS_MAX))
    reason = fields.String(required=True, validate=validate.OneOf(list(ADDITION_REASONS)))


class RemovalIn(_Change):
    iin = IinField()
    reason = fields.String(required=True, validate=validate.OneOf(list(REMOVAL_REASONS)))


class ListChangedOut(Schema):
    precinct_id = fields.Integer()
    voters_on_list = fields.Integer()
    line = fields.Integer(metadata={"description": "The row of the voter added or removed."})


class SignatureRowOut(Schema):
    sheet = fields.Integer()
    line = fields.Integer()
    verdict = fields.String(metadata={"enum": list(VERDICTS)})


class SignatureCheckOut(Schema):
    candidate_id = fields.Integer()
    valid = fields.Integer()
    required = fields.Integer()
    settlements_covered = fields.Integer()
    lists_loaded = fields.Boolean(
        metadata={
            "description": "False: no list of the territory was loaded, so no row was "
            "checked against one (not_on_voter_list and name_mismatch cannot be found)."
        }
    )
    digest = fields.String()
    checked_at = LocalDateTime()
    refused = fields.Dict(metadata={"description": "Rows per verdict other than valid."})
    rows = fields.List(fields.Nested(SignatureRowOut))
