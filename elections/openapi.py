"""The OpenAPI 3 document of /api/v1, and a page for people that reads it.

The paths come from the Flask URL map (every rule under /api/v1), the shapes from the
marshmallow schemas through apispec, and what the URL map cannot say (a summary, the
request and response schemas, the error statuses) from ``OPERATIONS`` below. A rule
without a row there is left out of the document, and a row without a rule names no
operation: tests/foundation/test_openapi.py fails on either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, Flask, current_app, render_template
from marshmallow import INCLUDE, Schema, fields, validate
from werkzeug.routing import IntegerConverter, Rule

from elections.audit.api import AuditEventOut, AuditHeadOut, AuditQuery
from elections.ballots.models import FIGURE_FIELDS
from elections.ballots.schemas import BallotOut, ProtocolIn, ProtocolOut
from elections.candidates.calendar_api import ExtendNominationIn, PostponedOut, PostponeIn
from elections.candidates.models import STATUSES
from elections.candidates.rule_decisions import RebindIn, RuleDecisionIn
from elections.candidates.schemas import (
    CancelIn,
    CandidateOut,
    DecisionIn,
    NominationIn,
    NominationPatch,
    StatusIn,
    StatusOut,
    StatusQuery,
    WithdrawIn,
)
from elections.core.db import INTEGER_MAX
from elections.core.idempotency import HEADER as IDEMPOTENCY_HEADER
from elections.results.invalidity_views import InvalidateIn, RepeatIn
from elections.results.schemas import CorrectionIn, CorrectionOut, ResultOut, ResultVersionOut
from elections.territory.schemas import (
    CalendarOut,
    ElectionIn,
    ElectionOut,
    PartyIn,
    PartyOut,
    PrecinctIn,
    PrecinctOut,
    ProfileOut,
    UnitIn,
    UnitOut,
    UnitZoneIn,
    VotingHoursIn,
)
from elections.web.access import public

PREFIX = "/api/v1"
OPENAPI_VERSION = "3.0.3"
SECURITY_SCHEME = "bearerAuth"

bp = Blueprint("openapi", __name__)


# --- Shapes that exist only in the document ------------------------------------------------


class ErrorItemOut(Schema):
    """One refusal. Some codes add their own keys (``relation``, ``left``, ``right``, ...)."""

    class Meta:
        unknown = INCLUDE  # documented as open to further keys

    code = fields.String(required=True)
    message = fields.String(required=True)
    field = fields.String()
    legal_basis = fields.String()


class ErrorOut(Schema):
    """The one error envelope of the API, whatever the status. It lists at most 100 items;
    when there were more, a last item ``too_many_errors`` gives their number in ``more``."""

    errors = fields.List(
        fields.Nested(ErrorItemOut), required=True, validate=validate.Length(min=1)
    )


class ProtocolVersionsOut(Schema):
    versions = fields.List(fields.Nested(ProtocolOut), required=True)


class EveryResultOut(Schema):
    elections = fields.List(fields.Nested(ResultOut), required=True)


class ResultVersionsOut(Schema):
    versions = fields.List(fields.Nested(ResultVersionOut), required=True)
    corrections = fields.List(fields.Nested(CorrectionOut), required=True)


class AuditEventsOut(Schema):
    events = fields.List(fields.Nested(AuditEventOut), required=True)


# --- What the URL map cannot say --------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    summary: str
    tag: str
    request: type[Schema] | None = None
    response: type[Schema] | str | None = None  # a schema, or "csv" / "nist" / "openapi"
    many: bool = False
    status: int = 200
    errors: tuple[int, ...] = ()
    query: type[Schema] | tuple[dict, ...] = ()
    headers: tuple[dict, ...] = ()
    description: str = ""


SETUP, CANDIDATES, PROTOCOLS, RESULTS, AUDIT, META = (
    "Setup",
    "Candidates",
    "Ballot and protocols",
    "Results",
    "Audit",
    "Contract",
)
TAGS = {
    SETUP: "Units, parties, elections and precincts (the CEC administrators write; anyone reads).",
    CANDIDATES: "Nomination and registration decisions by the organising commission; the public "
    "status lookup.",
    PROTOCOLS: "The ballot paper (public) and precinct protocols.",
    RESULTS: "Public results and open data; certification and corrections by the chair.",
    AUDIT: "The hash-chained audit trail.",
    META: "This document.",
}

KATO_PARAMETER = {
    "name": "parent",
    "in": "query",
    "required": False,
    "description": "KATO code of the parent unit: only its direct children are listed.",
    "schema": {"type": "string", "pattern": r"^[0-9]{9}$"},
}
PAGE_PARAMETERS = (
    {
        "name": "page",
        "in": "query",
        "required": False,
        "description": "Which page of the list, from 1.",
        "schema": {"type": "integer", "minimum": 1, "default": 1},
    },
    {
        "name": "per_page",
        "in": "query",
        "required": False,
        "description": "Items per page.",
        "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 100},
    },
)
PAGED = (
    "At most per_page items; X-Total-Count gives the number of all, and while more remain "
    'a Link: <...>; rel="next" header names the next page.'
)
STATUS_PARAMETER = {
    "name": "status",
    "in": "query",
    "required": False,
    "description": "Only candidates with this status.",
    "schema": {"type": "string", "enum": list(STATUSES)},
}
DOWNLOAD_PARAMETER = {
    "name": "download",
    "in": "query",
    "required": False,
    "description": "1: sent as an attachment (Content-Disposition), as the results page's "
    "download links ask; without it the answer is inline.",
    "schema": {"type": "string", "enum": ["0", "1"]},
}
IDEMPOTENCY_PARAMETER = {
    "name": IDEMPOTENCY_HEADER,
    "in": "header",
    "required": False,
    "description": "A retry with the same key and body returns the first answer and saves "
    "nothing new; the same key with another body is refused.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": r"\S"},
}

READ, WRITE = (401,), (400, 401, 413, 422)
ADMIN_WRITE = (*WRITE, 403, 409)  # 409: a certified election, or a unique key taken in a race
SCOPED_READ = (401, 403, 404)
SCOPED_WRITE = (*WRITE, 403, 404, 409)

OPERATIONS: dict[str, Operation] = {
    # Setup
    "territory_api.create_unit": Operation(
        "Create an administrative unit",
        SETUP,
        request=UnitIn,
        response=UnitOut,
        status=201,
        errors=ADMIN_WRITE,
    ),
    "territory_api.set_unit_timezone": Operation(
        "Name the time zone of a region",
        SETUP,
        request=UnitZoneIn,
        response=UnitOut,
        errors=(*ADMIN_WRITE, 404),
        description="A region or a city of republican significance names one of the IANA zones "
        "of Kazakhstan (Asia/Almaty, Asia/Qostanay, Asia/Qyzylorda, Asia/Aqtobe, Asia/Aqtau, "
        "Asia/Atyrau, Asia/Oral); null gives it back the deployment's. The units below inherit "
        "it (zone), and every election of a unit under it is re-resolved in the same "
        "transaction, audited with the old and new zone and the elections touched. The zones "
        "carry the history, so a past election keeps the instants it really had.",
    ),
    "territory_api.list_units": Operation(
        "List units",
        SETUP,
        response=UnitOut,
        many=True,
        errors=(*READ, 422),
        query=(KATO_PARAMETER, *PAGE_PARAMETERS),
        description=PAGED,
    ),
    "territory_api.create_party": Operation(
        "Register a party",
        SETUP,
        request=PartyIn,
        response=PartyOut,
        status=201,
        errors=ADMIN_WRITE,
    ),
    "territory_api.list_parties": Operation(
        "List parties", SETUP, response=PartyOut, many=True, errors=READ
    ),
    "territory_api.call_election": Operation(
        "Call an election",
        SETUP,
        request=ElectionIn,
        response=ElectionOut,
        status=201,
        errors=ADMIN_WRITE,
        description="The calendar follows from the election day and the rule profile.",
    ),
    "territory_api.list_elections": Operation(
        "List elections",
        SETUP,
        response=ElectionOut,
        many=True,
        errors=(*READ, 422),
        query=PAGE_PARAMETERS,
        description=PAGED,
    ),
    "territory_api.list_profiles": Operation(
        "List the rule profiles",
        SETUP,
        response=ProfileOut,
        many=True,
        errors=READ,
        description="Every shipped profile (rural-2021, rural-2023, district-2023), each rule "
        "as {value, basis, confirmed}: basis names its source in kk, ru and en; confirmed is "
        "false where no source confirms the rule, and such a rule refuses no one.",
    ),
    "territory_api.show_election": Operation(
        "Show an election", SETUP, response=ElectionOut, errors=(*READ, 404)
    ),
    "territory_api.change_voting_hours": Operation(
        "Change the voting hours of an election",
        SETUP,
        request=VotingHoursIn,
        response=ElectionOut,
        errors=SCOPED_WRITE,
        description="The organising commission (art. 43), before voting begins on election day "
        "while the election is open; starts before ends, both HH:MM local time, and the reason. "
        "Recorded as the decision voting_hours_changed with {old, new}. The count, and with it "
        "protocol entry, opens at the new end of voting. 409 codes: voting_started, "
        "election_settled.",
    ),
    "territory_api.add_precinct": Operation(
        "Add a precinct to an election",
        SETUP,
        request=PrecinctIn,
        response=PrecinctOut,
        status=201,
        errors=(*ADMIN_WRITE, 404),
    ),
    "territory_api.list_precincts": Operation(
        "List the precincts of an election",
        SETUP,
        response=PrecinctOut,
        many=True,
        errors=(*READ, 404, 422),
        query=PAGE_PARAMETERS,
        description=PAGED,
    ),
    "rule_decisions_api.rebind": Operation(
        "Re-bind an election to the corrected version of its profile",
        SETUP,
        request=RebindIn,
        response=ElectionOut,
        errors=SCOPED_WRITE,
        description="The organising commission's chair, or a CEC administrator; before election "
        "day (the election's local date) while the election is open. The snapshot becomes the "
        "shipped profile file; profile names another shipped profile of the same kind for an "
        "election called with the wrong one. Recorded as the decision profile_rebound with "
        "{profile, from_version, to_version, changed: [{rule, old, new}]}; rules the commission "
        "turned on are reset to the shipped entries. 409 codes: profile_current (no newer "
        "version ships), election_day_reached, election_not_open. 422 profile_kind_mismatch.",
    ),
    "rule_decisions_api.decide_rule": Operation(
        "Turn an unconfirmed rule of an election on or off",
        SETUP,
        request=RuleDecisionIn,
        response=ElectionOut,
        errors=SCOPED_WRITE,
        description="The organising commission's chair, until registration closes. Only a rule "
        "whose shipped entry no source confirms (404 for a rule the profile lacks). enabled: "
        "true needs basis {kk, ru, en} naming who confirmed the rule; the snapshot's entry "
        "becomes {value, basis, confirmed: true, enabled_by: {commission, user, at, reason}} and "
        "eligibility applies it (e.g. term_limit_reached). enabled: false restores the shipped "
        "unconfirmed entry. Recorded as the decision rule_enabled with the old and new entry. "
        "409 codes: rule_confirmed, registration_closed, election_not_open, rule_not_enabled.",
    ),
    "calendar_api.extend_nomination": Operation(
        "Extend nomination while fewer than two candidates are nominated",
        SETUP,
        request=ExtendNominationIn,
        response=CalendarOut,
        errors=SCOPED_WRITE,
        description="The organising commission (a member or its chair), while nomination is "
        "open (CEC, September 2023). Nominated: applications taken in that still stand "
        "(submitted or registered). Moves nomination_closes later by days, at most the "
        "profile's nomination_extension_max_days (3) in all for the election; registration "
        "still closes on its date. Recorded as the decision nomination_extended with {days, "
        "total_days, nomination_closes_before, nomination_closes_after}. 409 codes: "
        "nomination_closed, enough_candidates. 422 days_out_of_range (field days, with "
        "remaining), required (field reason).",
    ),
    "calendar_api.postpone": Operation(
        "Postpone election day when fewer than two candidates are registered",
        SETUP,
        request=PostponeIn,
        response=PostponedOut,
        errors=SCOPED_WRITE,
        description="The organising commission's chair, after registration has closed and "
        "before election day (the election's local date). The new day is later than the "
        "current one. The profile's registration_extension_days (15 after the day first set, "
        "over every postponement) is unconfirmed (rule_confirmed says so): a later day is "
        "accepted and recorded with beyond_limit; only where the commission turned the rule "
        "on is it refused (too_late). Every deadline counted from election day moves with it. "
        "Recorded as the decision postponed with {election_day_before, election_day_after, "
        "days, total_days, rule_confirmed, beyond_limit}. 409 codes: election_not_open, "
        "election_day_reached, registration_open, enough_candidates. 422 not_later, too_late "
        "(field election_day), required (field reason).",
    ),
    # Candidates
    "candidates_api.nominate": Operation(
        "Nominate a candidate",
        CANDIDATES,
        request=NominationIn,
        response=CandidateOut,
        status=201,
        errors=SCOPED_WRITE,
        description="409 codes: nomination_closed, already_candidate_elsewhere, "
        "party_already_nominated, already_nominated. qualification_met is the commission's "
        "finding against the qualification requirements of the civil-service post (education "
        "and work experience checked against the documents named in qualification_note): "
        "null until checked, and taken in as null when absent; null is the violation "
        "qualification_pending, false qualification_not_met. documents.tax_certificate and, "
        "for a self-nominee, documents.signature_check_protocol are required "
        "(documents_missing). experience_insufficient, term_limit_reached and "
        "settlements_insufficient are raised only where the election's profile turns the rule "
        "on with confirmed: true.",
    ),
    "candidates_api.list_candidates": Operation(
        "List the candidates of an election",
        CANDIDATES,
        response=CandidateOut,
        many=True,
        errors=SCOPED_READ,
        query=(STATUS_PARAMETER,),
    ),
    "candidates_api.show": Operation(
        "Show a candidate with eligibility and history",
        CANDIDATES,
        response=CandidateOut,
        errors=SCOPED_READ,
    ),
    "candidates_api.update": Operation(
        "Change a nomination until the decision",
        CANDIDATES,
        request=NominationPatch,
        response=CandidateOut,
        errors=SCOPED_WRITE,
        description="Any fields of the nomination body, while the status is submitted; the "
        "answer carries the recomputed eligibility. documents merge key by key, and so does a "
        "nomination of the same type. Audited with each changed field's old and new values "
        "(the IIN and the birth date without their values). 409 codes: already_decided, "
        "registration_closed (after registration closes, or the election is no longer open), "
        "nomination_closed (the IIN or birth date changed after nomination closes), "
        "party_already_nominated, already_nominated, already_candidate_elsewhere.",
    ),
    "candidates_api.decide": Operation(
        "Register or refuse a candidate",
        CANDIDATES,
        request=DecisionIn,
        response=CandidateOut,
        errors=SCOPED_WRITE,
        description="409 codes: ineligible (with the violations), registration_closed.",
    ),
    "candidates_api.withdraw": Operation(
        "Withdraw a candidate",
        CANDIDATES,
        request=WithdrawIn,
        response=CandidateOut,
        errors=SCOPED_WRITE,
        description="409 withdrawal_closed in the last days before the election.",
    ),
    "candidates_api.cancel_registration": Operation(
        "Cancel a registration",
        CANDIDATES,
        request=CancelIn,
        response=CandidateOut,
        errors=SCOPED_WRITE,
    ),
    "candidates_api.status": Operation(
        "Look up the status of an application",
        CANDIDATES,
        response=StatusOut,
        errors=(*READ, 404, 422, 429),
        query=StatusQuery,
        description="One 404 whether the number or the IIN is wrong; rate-limited per client.",
    ),
    "candidates_api.status_by_post": Operation(
        "Look up the status of an application, the IIN in the body",
        CANDIDATES,
        request=StatusIn,
        response=StatusOut,
        errors=(400, 401, 404, 413, 422, 429),
        description="As GET /status, with the IIN kept out of URLs and access logs. Case and "
        "spaces in the application number and spaces in the IIN are ignored.",
    ),
    # Ballot and protocols
    "ballots_api.ballot": Operation(
        "The ballot paper and its print run",
        PROTOCOLS,
        response=BallotOut,
        errors=(*READ, 404),
    ),
    "ballots_api.save_protocol": Operation(
        "Save a precinct protocol",
        PROTOCOLS,
        request=ProtocolIn,
        response=ProtocolOut,
        errors=SCOPED_WRITE,
        headers=(IDEMPOTENCY_PARAMETER,),
        description="A failed control relation is 422 with one error per relation "
        "(code relation_failed, relation, left, right); 409 version_conflict, "
        "results_certified.",
    ),
    "ballots_api.show_protocol": Operation(
        "The current version of a precinct protocol",
        PROTOCOLS,
        response=ProtocolOut,
        errors=SCOPED_READ,
    ),
    "ballots_api.protocol_versions": Operation(
        "Every version of a precinct protocol",
        PROTOCOLS,
        response=ProtocolVersionsOut,
        errors=SCOPED_READ,
    ),
    # Results
    "results_api.results": Operation(
        "The result of an election",
        RESULTS,
        response=ResultOut,
        errors=(*READ, 404),
        query=(DOWNLOAD_PARAMETER,),
    ),
    "results_api.every_result": Operation(
        "The result of every election",
        RESULTS,
        response=EveryResultOut,
        errors=READ,
        description="Open data for election night: each election as GET "
        "/elections/{election_id}/results gives it, in id order. Cache-Control public, "
        "max-age=10, and an ETag (If-None-Match answers 304).",
    ),
    "results_api.result_versions": Operation(
        "Every certified version and correction",
        RESULTS,
        response=ResultVersionsOut,
        errors=(*READ, 404),
    ),
    "results_api.results_csv": Operation(
        "Results per precinct as CSV",
        RESULTS,
        response="csv",
        errors=(*READ, 404),
        description="UTF-8 with a byte-order mark, always an attachment; text cells that begin "
        "with =, +, -, @, a tab or a carriage return are prefixed with '.",
    ),
    "results_api.results_nist": Operation(
        "Results in NIST SP 1500-100 v2 JSON",
        RESULTS,
        response="nist",
        errors=(*READ, 404),
        query=(DOWNLOAD_PARAMETER,),
    ),
    "results_api.certify": Operation(
        "Certify the result",
        RESULTS,
        response=ResultOut,
        errors=(*SCOPED_READ, 409),
        description="409 precincts_missing while a precinct has not reported; already_certified.",
    ),
    "invalidity_api.invalidate": Operation(
        "Declare the election invalid",
        RESULTS,
        request=InvalidateIn,
        response=ElectionOut,
        errors=SCOPED_WRITE,
        description="The organising commission's chair, with the grounds (art. 113-9): status "
        "invalid, nobody elected, protocols locked; the result shows outcome invalid and "
        "invalid_grounds. 409 already_certified after certification, already_invalid.",
    ),
    "invalidity_api.call_repeat": Operation(
        "Call the repeat election",
        RESULTS,
        request=RepeatIn,
        response=ElectionOut,
        status=201,
        errors=SCOPED_WRITE,
        description="cec_admin or the organising commission's chair, after a tie "
        "(repeat_required) or invalidity (art. 113-9): a new election of the same unit, kind "
        "and rule profile with repeat_of and the same precincts; the lead time is not applied. "
        "409 not_repeatable otherwise or when a repeat exists; 422 deadline_before_call.",
    ),
    "results_api.open_correction": Operation(
        "Open a correction of a certified result",
        RESULTS,
        request=CorrectionIn,
        response=CorrectionOut,
        errors=SCOPED_WRITE,
    ),
    # Audit
    "audit_api.list_events": Operation(
        "Read the audit trail",
        AUDIT,
        response=AuditEventsOut,
        errors=(401, 403, 422),
        query=AuditQuery,
        description=PAGED,
    ),
    "audit_api.audit_head": Operation(
        "The head of the audit trail",
        AUDIT,
        response=AuditHeadOut,
        errors=READ,
        description="The newest event's sequence number, hash and time (seq 0 and the genesis "
        "hash of 64 zeros, at null, while the trail is empty). Keep a copy: `flask --app "
        "elections audit verify --expect-head SEQ:HASH` fails once the chain no longer holds "
        "that event with that hash.",
    ),
    # This document
    "openapi.openapi_json": Operation(
        "This OpenAPI document", META, response="openapi", errors=READ
    ),
}

# Fields whose marshmallow type (Function, Method, Dict) says less than what they hold.
NAME = {
    "type": "object",
    "properties": {"kk": {"type": "string"}, "ru": {"type": "string"}},
    "required": ["kk", "ru"],
}
TEXTS = {
    "type": "object",
    "properties": {"kk": {"type": "string"}, "ru": {"type": "string"}, "en": {"type": "string"}},
    "required": ["kk", "ru", "en"],
}
COUNT = {"type": "integer", "minimum": 0, "maximum": INTEGER_MAX, "nullable": False}
FIELD_TYPES: dict[tuple[str, str], dict] = {
    ("UnitOut", "parent_kato"): {"type": "string", "nullable": True},
    ("UnitOut", "name"): NAME,
    ("UnitRef", "name"): NAME,
    ("PartyOut", "name"): NAME,
    ("AgainstAll", "label"): NAME,
    ("ElectionOut", "status"): {"type": "string"},
    ("ElectionOut", "repeated_by"): {"type": "integer", "nullable": True},
    ("ElectionOut", "timezone"): {"type": "string", "description": "The IANA zone in force."},
    ("ElectionOut", "voting_hours"): {
        "type": "object",
        "description": "Local times, HH:MM: 07:00-20:00 unless the commission changed them.",
        "properties": {"starts": {"type": "string"}, "ends": {"type": "string"}},
        "required": ["starts", "ends"],
    },
    ("UnitOut", "zone"): {
        "type": "string",
        "description": "The zone in force: the unit's own, inherited, or the deployment's.",
    },
    ("ProfileOut", "title"): TEXTS,
    ("ProfileOut", "rules"): {
        "type": "object",
        "additionalProperties": {
            "type": "object",
            "properties": {
                "value": {"description": "A number, a share such as 1/100, a time or a list."},
                "basis": TEXTS,
                "confirmed": {"type": "boolean"},
            },
            "required": ["value", "basis", "confirmed"],
        },
    },
    ("ElectionOut", "calendar"): {"$ref": "#/components/schemas/Calendar"},
    ("PrecinctOut", "unit_kato"): {"type": "string"},
    ("ProtocolOut", "votes"): {
        "type": "object",
        "description": "Votes per candidate id.",
        "additionalProperties": {"type": "integer"},
    },
    ("ResultOut", "as_of"): {"type": "string", "format": "date-time", "nullable": True},
    ("AuditEventOut", "payload"): {"type": "object"},
    # Protocol lines are loaded raw so that each bad line gets its own error; they are counts.
    **{("ProtocolIn", line): COUNT for line in FIGURE_FIELDS},
    ("ProtocolIn", "votes"): {
        "type": "object",
        "description": "Votes per candidate id: every registered candidate exactly once.",
        "additionalProperties": COUNT,
    },
}


def _field_types(self, field, ret, **kwargs) -> dict:
    """apispec attribute function: the types of FIELD_TYPES, keyed by schema and field name."""
    parent = getattr(field, "parent", None)
    return FIELD_TYPES.get((type(parent).__name__, getattr(field, "name", None)), {})


def _schema_name(schema) -> str:
    """UnitOut -> Unit, NameSchema -> Name, UnitIn stays UnitIn."""
    cls = schema if isinstance(schema, type) else type(schema)
    return cls.__name__.removesuffix("Schema").removesuffix("Out")


# --- From the URL map to paths ----------------------------------------------------------------

PATH_PARAMETER_DESCRIPTIONS = {
    "election_id": "Election id.",
    "precinct_id": "Precinct id (of that election).",
    "candidate_id": "Candidate id.",
}


def api_rules(app: Flask) -> list[Rule]:
    """Every rule under /api/v1, in a stable order."""
    rules = [rule for rule in app.url_map.iter_rules() if rule.rule.startswith(PREFIX + "/")]
    return sorted(rules, key=lambda rule: (rule.rule, rule.endpoint))


def rule_methods(rule: Rule) -> list[str]:
    return sorted(m.lower() for m in (rule.methods or ()) if m not in ("HEAD", "OPTIONS"))


def openapi_path(rule: Rule) -> str:
    """/api/v1/elections/<int:election_id> -> /elections/{election_id} (the server is /api/v1)."""
    path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
    return path.removeprefix(PREFIX)


def _path_parameters(rule: Rule) -> list[dict]:
    parameters = []
    for name in sorted(rule.arguments, key=rule.rule.index):
        converter = rule._converters.get(name)
        schema: dict = {"type": "string"}
        if isinstance(converter, IntegerConverter):
            schema = {"type": "integer", "minimum": 1, "maximum": INTEGER_MAX}
        parameters.append(
            {
                "name": name,
                "in": "path",
                "required": True,
                "description": PATH_PARAMETER_DESCRIPTIONS.get(name, name),
                "schema": schema,
            }
        )
    return parameters


def _json(schema) -> dict:
    return {"application/json": {"schema": schema}}


def _success(operation: Operation) -> dict:
    if operation.response == "csv":
        return {
            "description": "One row per precinct: number, voters, ballots, invalid, against all, "
            "a column per candidate.",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    if operation.response == "nist":
        return {
            "description": "A NIST SP 1500-100 v2 ElectionReport.",
            "content": _json({"type": "object", "required": ["@type"]}),
        }
    if operation.response == "openapi":
        return {
            "description": "An OpenAPI 3 document.",
            "content": _json({"type": "object", "required": ["openapi", "paths"]}),
        }
    if operation.response is None:
        return {"description": "Done."}
    ref = {"$ref": f"#/components/schemas/{_schema_name(operation.response)}"}
    schema = {"type": "array", "items": ref} if operation.many else ref
    return {"description": operation.summary + ".", "content": _json(schema)}


ERROR_DESCRIPTIONS = {
    400: "Malformed body (bad_request, duplicate_key).",
    401: "No or bad credentials (unauthorized).",
    403: "Wrong role or scope (forbidden).",
    404: "Not found (not_found), or outside the caller's scope.",
    409: "The state forbids it: deadline passed, version conflict, already certified, ineligible.",
    413: "The body is larger than the service accepts (payload_too_large).",
    422: "Well-formed but invalid: field errors, control relations (at most 100 items, then "
    "too_many_errors with the count of the rest in more).",
    429: "Too many requests from this client (too_many_requests); see Retry-After.",
}


def _error(status: int) -> dict:
    return {
        "description": ERROR_DESCRIPTIONS[status],
        "content": _json({"$ref": "#/components/schemas/Error"}),
    }


def _roles(app: Flask, endpoint: str) -> tuple[bool, tuple[str, ...]]:
    rule = getattr(app.view_functions[endpoint], "access_rule", None)
    if rule is None:
        return False, ()
    return rule.public, tuple(rule.roles)


def _operation(app: Flask, rule: Rule, operation: Operation) -> dict:
    is_public, roles = _roles(app, rule.endpoint)
    parameters = _path_parameters(rule)
    if isinstance(operation.query, type):
        parameters.append({"in": "query", "schema": operation.query})
    else:
        parameters += [dict(p) for p in operation.query]
    parameters += [dict(p) for p in operation.headers]
    errors = set(operation.errors)
    if rule.arguments:
        errors.add(404)  # an id that names nothing
    responses = {str(operation.status): _success(operation)}
    responses |= {str(status): _error(status) for status in sorted(errors)}
    result: dict = {
        "operationId": rule.endpoint,
        "summary": operation.summary,
        "tags": [operation.tag],
        "parameters": parameters,
        "responses": responses,
        "x-roles": [] if is_public else list(roles),
    }
    description = operation.description
    if not is_public:
        description = (f"Roles: {', '.join(roles)}. " + description).strip()
    if description:
        result["description"] = description
    result["security"] = [] if is_public else [{SECURITY_SCHEME: []}]
    if operation.request is not None:
        result["requestBody"] = {"required": True, "content": _json(operation.request)}
    return result


def build_document(app: Flask) -> dict:
    """The OpenAPI document of this app's /api/v1 routes."""
    spec = APISpec(
        title="Akim elections API",
        version="1",
        openapi_version=OPENAPI_VERSION,
        plugins=[MarshmallowPlugin(schema_name_resolver=_schema_name)],
        info={
            "description": "JSON API of the election administration service for the direct "
            "elections of akims in Kazakhstan. Every error has the shape of the Error schema.",
        },
        servers=[{"url": PREFIX}],
    )
    plugin = spec.plugins[0]
    plugin.converter.add_attribute_function(_field_types)
    spec.components.security_scheme(
        SECURITY_SCHEME,
        {
            "type": "http",
            "scheme": "bearer",
            "description": "A token from `flask --app elections users token NAME`.",
        },
    )
    for schema in _component_schemas():
        if _schema_name(schema) not in spec.components.schemas:  # nested ones come by themselves
            spec.components.schema(_schema_name(schema), schema=schema)
    for name, description in TAGS.items():
        spec.tag({"name": name, "description": description})
    for rule in api_rules(app):
        operation = OPERATIONS.get(rule.endpoint)
        if operation is None:
            continue  # undocumented: tests/foundation/test_openapi.py names it
        operations = {m: _operation(app, rule, operation) for m in rule_methods(rule)}
        spec.path(path=openapi_path(rule), operations=operations)
    return spec.to_dict()


