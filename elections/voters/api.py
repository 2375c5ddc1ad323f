"""JSON API: voter lists (the organising commission), "where do I vote" (anyone) and
self-nominees' signature sheets (the organising commission)."""

from __future__ import annotations

from collections import Counter

from flask import request

from elections.candidates.services import get_candidate, lock_candidate
from elections.core.extensions import db
from elections.territory.services import get_precinct_in
from elections.voters import lists, lookup, signatures
from elections.voters.reading import Upload
from elections.voters.rules import LIST_FIELDS, SHEET_FIELDS, VERDICTS
from elections.voters.schemas import (
    AdditionIn,
    ListChangedOut,
    ListLoadedOut,
    ListQuery,
    LookupIn,
    LookupOut,
    RemovalIn,
    SignatureCheckOut,
    VoterListOut,
)
from elections.web.access import current_actor, public, roles
from elections.web.api import VOTERS, ApiBlueprint, errors
from elections.web.ratelimit import limited
from elections.web.uploads import large_body

bp = ApiBlueprint("voters_api", __name__, tag=VOTERS)
COMMISSION = ("territorial_chair", "territorial_member")
NO_STORE = {"Cache-Control": "no-store"}


def _rows_body(fields: tuple[str, ...], example: str) -> dict:
    """The document's requestBody of a file of rows, as CSV or as a JSON array."""
    row = {"type": "object", "properties": {name: {"type": "string"} for name in fields}}
    return {
        "required": True,
        "content": {
            "text/csv": {"schema": {"type": "string"}, "example": example},
            "application/json": {"schema": {"type": "array", "items": row}},
        },
    }


def _upload(fields: tuple[str, ...]) -> Upload:
    """The body as a stream of rows (bounded by ``UPLOAD_MAX_BYTES``: ``@large_body``)."""
    return Upload(request.stream, request.mimetype, fields)


@bp.put("/elections/<int:election_id>/precincts/<int:precinct_id>/voters")
@roles(*COMMISSION)
@errors(409, 415)
@bp.doc(
    requestBody=_rows_body(
        LIST_FIELDS,
        "iin,last_name,first_name,patronymic,birth_date,"
        "address\n900101300017,Әбенов,Асқар,Серікұлы,1990-01-01,...",
    )
)
@large_body
@bp.arguments(ListQuery, location="query")
@bp.response(200, ListLoadedOut)
def load_list(query, election_id: int, precinct_id: int):
    """Load the voter list of a precinct

    The list the akimat compiled replaces the precinct's list in one transaction, audited with
    its counts and digest; voters_on_list follows it. Each row is checked: the IIN and its
    check digit, the birth date against the IIN, 18 years old on election day, not already on
    another list of the election (nor twice on this one). By default one refused row refuses
    the upload: 422 with every refused row an item of errors, with its line and code (past
    the hundred items other refusals stop at: the file bounds them). With
    accept_valid=true the valid rows are loaded and the refused ones reported. Until the day
    before election day (409 voter_lists_closed).
    """
    precinct = get_precinct_in(election_id, precinct_id)
    lists.ensure_list_keeper(current_actor(), precinct)
    loaded = lists.load_list(precinct, _upload(LIST_FIELDS), query["accept_valid"], current_actor())
    db.session.commit()
    return loaded


@bp.get("/elections/<int:election_id>/precincts/<int:precinct_id>/voters")
@roles(*COMMISSION, "precinct_secretary")
@errors(409)
@bp.response(200, VoterListOut)
def read_list(election_id: int, precinct_id: int):
    """Read the voter list of a precinct

    The organising commission, and the secretary of this precinct only; every read is
    audited. 409 no_voter_list while none is loaded.
    """
    precinct = get_precinct_in(election_id, precinct_id)
    lists.ensure_list_reader(current_actor(), precinct)
    kept = lists.required_list(precinct)
    voters = lists.voters_of(precinct, current_actor(), "json")
    db.session.commit()
    body = {
        "precinct_id": precinct.id,
        "voters_on_list": len(voters),
        "digest": kept.digest,
        "loaded_at": kept.loaded_at,
        "loaded_by": kept.loaded_by,
        "changes": kept.changes,
        "voters": voters,
    }
    return body, 200, NO_STORE


