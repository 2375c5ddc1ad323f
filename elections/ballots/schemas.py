"""JSON shapes of the ballot and of precinct protocols (api.md, "Ballot and protocols")."""

from __future__ import annotations

from collections.abc import Mapping

from marshmallow import Schema, fields, validate

from elections.core.db import INTEGER_MAX
from elections.web.schema_fields import COUNT_TYPE, NAME_TYPE, LocalDateTime, shown_as


class VotesMapping(fields.Dict):
    """The votes object as sent: keys and values are checked by the protocol's own rules
    (services.check_protocol, line by line), so marshmallow only checks that it is an object.
    Deserialising each entry as a field cost a second for a body of 70,000 made-up keys."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, Mapping):
            raise self.make_error("invalid")
        return dict(value)  # a JSON object's keys are strings


# Lines are loaded raw so that each bad line gets its own error; the document says they are counts.
COUNT = shown_as(COUNT_TYPE)


class ProtocolIn(Schema):
    """Lines are taken raw: whole-number checks live in the pure tally rules, line by line."""

    # null too: it is "not a whole number" of its line, reported as votes.<id> like the rest
    # (marshmallow would name a null vote "votes.<id>.value").
    voters_on_list = fields.Raw(required=True, allow_none=True, metadata=COUNT)
    ballots_received = fields.Raw(required=True, allow_none=True, metadata=COUNT)
    ballots_issued = fields.Raw(required=True, allow_none=True, metadata=COUNT)
    ballots_cancelled = fields.Raw(required=True, allow_none=True, metadata=COUNT)
    ballots_in_boxes = fields.Raw(required=True, allow_none=True, metadata=COUNT)
    invalid_ballots = fields.Raw(required=True, allow_none=True, metadata=COUNT)
    votes = VotesMapping(
        keys=fields.String(),
        values=fields.Raw(allow_none=True),
        required=True,
        metadata=shown_as(
            {
                "type": "object",
                "description": "Votes per candidate id: every registered candidate exactly once.",
                "additionalProperties": COUNT_TYPE,
            }
        ),
    )
    against_all = fields.Raw(required=True, allow_none=True, metadata=COUNT)
    expected_version = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=0, max=INTEGER_MAX)
    )


class ProtocolOut(Schema):
    precinct_id = fields.Integer()
    election_id = fields.Integer()
    version = fields.Integer()
    status = fields.Constant("accepted")
    voters_on_list = fields.Integer()
    ballots_received = fields.Integer()
    ballots_issued = fields.Integer()
    ballots_cancelled = fields.Integer()
    ballots_in_boxes = fields.Integer()
    invalid_ballots = fields.Integer()
    votes = fields.Function(
        lambda v: {str(cid): n for cid, n in v.votes_by_candidate().items()},
        metadata=shown_as(
            {
                "type": "object",
                "description": "Votes per candidate id.",
                "additionalProperties": {"type": "integer"},
            }
        ),
    )
    against_all = fields.Integer()
    digest = fields.String()
    created_at = LocalDateTime()
    created_by = fields.String()


class NominationLabel(Schema):
    type = fields.String()
    party_id = fields.Integer()
    label = fields.Dict()


class BallotLine(Schema):
    position = fields.Integer()
    candidate_id = fields.Integer()
    last_name = fields.String()
    first_name = fields.String()
    patronymic = fields.String(allow_none=True)
    nomination = fields.Nested(NominationLabel)


class AgainstAll(Schema):
    position = fields.Integer()
    label = fields.Dict(metadata=shown_as(NAME_TYPE))


class PrecinctRun(Schema):
    precinct_id = fields.Integer()
    number = fields.Integer()
    voters_on_list = fields.Integer()
    ballots = fields.Integer()


class PrintRun(Schema):
    total = fields.Integer()
    precincts = fields.List(fields.Nested(PrecinctRun))


class BallotOut(Schema):
    election_id = fields.Integer()
    lines = fields.List(fields.Nested(BallotLine))
    against_all = fields.Nested(AgainstAll)
    print_run = fields.Nested(PrintRun)
