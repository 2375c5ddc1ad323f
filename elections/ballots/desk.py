"""The territorial commission's home page: what awaits it in each election it organises.

It reads candidates and protocols alike, so it lives above both; its route stays on the
commission's blueprint (``commission.index``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import render_template
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from elections.ballots.services import count_not_started, current_versions
from elections.candidates import calendar_decisions
from elections.candidates.models import Candidate
from elections.candidates.services import submitted_candidates
from elections.candidates.views import COMMISSION
from elections.candidates.views import bp as commission
from elections.core.clock import now
from elections.core.extensions import db
from elections.territory.models import Election, Precinct
from elections.web.access import current_actor, roles


@dataclass(frozen=True)
class ElectionDesk:
    election: Election
    status: str  # the calendar phase, or the settled state
    awaiting: list[Candidate]  # applications taken in, no decision yet
    missing: list[Precinct]  # precincts without a protocol, once the count has started
    reported: int
    total: int
    count_opens: datetime | None  # when the count starts, while it is still to come
    # Calendar decisions that apply now (elections/candidates/calendar_decisions.py).
    extension_applies: bool = False
    extension_days_left: int = 0
    postponement_applies: bool = False

    @property
    def counting(self) -> bool:
        return self.count_opens is None and self.election.state == "open"

    @property
    def awaits_certification(self) -> bool:
        """The count is under way and no result is certified: the chair's to finish."""
        return self.counting and self.total > 0


def election_desks(elections: list[Election]) -> list[ElectionDesk]:
    """The desk of each election, in as many queries for twenty elections as for one."""
    current = current_versions([election.id for election in elections])
    awaiting = submitted_candidates([election.id for election in elections])
    counts = calendar_decisions.candidate_counts([election.id for election in elections])
    moment = now()
    desks = []
    for election in elections:
        opens = count_not_started(election)
        missing = [precinct for precinct in election.precincts if precinct.id not in current]
        tally = counts.get(election.id, calendar_decisions.Counts())
        desks.append(
            ElectionDesk(
                election=election,
                status=election.status_at(now()),
                awaiting=awaiting.get(election.id, []),
                missing=missing if opens is None and election.state == "open" else [],
                reported=len(election.precincts) - len(missing),
                total=len(election.precincts),
                count_opens=opens,
                extension_applies=calendar_decisions.extension_applies(election, tally, moment),
                extension_days_left=calendar_decisions.extension_days_left(election),
                postponement_applies=calendar_decisions.postponement_applies(
                    election, tally, moment
                ),
            )
        )
    return desks


@commission.get("/")
@roles(*COMMISSION)
def index():
    """The commission's home: what awaits it in each election it organises, then every
    page of each election."""
    actor = current_actor()
    elections = db.session.execute(
        select(Election)
        .where(Election.organiser_id == actor.commission_unit_id)
        .options(joinedload(Election.unit), selectinload(Election.precincts))
        .order_by(Election.election_day)
    ).scalars()
    desks = election_desks(list(elections))
    return render_template(
        "candidates/commission.html",
        commission=actor.commission,
        desks=desks,
        is_chair=actor.role == "territorial_chair",
    )
