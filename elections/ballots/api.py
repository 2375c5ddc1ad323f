"""JSON API: the ballot (public) and precinct protocols (secretary or organising commission)."""

from __future__ import annotations

from flask import Blueprint, request

from elections.auth.access import ensure_precinct_access
from elections.ballots import services
from elections.ballots.schemas import BallotOut, ProtocolIn, ProtocolOut
from elections.core import idempotency
from elections.core.errors import not_found
from elections.core.extensions import db
from elections.territory.services import get_election, get_precinct_in
from elections.web.access import current_actor, public, roles
from elections.web.http import json_body, load

bp = Blueprint("ballots_api", __name__, url_prefix="/api/v1")

PROTOCOL_ROLES = ("precinct_secretary", "territorial_member", "territorial_chair")
# Built once: a marshmallow schema deep-copies its fields on every instantiation, and the
# protocol save is the hottest write of election night. Loading and dumping keep no state.
PROTOCOL_IN, PROTOCOL_OUT = ProtocolIn(), ProtocolOut()


@bp.get("/elections/<int:election_id>/ballot")
@public
def ballot(election_id: int):
    return BallotOut().dump(services.ballot(get_election(election_id)))


def _scoped_precinct(election_id: int, precinct_id: int):
    precinct = get_precinct_in(election_id, precinct_id)
    ensure_precinct_access(current_actor(), precinct)
    return precinct


@bp.put("/elections/<int:election_id>/precincts/<int:precinct_id>/protocol")
@roles(*PROTOCOL_ROLES)
def save_protocol(election_id: int, precinct_id: int):
    precinct = _scoped_precinct(election_id, precinct_id)
    actor, body = current_actor(), json_body()
    key = request.headers.get(idempotency.HEADER)
    if key is not None:
        key = idempotency.check_key(key)
        print_ = idempotency.fingerprint("PUT", request.path, body)
        stored = idempotency.replay(actor, key, print_)
        if stored is not None:
            status, answer = stored
            return answer, status
    version = services.save_protocol(precinct, load(PROTOCOL_IN, body), actor)
    answer = PROTOCOL_OUT.dump(version)
    if key is not None:
        idempotency.remember(actor, key, print_, 200, answer)
    db.session.commit()
    return answer, 200


@bp.get("/elections/<int:election_id>/precincts/<int:precinct_id>/protocol")
@roles(*PROTOCOL_ROLES)
def show_protocol(election_id: int, precinct_id: int):
    version = services.current_version(_scoped_precinct(election_id, precinct_id))
    if version is None:
        raise not_found()
    return PROTOCOL_OUT.dump(version)


@bp.get("/elections/<int:election_id>/precincts/<int:precinct_id>/protocol/versions")
@roles(*PROTOCOL_ROLES)
def protocol_versions(election_id: int, precinct_id: int):
    precinct = _scoped_precinct(election_id, precinct_id)
    return {"versions": ProtocolOut(many=True).dump(services.versions(precinct))}
