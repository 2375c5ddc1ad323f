"""JSON API: units, parties, elections and precincts (cec_admin writes; anyone reads)."""

from __future__ import annotations

from flask import Blueprint, request
from flask_babel import gettext as _

from elections.auth.access import current_actor, public, roles
from elections.errors import ErrorItem, invalid
from elections.extensions import db
from elections.http import load
from elections.rules import load_profile, profile_keys
from elections.territory import services
from elections.territory.schemas import (
    ElectionIn,
    ElectionOut,
    PartyIn,
    PartyOut,
    PrecinctIn,
    PrecinctOut,
    ProfileOut,
    UnitIn,
    UnitOut,
)

bp = Blueprint("territory_api", __name__, url_prefix="/api/v1")


@bp.post("/units")
@roles("cec_admin")
def create_unit():
    unit = services.create_unit(load(UnitIn()), current_actor())
    db.session.commit()
    return UnitOut().dump(unit), 201


@bp.get("/units")
@public
def list_units():
    parent = request.args.get("parent")
    if parent is not None and not (parent.isdigit() and len(parent) == 9):
        raise invalid([ErrorItem("invalid", _("A KATO code is 9 digits."), field="parent")])
    return UnitOut(many=True).dump(services.list_units(parent))


@bp.post("/parties")
@roles("cec_admin")
def create_party():
    party = services.create_party(load(PartyIn()), current_actor())
    db.session.commit()
    return PartyOut().dump(party), 201


@bp.get("/parties")
@public
def list_parties():
    return PartyOut(many=True).dump(services.list_parties())


@bp.get("/profiles")
@public
def list_profiles():
    """Every shipped rule profile (domain.md, "Rule profiles")."""
    return ProfileOut(many=True).dump([load_profile(key) for key in profile_keys()])


@bp.post("/elections")
@roles("cec_admin")
def call_election():
    election = services.call_election(load(ElectionIn()), current_actor())
    db.session.commit()
    return ElectionOut().dump(election), 201


@bp.get("/elections")
@public
def list_elections():
    return ElectionOut(many=True).dump(services.list_elections())


@bp.get("/elections/<int:election_id>")
@public
def show_election(election_id: int):
    return ElectionOut().dump(services.get_election(election_id))


@bp.post("/elections/<int:election_id>/precincts")
@roles("cec_admin")
def add_precinct(election_id: int):
    election = services.get_election(election_id)
    precinct = services.add_precinct(election, load(PrecinctIn()), current_actor())
    db.session.commit()
    return PrecinctOut().dump(precinct), 201


@bp.get("/elections/<int:election_id>/precincts")
@public
def list_precincts(election_id: int):
    return PrecinctOut(many=True).dump(services.get_election(election_id).precincts)