def _component_schemas() -> list[type[Schema]]:
    named = [ErrorOut, CalendarOut]
    for operation in OPERATIONS.values():
        for schema in (operation.request, operation.response):
            if isinstance(schema, type) and schema not in named:
                named.append(schema)
    return named


def document() -> dict:
    """The document of the current app, built once per app."""
    cached = current_app.extensions.get("openapi_document")
    if cached is None:
        cached = current_app.extensions["openapi_document"] = build_document(current_app)
    return cached


# --- Views -----------------------------------------------------------------------------------


@bp.get(PREFIX + "/openapi.json")
@public
def openapi_json():
    return document()


@bp.get("/api")
@public
def page():
    spec = document()
    return render_template("api.html", groups=page_groups(spec), schemas=page_schemas(spec))


@dataclass(frozen=True)
class SchemaName:
    """A request or response shape as the page shows it: its label, and its schema to link."""

    label: str
    target: str | None = None


@dataclass(frozen=True)
class PageOperation:
    method: str
    path: str
    anchor: str
    summary: str
    description: str
    roles: tuple[str, ...]
    parameters: tuple[dict, ...]
    request: SchemaName | None
    responses: tuple[tuple[str, SchemaName | None], ...]


def _ref(schema: dict) -> str | None:
    return schema["$ref"].rsplit("/", 1)[-1] if "$ref" in schema else None


