"""JSON API: units, parties, elections and precincts (cec_admin writes; anyone reads)."""

from __future__ import annotations

from flask import Blueprint

from elections.auth.access import ensure_organiser
from elections.core.errors import not_found
from elections.core.extensions import db
from elections.rules import load_profile, profile_keys
from elections.territory import hours, lists, services, zones
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
    UnitZoneIn,
    VotingHoursIn,
)
from elections.web.access import current_actor, public, roles
from elections.web.http import load
from elections.web.page_cache import cached_by, holds_until

bp = Blueprint("territory_api", __name__, url_prefix="/api/v1")


@bp.post("/units")
@roles("cec_admin")
def create_unit():
    unit = services.create_unit(load(UnitIn()), current_actor())
    db.session.commit()
    return UnitOut().dump(unit), 201


@bp.patch("/units/<kato>")
@roles("cec_admin")
def set_unit_timezone(kato: str):
    """A region names its time zone (or gives it up); its elections follow (zones.py)."""
    unit = services.unit_by_kato(kato) if kato.isdigit() and len(kato) == 9 else None
    if unit is None:
        raise not_found()
    zones.set_unit_timezone(unit, load(UnitZoneIn())["timezone"], current_actor())
    db.session.commit()
    return UnitOut().dump(unit)


@bp.get("/units")
@public
@cached_by(lists.list_state, reads=lambda: (lists.parent_query(), *lists.page_query()))
def list_units():
    parent = lists.parent_query()
    return lists.paged(lists.units_query(parent), UnitOut(many=True), parent=parent)


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
@cached_by(lists.list_state, reads=lists.page_query, follows_clock=True)
def list_elections():
    """Each election's status follows the clock: the page holds until the first one changes."""

    def seen(elections):
        holds_until(lists.until_a_status_changes(elections))

    return lists.paged(lists.elections_query(), ElectionOut(many=True), seen=seen)


@bp.get("/elections/<int:election_id>")
@public
def show_election(election_id: int):
    return ElectionOut().dump(services.get_election(election_id))


@bp.post("/elections/<int:election_id>/voting-hours")
@roles("territorial_chair", "territorial_member")
def change_voting_hours(election_id: int):
    """The organising commission changes the hours of voting before voting begins (art. 43)."""
    election = services.get_election(election_id)
    ensure_organiser(current_actor(), election)
    data = load(VotingHoursIn())
    hours.change_voting_hours(
        election,
        hours.parse_hhmm(data["starts"]),
        hours.parse_hhmm(data["ends"]),
        data["reason"],
        current_actor(),
    )
    db.session.commit()
    return ElectionOut().dump(election)


@bp.post("/elections/<int:election_id>/precincts")
@roles("cec_admin")
def add_precinct(election_id: int):
    election = services.get_election(election_id)
    precinct = services.add_precinct(election, load(PrecinctIn()), current_actor())
    db.session.commit()
    return PrecinctOut().dump(precinct), 201


@bp.get("/elections/<int:election_id>/precincts")
@public
@cached_by(lambda **_kwargs: lists.list_state(), reads=lists.page_query)
def list_precincts(election_id: int):
    if not lists.election_exists(election_id):
        raise not_found()
    return lists.paged(lists.precincts_query(election_id), PrecinctOut(many=True))
