"""JSON API for candidates: nomination and decisions by the commission, public status lookup."""

from __future__ import annotations

from elections.auth.access import ensure_organiser
from elections.candidates import services
from elections.candidates.presenters import candidate_view, status_view
from elections.candidates.schemas import (
    CancelIn,
    CandidateOut,
    CandidatesQuery,
    DecisionIn,
    NominationIn,
    NominationPatch,
    StatusIn,
    StatusOut,
    StatusQuery,
    WithdrawIn,
)
from elections.core.extensions import db
from elections.territory.services import get_election
from elections.web.access import current_actor, public, roles
from elections.web.api import CANDIDATES, ApiBlueprint, errors, json_body
from elections.web.ratelimit import limited

bp = ApiBlueprint("candidates_api", __name__, tag=CANDIDATES)

COMMISSION = ("territorial_member", "territorial_chair")


def _scoped_candidate(candidate_id: int):
    candidate = services.lock_candidate(candidate_id)
    ensure_organiser(current_actor(), candidate.election)
    return candidate


@bp.post("/elections/<int:election_id>/candidates")
@roles(*COMMISSION)
@errors(409)
@bp.body(NominationIn)
@bp.response(201, CandidateOut)
def nominate(read, election_id: int):
    """Nominate a candidate

    409 codes: nomination_closed, already_candidate_elsewhere, party_already_nominated,
    already_nominated. qualification_met is the commission's finding against the qualification
    requirements of the civil-service post (education and work experience checked against the
    documents named in qualification_note): null until checked, and taken in as null when
    absent; null is the violation qualification_pending, false qualification_not_met.
    documents.tax_certificate and, for a self-nominee, documents.signature_check_protocol are
    required (documents_missing). experience_insufficient, term_limit_reached and
    settlements_insufficient are raised only where the election's profile turns the rule on
    with confirmed: true.
    """
    election = get_election(election_id)
    ensure_organiser(current_actor(), election)
    candidate = services.nominate(election, read(), current_actor())
    db.session.commit()
    return candidate_view(candidate)


@bp.get("/elections/<int:election_id>/candidates")
@roles(*COMMISSION)
@bp.arguments(CandidatesQuery, location="query")
@bp.response(200, CandidateOut(many=True))
def list_candidates(query, election_id: int):
    """List the candidates of an election"""
    election = get_election(election_id)
    ensure_organiser(current_actor(), election)
    candidates = services.list_candidates(election, query.get("status"))
    territory = services.territory_of(election)
    return [candidate_view(c, territory) for c in candidates]


@bp.get("/candidates/<int:candidate_id>")
@roles(*COMMISSION)
@bp.response(200, CandidateOut)
def show(candidate_id: int):
    """Show a candidate with eligibility and history"""
    candidate = services.get_candidate(candidate_id)
    ensure_organiser(current_actor(), candidate.election)
    return candidate_view(candidate)


@bp.patch("/candidates/<int:candidate_id>")
@roles(*COMMISSION)
@errors(409)
# The body is merged with the nomination and checked whole by the service, under its lock.
@bp.doc(
    requestBody={"required": True, "content": {"application/json": {"schema": NominationPatch}}}
)
@bp.response(200, CandidateOut)
def update(candidate_id: int):
    """Change a nomination until the decision

    Any fields of the nomination body, while the status is submitted; the answer carries the
    recomputed eligibility. documents merge key by key, and so does a nomination of the same
    type. Audited with each changed field's old and new values (the IIN and the birth date
    without their values). 409 codes: already_decided, registration_closed (after
    registration closes, or the election is no longer open), nomination_closed (the IIN or
    birth date changed after nomination closes), party_already_nominated, already_nominated,
    already_candidate_elsewhere.
    """
    candidate = services.get_candidate(candidate_id)
    ensure_organiser(current_actor(), candidate.election)  # before any lock is taken
    body = json_body()
    candidate = services.lock_for_edit(candidate, body)
    services.update(candidate, body, current_actor())
    db.session.commit()
    return candidate_view(candidate)


@bp.post("/candidates/<int:candidate_id>/decision")
@roles(*COMMISSION)
@errors(409)
@bp.body(DecisionIn)
@bp.response(200, CandidateOut)
def decide(read, candidate_id: int):
    """Register or refuse a candidate

    409 codes: ineligible (with the violations), registration_closed.
    """
    candidate = _scoped_candidate(candidate_id)
    data = read()
    if data["decision"] == "register":
        services.register(candidate, data["note"], current_actor())
    else:
        services.refuse(candidate, data["grounds"], data["note"], current_actor())
    db.session.commit()
    return candidate_view(candidate)


@bp.post("/candidates/<int:candidate_id>/withdraw")
@roles(*COMMISSION)
@errors(409)
@bp.body(WithdrawIn)
@bp.response(200, CandidateOut)
def withdraw(read, candidate_id: int):
    """Withdraw a candidate

    409 withdrawal_closed in the last days before the election.
    """
    candidate = _scoped_candidate(candidate_id)
    services.withdraw(candidate, read()["reason"], current_actor())
    db.session.commit()
    return candidate_view(candidate)


@bp.post("/candidates/<int:candidate_id>/cancel-registration")
@roles(*COMMISSION)
@errors(409)
@bp.body(CancelIn)
@bp.response(200, CandidateOut)
def cancel_registration(read, candidate_id: int):
    """Cancel a registration"""
    candidate = _scoped_candidate(candidate_id)
    data = read()
    services.cancel_registration(candidate, data["grounds"], data["note"], current_actor())
    db.session.commit()
    return candidate_view(candidate)


@bp.get("/status")
@public
@errors(404, 429)
@limited("status", "STATUS_LOOKUP_RATE")
@bp.arguments(StatusQuery, location="query")
@bp.response(200, StatusOut)
def status(query):
    """Look up the status of an application

    One 404 whether the number or the IIN is wrong; rate-limited per client.
    """
    return _status_of(query)


@bp.post("/status")
@public
@errors(404, 429)
@limited("status", "STATUS_LOOKUP_RATE")
@bp.arguments(StatusIn)
@bp.response(200, StatusOut)
def status_by_post(data):
    """Look up the status of an application, the IIN in the body

    As GET /status, with the IIN kept out of URLs and access logs. Case and spaces in the
    application number and spaces in the IIN are ignored.
    """
    return _status_of(data)


def _status_of(query: dict):
    candidate = services.find_application(query["application_number"], query["iin"])
    if candidate is None:
        raise services.application_not_found()
    return status_view(candidate), 200, {"Cache-Control": "no-store"}
