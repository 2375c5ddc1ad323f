"""JSON shapes of accreditations, scans, observers' copies and answers (api.md, "Voter lists,
signatures, observers")."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from elections.ballots.schemas import ProtocolIn
from elections.core.db import INTEGER_MAX
from elections.observers.models import ANSWERS, SENDERS
from elections.voters.schemas import IinField
from elections.web.schema_fields import LocalDateTime

NAME_MAX, NOTE_MAX = 200, 2000


def _not_blank(value: str) -> None:
    if not value.strip():
        raise ValidationError(str(_l("Write something other than spaces.")))


def _text(maximum: int, **kwargs) -> fields.String:
    return fields.String(validate=[validate.Length(min=1, max=maximum), _not_blank], **kwargs)


class SentByIn(Schema):
    type = fields.String(required=True, validate=validate.OneOf(SENDERS))
    name = _text(NAME_MAX, required=True)


class AccreditationIn(Schema):
    name = _text(NAME_MAX, required=True)
    iin = IinField(metadata={"description": "12 digits; kept only as its keyed hash."})
    sent_by = fields.Nested(SentByIn, required=True)
    precinct_ids = fields.List(
        fields.Integer(strict=True, validate=validate.Range(min=1, max=INTEGER_MAX)),
        required=True,
        validate=validate.Length(min=1, max=1000),
    )


class WithdrawalIn(Schema):
    reason = _text(NOTE_MAX, required=True)


class SentByOut(Schema):
    type = fields.String()
    name = fields.String()


class PrecinctRefOut(Schema):
    precinct_id = fields.Integer(attribute="id")
    number = fields.Integer()


class AccreditationOut(Schema):
    """What the public reads of an accreditation: never the IIN."""

    id = fields.Integer()
    election_id = fields.Integer()
    name = fields.String()
    sent_by = fields.Method("_sent_by", metadata={"type": "object"})
    precincts = fields.List(fields.Nested(PrecinctRefOut))
    accredited_at = LocalDateTime()
    active = fields.Boolean()
    withdrawn_at = LocalDateTime(allow_none=True)
    withdrawal_reason = fields.String(allow_none=True)

    def _sent_by(self, accreditation) -> dict:
        return {"type": accreditation.sent_by_type, "name": accreditation.sent_by_name}


class AccreditationsOut(Schema):
    accreditations = fields.List(fields.Nested(AccreditationOut))


class ScanQuery(Schema):
    class Meta:
        unknown = EXCLUDE

    version = fields.Integer(
        load_default=None,
        validate=validate.Range(min=1, max=INTEGER_MAX),
        metadata={"description": "The version the scan is of: 409 if it is no longer current."},
    )


class ScanOut(Schema):
    sha256 = fields.String()
    url = fields.String()
    version = fields.Integer()
    media_type = fields.String()
    size = fields.Integer()


class CopyIn(ProtocolIn):
    """The lines of the protocol, as the protocol takes them; a copy has no version to expect."""

    class Meta:
        exclude = ("expected_version",)


class DifferenceOut(Schema):
    id = fields.Integer()
    line = fields.String(metadata={"description": "A protocol line, or votes.<candidate id>."})
    official = fields.Integer()
    copy = fields.Integer()
    official_version = fields.Integer()
    since = LocalDateTime()
    answer = fields.String(allow_none=True)
    answer_note = fields.String(allow_none=True)


class CopyOut(Schema):
    precinct_id = fields.Integer()
    official_version = fields.Integer(
        allow_none=True, metadata={"description": "None: the precinct has not reported yet."}
    )
    differences = fields.List(fields.Nested(DifferenceOut))


class AnswerIn(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(ANSWERS))
    note = _text(NOTE_MAX, required=True)


class PrecinctDifferenceOut(DifferenceOut):
    precinct_id = fields.Integer()
    precinct_number = fields.Integer(attribute="precinct.number")
    open = fields.Boolean(attribute="is_open")
    closed_at = LocalDateTime(allow_none=True)
    answered_at = LocalDateTime(allow_none=True)


class ElectionDifferencesOut(Schema):
    copies = fields.Integer(metadata={"description": "Observers' copies entered."})
    agree = fields.Integer(metadata={"description": "Copies that agree on every line."})
    differ = fields.Integer(metadata={"description": "Copies with an open difference."})
    awaiting = fields.Integer(metadata={"description": "Copies of precincts not reported yet."})
    differences = fields.List(fields.Nested(PrecinctDifferenceOut))


class ScanRefOut(Schema):
    precinct_id = fields.Integer()
    version = fields.Integer()
    sha256 = fields.String()
    media_type = fields.String()
    url = fields.String()


class PaperOut(Schema):
    """The signed paper beside an election's figures, in its open data."""

    scans = fields.List(fields.Nested(ScanRefOut))
    observer_copies = fields.Nested(
        Schema.from_dict(
            {name: fields.Integer() for name in ("copies", "agree", "differ", "awaiting")},
            name="ObserverCopiesOut",
        )
    )
    differences = fields.List(fields.Nested(PrecinctDifferenceOut))