def _schema_name_of(content: dict | None) -> SchemaName | None:
    """The shape a request or response carries: "Unit", "[Unit]", "text/csv", "object"."""
    if not content:
        return None
    media_type, body = next(iter(content.items()))
    schema = body.get("schema", {})
    if _ref(schema):
        return SchemaName(_ref(schema), _ref(schema))
    if schema.get("type") == "array" and _ref(schema.get("items", {})):
        name = _ref(schema["items"])
        return SchemaName(f"[{name}]", name)
    if media_type != "application/json":
        return SchemaName(media_type)
    return SchemaName(schema.get("type", "any"))


def type_label(schema: dict) -> str:
    """A short type for the page: "string (date)", "[Violation]", "Name", "integer | null"."""
    if _ref(schema):
        label = _ref(schema)
    elif schema.get("type") == "array":
        label = "[" + type_label(schema.get("items", {})) + "]"
    elif "type" in schema:
        label = schema["type"] + (f" ({schema['format']})" if "format" in schema else "")
    elif "allOf" in schema or "oneOf" in schema:
        label = " | ".join(type_label(s) for s in schema.get("allOf", schema.get("oneOf", [])))
    else:
        label = "any"
    if "enum" in schema:
        label += ": " + ", ".join(str(v) for v in schema["enum"] if v is not None)
    return label + (" | null" if schema.get("nullable") else "")


