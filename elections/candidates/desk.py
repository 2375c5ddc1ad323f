"""What awaits a territorial commission in one election: the content of its home page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from elections.ballots.services import count_not_started, current_versions
from elections.candidates import calendar_decisions
from elections.candidates.models import Candidate
from elections.candidates.services import submitted_candidates
from elections.clock import now
from elections.territory.models import Election, Precinct


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
