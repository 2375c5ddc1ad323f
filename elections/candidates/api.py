"""JSON API for candidates: nomination and decisions by the commission, public status lookup."""

from __future__ import annotations

from flask import Blueprint, request

from elections.auth.access import ensure_organiser
from elections.candidates import services
from elections.candidates.presenters import candidate_view, status_view
from elections.candidates.schemas import (
    CancelIn,
    CandidateOut,
    DecisionIn,
    NominationIn,
    StatusIn,
    StatusOut,
    StatusQuery,
    WithdrawIn,
)
from elections.core.extensions import db
from elections.territory.services import get_election
from elections.web import ratelimit
from elections.web.access import current_actor, public, roles
from elections.web.http import json_body, load

bp = Blueprint("candidates_api", __name__, url_prefix="/api/v1")

COMMISSION = ("territorial_member", "territorial_chair")


def _scoped_candidate(candidate_id: int):
    candidate = services.lock_candidate(candidate_id)
    ensure_organiser(current_actor(), candidate.election)
    return candidate


@bp.post("/elections/<int:election_id>/candidates")
@roles(*COMMISSION)
def nominate(election_id: int):
    election = get_election(election_id)
    ensure_organiser(current_actor(), election)
    candidate = services.nominate(election, load(NominationIn()), current_actor())
    db.session.commit()
    return CandidateOut().dump(candidate_view(candidate)), 201


@bp.get("/elections/<int:election_id>/candidates")
@roles(*COMMISSION)
def list_candidates(election_id: int):
    election = get_election(election_id)
    ensure_organiser(current_actor(), election)
    candidates = services.list_candidates(election, request.args.get("status"))
    territory = services.territory_of(election)
    return CandidateOut(many=True).dump([candidate_view(c, territory) for c in candidates])


@bp.get("/candidates/<int:candidate_id>")
@roles(*COMMISSION)
def show(candidate_id: int):
    candidate = services.get_candidate(candidate_id)
    ensure_organiser(current_actor(), candidate.election)
    return CandidateOut().dump(candidate_view(candidate))


@bp.patch("/candidates/<int:candidate_id>")
@roles(*COMMISSION)
def update(candidate_id: int):
    """Change fields of a nomination until the decision; locked as a decision is."""
    candidate = services.get_candidate(candidate_id)
    ensure_organiser(current_actor(), candidate.election)  # before any lock is taken
    body = json_body()
    candidate = services.lock_for_edit(candidate, body)
    services.update(candidate, body, current_actor())
    db.session.commit()
    return CandidateOut().dump(candidate_view(candidate))


@bp.post("/candidates/<int:candidate_id>/decision")
@roles(*COMMISSION)
def decide(candidate_id: int):
    candidate = _scoped_candidate(candidate_id)
    data = load(DecisionIn())
    if data["decision"] == "register":
        services.register(candidate, data["note"], current_actor())
    else:
        services.refuse(candidate, data["grounds"], data["note"], current_actor())
    db.session.commit()
    return CandidateOut().dump(candidate_view(candidate))


@bp.post("/candidates/<int:candidate_id>/withdraw")
@roles(*COMMISSION)
def withdraw(candidate_id: int):
    candidate = _scoped_candidate(candidate_id)
    services.withdraw(candidate, load(WithdrawIn())["reason"], current_actor())
    db.session.commit()
    return CandidateOut().dump(candidate_view(candidate))


@bp.post("/candidates/<int:candidate_id>/cancel-registration")
@roles(*COMMISSION)
def cancel_registration(candidate_id: int):
    candidate = _scoped_candidate(candidate_id)
    data = load(CancelIn())
    services.cancel_registration(candidate, data["grounds"], data["note"], current_actor())
    db.session.commit()
    return CandidateOut().dump(candidate_view(candidate))


@bp.get("/status")
@public
def status():
    ratelimit.check("status", "STATUS_LOOKUP_RATE")
    return _status_of(load(StatusQuery(), request.args.to_dict()))


@bp.post("/status")
@public
def status_by_post():
    """The same lookup with the IIN in the body, so that it stays out of URLs and access logs."""
    ratelimit.check("status", "STATUS_LOOKUP_RATE")
    return _status_of(load(StatusIn()))


def _status_of(query: dict):
    candidate = services.find_application(query["application_number"], query["iin"])
    if candidate is None:
        raise services.application_not_found()
    return StatusOut().dump(status_view(candidate)), 200, {"Cache-Control": "no-store"}