def _without_roles(description: str) -> str:
    """The page shows the roles on a line of their own."""
    return re.sub(r"^Roles: [^.]*\.\s*", "", description)


def page_groups(spec: dict) -> list[tuple[dict, list[PageOperation]]]:
    """Operations grouped by tag, in the order of the tags, for templates/api.html."""
    tags = {tag["name"]: tag for tag in spec.get("tags", [])}
    groups: dict[str, list[PageOperation]] = {name: [] for name in tags}
    server = spec["servers"][0]["url"]
    for path, item in spec["paths"].items():
        for method, op in item.items():
            parameters = tuple(
                {**p, "type": type_label(p.get("schema", {}))} for p in op.get("parameters", ())
            )
            groups.setdefault(op["tags"][0], []).append(
                PageOperation(
                    method=method.upper(),
                    path=server + path,
                    anchor=op["operationId"].replace(".", "-"),
                    summary=op["summary"],
                    description=_without_roles(op.get("description", "")),
                    roles=tuple(op.get("x-roles", ())),
                    parameters=parameters,
                    request=_schema_name_of(op.get("requestBody", {}).get("content")),
                    responses=tuple(
                        (status, _schema_name_of(answer.get("content")))
                        for status, answer in op["responses"].items()
                    ),
                )
            )
    return [(tags.get(name, {"name": name}), ops) for name, ops in groups.items() if ops]


def page_schemas(spec: dict) -> list[dict]:
    """Every named schema with its fields, their types and whether they are required."""
    schemas = []
    for name, schema in sorted(spec["components"]["schemas"].items()):
        required = set(schema.get("required", ()))
        schemas.append(
            {
                "name": name,
                "description": schema.get("description", ""),
                "fields": [
                    (field, type_label(prop), field in required)
                    for field, prop in schema.get("properties", {}).items()
                ],
            }
        )
    return schemas
