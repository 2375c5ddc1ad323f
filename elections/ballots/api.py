"""JSON API: the ballot (public) and precinct protocols (secretary or organising commission)."""

from __future__ import annotations

from flask import jsonify, request
from marshmallow import Schema, fields

from elections.auth.access import ensure_precinct_access
from elections.ballots import services
from elections.ballots.schemas import BallotOut, ProtocolIn, ProtocolOut
from elections.core import idempotency
from elections.core.errors import not_found
from elections.core.extensions import db
from elections.territory.services import get_election, get_precinct_in
from elections.web.access import current_actor, public, roles
from elections.web.api import PROTOCOLS, ApiBlueprint, errors, json_body

bp = ApiBlueprint("ballots_api", __name__, tag=PROTOCOLS)

PROTOCOL_ROLES = ("precinct_secretary", "territorial_member", "territorial_chair")
# Built once: a marshmallow schema deep-copies its fields on every instantiation, and the
# protocol save is the hottest write of election night. Loading and dumping keep no state.
PROTOCOL_IN, PROTOCOL_OUT = ProtocolIn(), ProtocolOut()
IDEMPOTENCY_PARAMETER = {
    "name": idempotency.HEADER,
    "in": "header",
    "required": False,
    "description": "A retry with the same key and body returns the first answer and saves "
    "nothing new; the same key with another body is refused.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": r"\S"},
}


class ProtocolVersionsOut(Schema):
    versions = fields.List(fields.Nested(ProtocolOut), required=True)


@bp.get("/elections/<int:election_id>/ballot")
@public
@bp.response(200, BallotOut)
def ballot(election_id: int):
    """The ballot paper and its print run"""
    return services.ballot(get_election(election_id))


def _scoped_precinct(election_id: int, precinct_id: int):
    precinct = get_precinct_in(election_id, precinct_id)
    ensure_precinct_access(current_actor(), precinct)
    return precinct


@bp.put("/elections/<int:election_id>/precincts/<int:precinct_id>/protocol")
@roles(*PROTOCOL_ROLES)
@errors(409)
@bp.doc(parameters=[IDEMPOTENCY_PARAMETER])
@bp.body(PROTOCOL_IN)
@bp.response(200, ProtocolOut)
def save_protocol(read, election_id: int, precinct_id: int):
    """Save a precinct protocol

    A failed control relation is 422 with one error per relation (code relation_failed,
    relation, left, right); 409 version_conflict, results_certified.
    """
    precinct = _scoped_precinct(election_id, precinct_id)
    actor = current_actor()
    key = request.headers.get(idempotency.HEADER)
    if key is not None:
        key = idempotency.check_key(key)
        print_ = idempotency.fingerprint("PUT", request.path, json_body())
        stored = idempotency.replay(actor, key, print_)
        if stored is not None:
            status, answer = stored
            return jsonify(answer), status
    version = services.save_protocol(precinct, read(), actor)
    answer = PROTOCOL_OUT.dump(version)
    if key is not None:
        idempotency.remember(actor, key, print_, 200, answer)
    db.session.commit()
    return jsonify(answer), 200  # dumped already, for the idempotency record


@bp.get("/elections/<int:election_id>/precincts/<int:precinct_id>/protocol")
@roles(*PROTOCOL_ROLES)
@bp.response(200, ProtocolOut)
def show_protocol(election_id: int, precinct_id: int):
    """The current version of a precinct protocol"""
    version = services.current_version(_scoped_precinct(election_id, precinct_id))
    if version is None:
        raise not_found()
    return version


@bp.get("/elections/<int:election_id>/precincts/<int:precinct_id>/protocol/versions")
@roles(*PROTOCOL_ROLES)
@bp.response(200, ProtocolVersionsOut)
def protocol_versions(election_id: int, precinct_id: int):
    """Every version of a precinct protocol"""
    return {"versions": services.versions(_scoped_precinct(election_id, precinct_id))}
