"""JSON API: units, parties, elections and precincts (cec_admin writes; anyone reads)."""

from __future__ import annotations

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
from elections.web.api import PAGED, SETUP, ApiBlueprint, errors
from elections.web.page_cache import cached_by, holds_until

bp = ApiBlueprint("territory_api", __name__, tag=SETUP)


@bp.post("/units")
@roles("cec_admin")
@errors(409)  # a unique key taken in a race
@bp.arguments(UnitIn)
@bp.response(201, UnitOut)
def create_unit(data):
    """Create an administrative unit"""
    unit = services.create_unit(data, current_actor())
    db.session.commit()
    return unit


@bp.patch("/units/<kato>")
@roles("cec_admin")
@errors(409)
@bp.body(UnitZoneIn)
@bp.response(200, UnitOut)
def set_unit_timezone(read, kato: str):
    """Name the time zone of a region

    A region or a city of republican significance names one of the IANA zones of Kazakhstan
    (Asia/Almaty, Asia/Qostanay, Asia/Qyzylorda, Asia/Aqtobe, Asia/Aqtau, Asia/Atyrau,
    Asia/Oral); null gives it back the deployment's. The units below inherit it (zone), and
    every election of a unit under it is re-resolved in the same transaction, audited with the
    old and new zone and the elections touched. The zones carry the history, so a past
    election keeps the instants it really had.
    """
    unit = services.unit_by_kato(kato) if kato.isdigit() and len(kato) == 9 else None
    if unit is None:
        raise not_found()
    zones.set_unit_timezone(unit, read()["timezone"], current_actor())
    db.session.commit()
    return unit


@bp.get("/units")
@public
@bp.doc(description=PAGED)
@cached_by(lists.list_state, reads=lambda: (lists.parent_query(), *lists.page_query()))
@bp.arguments(lists.UnitsQuery, location="query")
@bp.response(200, UnitOut(many=True))
def list_units(page):
    """List units"""
    parent = lists.parent_query()
    return lists.paged(lists.units_query(parent), page, parent=parent)


@bp.post("/parties")
@roles("cec_admin")
@errors(409)
@bp.arguments(PartyIn)
@bp.response(201, PartyOut)
def create_party(data):
    """Register a party"""
    party = services.create_party(data, current_actor())
    db.session.commit()
    return party


@bp.get("/parties")
@public
@bp.response(200, PartyOut(many=True))
def list_parties():
    """List parties"""
    return services.list_parties()


@bp.get("/profiles")
@public
@bp.response(200, ProfileOut(many=True))
def list_profiles():
    """List the rule profiles

    Every shipped profile (rural-2021, rural-2023, district-2023), each rule as {value, basis,
    confirmed}: basis names its source in kk, ru and en; confirmed is false where no source
    confirms the rule, and such a rule refuses no one.
    """
    return [load_profile(key) for key in profile_keys()]


@bp.post("/elections")
@roles("cec_admin")
@errors(409)
@bp.arguments(ElectionIn)
@bp.response(201, ElectionOut)
def call_election(data):
    """Call an election

    The calendar follows from the election day and the rule profile.
    """
    election = services.call_election(data, current_actor())
    db.session.commit()
    return election


@bp.get("/elections")
@public
@bp.doc(description=PAGED)
@cached_by(lists.list_state, reads=lists.page_query, follows_clock=True)
@bp.arguments(lists.PageQuery, location="query")
@bp.response(200, ElectionOut(many=True))
def list_elections(page):
    """List elections"""

    def seen(elections):
        # Each status follows the clock: the page holds until the first one changes.
        holds_until(lists.until_a_status_changes(elections))

    return lists.paged(lists.elections_query(), page, seen=seen)


@bp.get("/elections/<int:election_id>")
@public
@bp.response(200, ElectionOut)
def show_election(election_id: int):
    """Show an election"""
    return services.get_election(election_id)


@bp.post("/elections/<int:election_id>/voting-hours")
@roles("territorial_chair", "territorial_member")
@errors(409)
@bp.body(VotingHoursIn)
@bp.response(200, ElectionOut)
def change_voting_hours(read, election_id: int):
    """Change the voting hours of an election

    The organising commission (art. 43), before voting begins on election day while the
    election is open; starts before ends, both HH:MM local time, and the reason. Recorded as
    the decision voting_hours_changed with {old, new}. The count, and with it protocol entry,
    opens at the new end of voting. 409 codes: voting_started, election_settled.
    """
    election = services.get_election(election_id)
    ensure_organiser(current_actor(), election)
    data = read()
    hours.change_voting_hours(
        election,
        hours.parse_hhmm(data["starts"]),
        hours.parse_hhmm(data["ends"]),
        data["reason"],
        current_actor(),
    )
    db.session.commit()
    return election


@bp.post("/elections/<int:election_id>/precincts")
@roles("cec_admin")
@errors(409)
@bp.body(PrecinctIn)
@bp.response(201, PrecinctOut)
def add_precinct(read, election_id: int):
    """Add a precinct to an election"""
    election = services.get_election(election_id)
    precinct = services.add_precinct(election, read(), current_actor())
    db.session.commit()
    return precinct


@bp.get("/elections/<int:election_id>/precincts")
@public
@bp.doc(description=PAGED)
@cached_by(lambda **_kwargs: lists.list_state(), reads=lists.page_query)
@bp.arguments(lists.PageQuery, location="query")
@bp.response(200, PrecinctOut(many=True))
def list_precincts(page, election_id: int):
    """List the precincts of an election"""
    if not lists.election_exists(election_id):
        raise not_found()
    return lists.paged(lists.precincts_query(election_id), page)