@bp.post("/elections/<int:election_id>/precincts/<int:precinct_id>/voters/additions")
@roles(*COMMISSION)
@errors(409)
@bp.body(AdditionIn)
@bp.response(201, ListChangedOut)
def add_voter(read, election_id: int, precinct_id: int):
    """Add a voter to the list of a precinct

    One voter (moved in, a court decision, left out by mistake), with the reason; the same
    checks as a row of the list. Until the day before election day.
    """
    precinct = get_precinct_in(election_id, precinct_id)
    lists.ensure_list_keeper(current_actor(), precinct)
    voter = lists.add_voter(precinct, read(), current_actor())
    db.session.commit()
    return {
        "precinct_id": precinct.id,
        "voters_on_list": precinct.voters_on_list,
        "line": voter.line,
    }


@bp.post("/elections/<int:election_id>/precincts/<int:precinct_id>/voters/removals")
@roles(*COMMISSION)
@errors(409)
@bp.body(RemovalIn)
@bp.response(200, ListChangedOut)
def remove_voter(read, election_id: int, precinct_id: int):
    """Take a voter off the list of a precinct

    Found by the IIN; the reason: moved, deceased, court_decision, listed_twice or other (with
    a note). Until the day before election day.
    """
    precinct = get_precinct_in(election_id, precinct_id)
    lists.ensure_list_keeper(current_actor(), precinct)
    line = lists.remove_voter(precinct, read(), current_actor())
    db.session.commit()
    return {"precinct_id": precinct.id, "voters_on_list": precinct.voters_on_list, "line": line}


@bp.post("/voter-lookup")
@public
@errors(429)
@limited("voter_lookup", "VOTER_LOOKUP_RATE")
@bp.arguments(LookupIn)
@bp.response(200, LookupOut)
def voter_lookup(data):
    """Where do I vote

    For each election not over whose lists hold the IIN: the precinct's number and address,
    election day and the voting hours. One 404 for every miss; rate-limited per client; the
    IIN is taken only in the body, never in an address.
    """
    places = lookup.where_to_vote(data["iin"])
    return {"elections": [lookup.place_view(p) for p in places]}, 200, NO_STORE


@bp.post("/candidates/<int:candidate_id>/signatures")
@roles(*COMMISSION)
@errors(409, 415)
@bp.doc(
    requestBody=_rows_body(
        SHEET_FIELDS,
        "sheet,line,iin,last_name,first_name,patronymic,"
        "signed_on\n1,1,900101300017,Әбенов,Асқар,Серікұлы,2026-11-02",
    )
)
@large_body
@bp.response(200, SignatureCheckOut)
def check_signatures(candidate_id: int):
    """Check the signature sheets of a self-nominee

    Every row gets a verdict: valid, iin_invalid, signed_before_nomination,
    duplicate_signature (the later of two by one signer), outside_territory (a voter of
    another election's lists), not_on_voter_list (the territory's lists are loaded and the
    IIN is not on them), name_mismatch (case, Ё/Е and spaces aside). signatures_valid and
    settlements_covered of the candidate then come from the check. The sheets come whole: a
    new upload replaces the check before it. While the candidate awaits the decision (409).
    """
    candidate = get_candidate(candidate_id)
    signatures.ensure_checker(current_actor(), candidate)
    candidate = lock_candidate(candidate.id)
    checked = signatures.check_sheets(candidate, _upload(SHEET_FIELDS), current_actor())
    db.session.commit()
    return signatures.check_view(checked.check, checked.refused, checked.rows)


@bp.get("/candidates/<int:candidate_id>/signatures")
@roles(*COMMISSION)
@errors(409)
@bp.response(200, SignatureCheckOut)
def show_signatures(candidate_id: int):
    """Show the signature check of a self-nominee

    409 not_checked while no sheets were loaded.
    """
    candidate = get_candidate(candidate_id)
    signatures.ensure_checker(current_actor(), candidate)
    check = signatures.required_check(candidate)
    rows = [
        {"sheet": r.sheet, "line": r.line, "verdict": r.verdict}
        for r in signatures.rows_of(candidate)
    ]
    counts = Counter(row["verdict"] for row in rows)  # from the rows already read
    refused = {code: counts[code] for code in VERDICTS if code != "valid" and counts[code]}
    return signatures.check_view(check, refused, rows)
