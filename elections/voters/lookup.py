"""Where do I vote: the precincts whose lists hold an IIN, for every election not over.

One answer for every miss (an IIN on no list, an election settled or past): the lookup
tells nobody whether a number is someone's, only where its owner votes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from functools import cache
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import bindparam, select

from elections.core.clock import now
from elections.core.errors import ServiceError
from elections.core.reads import read_rows
from elections.territory.hours import DEFAULT_ENDS, DEFAULT_STARTS
from elections.territory.models import Election, Precinct, Unit
from elections.voters.models import Voter
from elections.voters.pii import iin_hash


@dataclass(frozen=True)
class Place:
    """Where a voter votes in one election: plain values read in one query (no election
    object, whose profile snapshot alone would cost a lookup more than the rest)."""

    election_id: int
    unit: dict[str, str]
    election_day: date
    starts: time
    ends: time
    number: int
    address: str


def not_found() -> ServiceError:
    return ServiceError.one(
        404,
        "not_found",
        _(
            "This IIN is on no voter list of an election being held. Check the number; if it "
            "is right, ask your akimat or the territorial election commission."
        ),
    )


@cache
def _lookup_statement():
    """Built once: building the statement cost more than running it (its joins and
    comparisons are made anew each time), and every voter of the country may ask."""
    return (
        select(
            Election.id,
            Election.election_day,
            Election.timezone,
            Election.voting_starts,
            Election.voting_ends,
            Unit.name_kk,
            Unit.name_ru,
            Precinct.number,
            Precinct.address,
        )
        .join(Precinct, Precinct.election_id == Election.id)
        .join(Voter, Voter.precinct_id == Precinct.id)
        .join(Unit, Unit.id == Election.unit_id)
        .where(Voter.iin_hash == bindparam("iin_hash"), Election.state == "open")
        .order_by(Election.election_day, Election.id)
    )


def where_to_vote(iin: str) -> list[Place]:
    """Every election not over whose lists hold the IIN, soonest first; 404 when none.

    A read, though it is asked by POST (the IIN stays out of addresses): one statement in
    one round trip, never the write lock a POST takes on SQLite (core/reads.py), so lookups
    neither queue behind protocol saves nor hold them up. Plain rows, not ORM objects: the
    ORM's execution would cost as much again."""
    found = read_rows(_lookup_statement(), {"iin_hash": iin_hash(iin)})
    places = [
        Place(
            election_id=row.id,
            unit={"kk": row.name_kk, "ru": row.name_ru},
            election_day=row.election_day,
            starts=row.voting_starts or DEFAULT_STARTS,
            ends=row.voting_ends or DEFAULT_ENDS,
            number=row.number,
            address=row.address,
        )
        for row in found
        if not _over(row.election_day, row.timezone)
    ]
    if not places:
        raise not_found()
    return places


def _over(election_day: date, zone: str | None) -> bool:
    """Past its election day, in the election's own zone."""
    tz = ZoneInfo(zone or current_app.config["ELECTIONS_TIMEZONE"])
    return now().astimezone(tz).date() > election_day


def place_view(place: Place) -> dict:
    return {
        "election_id": place.election_id,
        "unit": place.unit,
        "precinct_number": place.number,
        "address": place.address,
        "election_day": place.election_day,
        "voting_hours": {"starts": f"{place.starts:%H:%M}", "ends": f"{place.ends:%H:%M}"},
    }
