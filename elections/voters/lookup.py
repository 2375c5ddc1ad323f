"""Where do I vote: the precincts whose lists hold an IIN, for every election not over.

One answer for every miss (an IIN on no list, an election settled or past): the lookup
tells nobody whether a number is someone's, only where its owner votes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from flask_babel import gettext as _
from sqlalchemy import select

from elections.core.clock import now
from elections.core.errors import ServiceError
from elections.core.extensions import db
from elections.territory.hours import voting_hours
from elections.territory.models import Election, Precinct
from elections.voters.models import Voter
from elections.voters.pii import iin_hash


@dataclass(frozen=True)
class Place:
    election: Election
    precinct: Precinct

    @property
    def hours(self) -> tuple[time, time]:
        return voting_hours(self.election)


def not_found() -> ServiceError:
    return ServiceError.one(
        404,
        "not_found",
        _(
            "This IIN is on no voter list of an election being held. Check the number; if it "
            "is right, ask your akimat or the territorial election commission."
        ),
    )


def where_to_vote(iin: str) -> list[Place]:
    """Every election not over whose lists hold the IIN, soonest first; 404 when none."""
    found = db.session.execute(
        select(Election, Precinct)
        .join(Precinct, Precinct.election_id == Election.id)
        .join(Voter, Voter.precinct_id == Precinct.id)
        .where(Voter.iin_hash == iin_hash(iin), Election.state == "open")
        .order_by(Election.election_day, Election.id)
    ).all()
    places = [Place(e, p) for e, p in found if not _over(e)]
    if not places:
        raise not_found()
    return places


def _over(election: Election) -> bool:
    """Past its election day, in the election's own zone."""
    return now().astimezone(election.tz).date() > election.election_day


def place_view(place: Place) -> dict:
    starts, ends = place.hours
    election = place.election
    return {
        "election_id": election.id,
        "unit": election.unit.name,
        "precinct_number": place.precinct.number,
        "address": place.precinct.address,
        "election_day": election.election_day,
        "voting_hours": {"starts": starts.strftime("%H:%M"), "ends": ends.strftime("%H:%M")},
    }
