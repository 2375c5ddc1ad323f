"""JSON shapes of results, certification and corrections (api.md, "Results")."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from elections.core.db import INTEGER_MAX
from elections.observers.schemas import PaperOut
from elections.web.schema_fields import LocalDateTime, shown_as


class CandidateResult(Schema):
    candidate_id = fields.Integer()
    name = fields.String()
    votes = fields.Integer()
    share = fields.Float()


class ResultOut(Schema):
    election_id = fields.Integer()
    status = fields.String()
    as_of = fields.Method(
        "_as_of", metadata=shown_as({"type": "string", "format": "date-time", "nullable": True})
    )
    precincts_reporting = fields.Integer()
    precincts_total = fields.Integer()
    voters_on_list = fields.Integer()
    ballots_in_boxes = fields.Integer()
    turnout = fields.Float(allow_none=True)
    invalid_ballots = fields.Integer()
    against_all = fields.Integer()
    candidates = fields.List(fields.Nested(CandidateResult))
    outcome = fields.String()
    winner_candidate_id = fields.Integer(allow_none=True)
    tied_candidate_ids = fields.List(fields.Integer())
    deposit_refund_candidate_ids = fields.List(fields.Integer())
    # Only for an election declared invalid (outcome "invalid"): the commission's grounds.
    invalid_grounds = fields.String(allow_none=True)
    version = fields.Integer(allow_none=True)
    digest = fields.String(allow_none=True)
    # Only in one election's result: its scans and the observers' comparison.
    paper = fields.Nested(PaperOut)

    def _as_of(self, result):
        value = result.get("as_of")
        if value is None or isinstance(value, str):
            return value
        return LocalDateTime()._serialize(value, "as_of", result)


class ProtocolUsed(Schema):
    precinct_id = fields.Integer()
    version = fields.Integer()
    digest = fields.String()


class ResultVersionOut(Schema):
    version = fields.Integer()
    certified_at = LocalDateTime()
    certified_by = fields.String()
    outcome = fields.String()
    digest = fields.String()
    correction_reason = fields.String(allow_none=True)
    figures = fields.Dict()
    protocols = fields.List(fields.Nested(ProtocolUsed))
    differences = fields.List(
        fields.Dict(),
        allow_none=True,
        metadata={
            "description": "The observers' differences open at certification, each with its "
            "answer (recount, corrected, explained) or acknowledged by the chair."
        },
    )


class CorrectionIn(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=3, max=2000))


class CorrectionOut(Schema):
    id = fields.Integer()
    after_version = fields.Integer()
    opened_at = LocalDateTime()
    opened_by = fields.String()
    reason = fields.String()


class CertifyIn(Schema):
    acknowledge_differences = fields.List(
        fields.Integer(strict=True, validate=validate.Range(min=1, max=INTEGER_MAX)),
        load_default=list,
        validate=validate.Length(max=10_000),
        metadata={"description": "Open differences the chair acknowledges as they stand."},
    )
