"""PDF downloads: each from the page it belongs to, and open to whoever may open that page.

- the precinct protocol of one version: the secretary of the precinct and the organising
  commission, as the protocol's history of versions;
- the certified result protocol of one certified version: anyone, as the public results page
  that lists the certified versions (the commission's dashboard links the same document);
- the ballot proof: anyone, as the ballot page.

Each request is counted against the client address's ``PRINT_RATE`` (elections.web.ratelimit),
then access is checked, then the document's HTML is built from the stored data; its digest
keys the rendered bytes (elections.printing.cache) and is the strong ETag, so a reader who
holds the document gets 304 and a flood of requests for one document costs one render.

- a result version that a later version replaced can never change: immutable for a year;
- the current result version and the ballot proof: public, a short max-age and the ETag;
- a protocol: private, no-store (only for its precinct and its commission).

A public document sent to a signed-in reader is marked private all the same: the response
may carry that reader's session cookie, which no shared cache may keep.
"""

from __future__ import annotations

from flask import Blueprint, Response, make_response, render_template, request, session
from flask_babel import gettext as _

from elections.auth.access import ensure_precinct_access
from elections.candidates.services import get_candidate
from elections.core.errors import ServiceError, not_found
from elections.core.extensions import db
from elections.printing import cache, documents
from elections.territory.models import Precinct
from elections.territory.services import get_election
from elections.voters import lists, signatures
from elections.web import ratelimit
from elections.web.access import current_actor, public, roles

bp = Blueprint("printing", __name__)

PROTOCOL_ROLES = ("precinct_secretary", "territorial_member", "territorial_chair")
# PDFs per client address and window: a commission printing every protocol of its precincts
# and the result stays well under it; one address flooding the renderer does not.
DEFAULT_RATE = (60, 60)
PUBLIC_MAX_AGE = 60
PRIVATE = "private, no-store"
SHORT = f"public, max-age={PUBLIC_MAX_AGE}"
IMMUTABLE = "public, max-age=31536000, immutable"


@bp.record_once
def _default_rate(state) -> None:
    state.app.config.setdefault("PRINT_RATE", DEFAULT_RATE)


def _count_request() -> None:
    """A 429 with Retry-After, in the page or the error envelope, once over ``PRINT_RATE``."""
    try:
        ratelimit.check("print", "PRINT_RATE")
    except ServiceError as error:
        seconds = int(error.headers.get("Retry-After", "1"))
        raise ServiceError.one(
            429,
            "too_many_requests",
            _("Too many downloads. Try again in %(seconds)d seconds.", seconds=seconds),
            headers=error.headers,
        ) from None


def _document(key: cache.Key, html: str, filename: str, cache_control: str) -> Response:
    etag = key.etag
    if request.if_none_match.contains_weak(etag):
        response = make_response("", 304)
    else:
        response = make_response(cache.pdf_for(key, html))
        response.headers["Content-Type"] = "application/pdf"
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    if cache_control.startswith("public") and (
        current_actor() is not None or "_flashes" in session
    ):
        cache_control = cache_control.replace("public", "private", 1)
    response.set_etag(etag)
    response.headers["Cache-Control"] = cache_control
    return response


@bp.get("/precincts/<int:precinct_id>/protocol/versions/<int:version>.pdf")
@roles(*PROTOCOL_ROLES)
def protocol(precinct_id: int, version: int):
    _count_request()
    precinct = db.session.get(Precinct, precinct_id) if precinct_id > 0 else None
    if precinct is None:
        raise not_found()
    ensure_precinct_access(current_actor(), precinct)  # before anything is looked up or kept
    stored = documents.protocol_version(precinct, version)
    html = render_template("print/protocol.html", **documents.precinct_protocol(precinct, stored))
    name = f"protocol-election-{precinct.election_id}-precinct-{precinct.number}-v{version}.pdf"
    return _document(cache.key("protocol", precinct.id, version, html), html, name, PRIVATE)


@bp.get("/results/<int:election_id>/versions/<int:version>.pdf")
@public
def result(election_id: int, version: int):
    _count_request()
    election = get_election(election_id)
    stored = documents.result_version(election, version)
    context = documents.result_protocol(election, stored)
    html = render_template("print/result.html", **context)
    return _document(
        cache.key("result", election.id, version, html),
        html,
        f"result-election-{election.id}-v{version}.pdf",
        IMMUTABLE if documents.result_is_final(context) else SHORT,
    )


@bp.get("/elections/<int:election_id>/ballot.pdf")
@public
def ballot(election_id: int):
    _count_request()
    election = get_election(election_id)
    html = render_template("print/ballot.html", **documents.ballot_proof(election))
    return _document(
        cache.key("ballot", election.id, None, html),
        html,
        f"ballot-election-{election.id}.pdf",
        SHORT,
    )


@bp.get("/precincts/<int:precinct_id>/voters.pdf")
@roles(*PROTOCOL_ROLES)
def voter_list(precinct_id: int):
    """The precinct's list laid out for voters' signatures on receiving a ballot: for its
    commission and its own secretary; the read is audited as any read of a whole list."""
    _count_request()
    precinct = db.session.get(Precinct, precinct_id) if precinct_id > 0 else None
    if precinct is None:
        raise not_found()
    lists.ensure_list_reader(current_actor(), precinct)
    kept = lists.required_list(precinct)
    voters = lists.voters_of(precinct, current_actor(), "pdf")
    db.session.commit()
    html = render_template("print/voter_list.html", **documents.voter_list(precinct, kept, voters))
    name = f"voter-list-election-{precinct.election_id}-precinct-{precinct.number}.pdf"
    return _document(cache.key("voter_list", precinct.id, None, html), html, name, PRIVATE)


@bp.get("/commission/candidates/<int:candidate_id>/signature-check.pdf")
@roles("territorial_member", "territorial_chair")
def signature_check(candidate_id: int):
    """The signature-check protocol: the candidate's ``signature_check_protocol`` document."""
    _count_request()
    candidate = get_candidate(candidate_id)
    signatures.ensure_checker(current_actor(), candidate)
    check = signatures.required_check(candidate)
    context = documents.signature_check(candidate, check, signatures.rows_of(candidate))
    html = render_template("print/signature_check.html", **context)
    name = f"signature-check-{candidate.application_number}.pdf"
    return _document(cache.key("signature_check", candidate.id, None, html), html, name, PRIVATE)
