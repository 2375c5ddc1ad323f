"""JSON API: results and open data (public); certification and corrections (the chair)."""

from __future__ import annotations

from flask import Response, current_app, make_response, request
from marshmallow import Schema, fields

from elections.auth.access import ensure_organiser
from elections.core.extensions import db
from elections.observers.open_data import paper_of
from elections.results import exports, national, services
from elections.results.caching import cached_public
from elections.results.schemas import (
    CertifyIn,
    CorrectionIn,
    CorrectionOut,
    ResultOut,
    ResultVersionOut,
)
from elections.territory.services import get_election
from elections.web.access import current_actor, public, roles
from elections.web.api import PARSER, RESULTS, ApiBlueprint, errors
from elections.web.page_cache import cached_by

bp = ApiBlueprint("results_api", __name__, tag=RESULTS)
CERTIFY_IN = CertifyIn()
CERTIFY_BODY = {
    "required": False,
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "properties": {
                    "acknowledge_differences": {
                        "type": "array",
                        "items": {"type": "integer", "minimum": 1},
                        "description": "Ids of open observer differences the chair "
                        "acknowledges as they stand.",
                    }
                },
            }
        }
    },
}
RESULTS_OUT = ResultOut(many=True)
DOWNLOAD_PARAMETER = {
    "name": "download",
    "in": "query",
    "required": False,
    "description": "1: sent as an attachment (Content-Disposition), as the results page's "
    "download links ask; without it the answer is inline.",
    "schema": {"type": "string", "enum": ["0", "1"]},
}


class EveryResultOut(Schema):
    elections = fields.List(fields.Nested(ResultOut), required=True)


# An entry of the every-result document: an election's result without its paper.
_ENTRY = ResultOut(exclude=("paper",))


def _entry_json(result: dict) -> bytes:
    return current_app.json.dumps(_ENTRY.dump(result), separators=(",", ":")).encode()


class ResultVersionsOut(Schema):
    versions = fields.List(fields.Nested(ResultVersionOut), required=True)
    corrections = fields.List(fields.Nested(CorrectionOut), required=True)


def wants_download() -> bool:
    """``?download=1``: the results page's download links. The API answer stays inline."""
    return request.args.get("download", "0") not in ("0", "false", "no")


def as_download(body, filename: str) -> Response:
    """``body`` (a dict or a Response) sent as an attachment named ``filename``."""
    response = make_response(body)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def with_paper(election) -> dict:
    """The result of one election with its paper (scans, observers' comparison)."""
    return {**services.result(election), "paper": paper_of(election.id)}


@bp.get("/elections/<int:election_id>/results")
@public
@bp.doc(parameters=[DOWNLOAD_PARAMETER])
@cached_public
@bp.response(200, ResultOut)
def results(election_id: int):
    """The result of an election

    With paper: the digests of the signed protocols' scans, and how the observers' copies
    compare with the official figures, every difference with the commission's answer.
    """
    result = with_paper(get_election(election_id))
    if wants_download():
        return as_download(ResultOut().dump(result), f"election-{election_id}-results.json")
    return result


@bp.get("/results")
@public
@cached_by(national.published_key, reads=())  # no parameter: ?anything=... is a hit
@bp.response(200, EveryResultOut)
def every_result():
    """The result of every election

    Open data for election night: each election as GET /elections/{election_id}/results
    gives it (without its paper: scans and observer copies), in id order. Cache-Control
    public, max-age=10, and an ETag (If-None-Match answers 304).
    ---
    Rendered once per change of the data and kept like the election pages; each election's
    entry is serialised once per revision of the election (national.every_result_document).
    """
    return Response(national.every_result_document(_entry_json), mimetype="application/json")


@bp.get("/elections/<int:election_id>/results/versions")
@public
@bp.response(200, ResultVersionsOut)
def result_versions(election_id: int):
    """Every certified version and correction"""
    election = get_election(election_id)
    return {"versions": services.versions(election), "corrections": services.corrections(election)}


@bp.get("/elections/<int:election_id>/results.csv")
@public
@bp.doc(
    responses={
        "200": {
            "description": "One row per precinct: number, voters, ballots, invalid, against "
            "all, a column per candidate.",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    }
)
@cached_public
def results_csv(election_id: int):
    """Results per precinct as CSV

    UTF-8 with a byte-order mark, always an attachment; text cells that begin with =, +, -,
    @, a tab or a carriage return are prefixed with '.
    """
    election = get_election(election_id)
    # Always an attachment (api.md, "Open data"), with or without ?download=1.
    return as_download(
        Response(exports.results_csv(election), mimetype="text/csv"),
        f"election-{election.id}-results.csv",
    )


@bp.get("/elections/<int:election_id>/results/nist-err")
@public
@bp.doc(
    parameters=[DOWNLOAD_PARAMETER],
    responses={
        "200": {
            "description": "A NIST SP 1500-100 v2 ElectionReport.",
            "content": {"application/json": {"schema": {"type": "object", "required": ["@type"]}}},
        }
    },
)
@cached_public
def results_nist(election_id: int):
    """Results in NIST SP 1500-100 v2 JSON"""
    body = exports.nist_report(get_election(election_id))
    if wants_download():
        return as_download(body, f"election-{election_id}-nist-err.json")
    return body


@bp.post("/elections/<int:election_id>/certify")
@roles("territorial_chair", "territorial_member")
@errors(409)
@bp.doc(requestBody=CERTIFY_BODY)
@bp.response(200, ResultOut)
def certify(election_id: int):
    """Certify the result

    409 precincts_missing while a precinct has not reported; already_certified;
    differences_open naming each observer difference still open with no answer, unless the
    body lists it in acknowledge_differences. The body may be left out.
    """
    election = get_election(election_id)
    ensure_organiser(current_actor(), election, chair=True)
    acknowledged = []
    if request.content_length:
        acknowledged = PARSER.parse(CERTIFY_IN, location="json")["acknowledge_differences"]
    services.certify(election, current_actor(), acknowledged)
    db.session.commit()
    return with_paper(election)


@bp.post("/elections/<int:election_id>/corrections")
@roles("territorial_chair", "territorial_member")
@errors(409)
@bp.body(CorrectionIn)
@bp.response(200, CorrectionOut)
def open_correction(read, election_id: int):
    """Open a correction of a certified result"""
    election = get_election(election_id)
    ensure_organiser(current_actor(), election, chair=True)
    correction = services.open_correction(election, read()["reason"], current_actor())
    db.session.commit()
    return correction
