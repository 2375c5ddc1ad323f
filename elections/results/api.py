"""JSON API: results and open data (public); certification and corrections (the chair)."""

from __future__ import annotations

from flask import Blueprint, Response, make_response, request

from elections.auth.access import ensure_organiser
from elections.core.extensions import db
from elections.results import exports, national, services
from elections.results.caching import cached_public
from elections.results.schemas import CorrectionIn, CorrectionOut, ResultOut, ResultVersionOut
from elections.territory.services import get_election
from elections.web.access import current_actor, public, roles
from elections.web.http import load
from elections.web.page_cache import cached_by

bp = Blueprint("results_api", __name__, url_prefix="/api/v1")
RESULTS_OUT = ResultOut(many=True)


def wants_download() -> bool:
    """``?download=1``: the results page's download links. The API answer stays inline."""
    return request.args.get("download", "0") not in ("0", "false", "no")


def as_download(body, filename: str) -> Response:
    """``body`` (a dict or a Response) sent as an attachment named ``filename``."""
    response = make_response(body)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/elections/<int:election_id>/results")
@public
@cached_public
def results(election_id: int):
    body = ResultOut().dump(services.result(get_election(election_id)))
    if wants_download():
        return as_download(body, f"election-{election_id}-results.json")
    return body


@bp.get("/results")
@public
@cached_by(national.published_key, reads=())  # no parameter: ?anything=... is a hit
def every_result():
    """Open data for election night: every election's result in one document, rendered once
    per change of the data and kept like the election pages (ETag, public max-age)."""
    return {"elections": RESULTS_OUT.dump(national.every_result())}


@bp.get("/elections/<int:election_id>/results/versions")
@public
def result_versions(election_id: int):
    election = get_election(election_id)
    return {
        "versions": ResultVersionOut(many=True).dump(services.versions(election)),
        "corrections": CorrectionOut(many=True).dump(services.corrections(election)),
    }


@bp.get("/elections/<int:election_id>/results.csv")
@public
@cached_public
def results_csv(election_id: int):
    election = get_election(election_id)
    # Always an attachment (api.md, "Open data"), with or without ?download=1.
    return as_download(
        Response(exports.results_csv(election), mimetype="text/csv"),
        f"election-{election.id}-results.csv",
    )


@bp.get("/elections/<int:election_id>/results/nist-err")
@public
@cached_public
def results_nist(election_id: int):
    body = exports.nist_report(get_election(election_id))
    if wants_download():
        return as_download(body, f"election-{election_id}-nist-err.json")
    return body


@bp.post("/elections/<int:election_id>/certify")
@roles("territorial_chair", "territorial_member")
def certify(election_id: int):
    election = get_election(election_id)
    ensure_organiser(current_actor(), election, chair=True)
    services.certify(election, current_actor())
    db.session.commit()
    return ResultOut().dump(services.result(election))


@bp.post("/elections/<int:election_id>/corrections")
@roles("territorial_chair", "territorial_member")
def open_correction(election_id: int):
    election = get_election(election_id)
    ensure_organiser(current_actor(), election, chair=True)
    correction = services.open_correction(election, load(CorrectionIn())["reason"], current_actor())
    db.session.commit()
    return CorrectionOut().dump(correction)
