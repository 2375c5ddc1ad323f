"""Changed voting hours (domain.md, "Count and protocol"; art. 43).

Voting runs 07:00-20:00 local time unless the organising commission changed the hours
before voting began; the count (and protocol entry) then opens at the new end of voting.
The change is a commission decision: one ``ElectionDecision`` and its audit event.
"""

from __future__ import annotations

from datetime import time

from flask_babel import gettext as _

from elections.core.clock import now
from elections.core.errors import ErrorItem, conflict, invalid
from elections.territory.calendar import local_instant
from elections.territory.decisions import record_decision
from elections.territory.models import Election
from elections.territory.services import lock_election
from elections.web.templating import local_datetime

DEFAULT_STARTS, DEFAULT_ENDS = time(7, 0), time(20, 0)


def voting_hours(election: Election) -> tuple[time, time]:
    return election.voting_starts or DEFAULT_STARTS, election.voting_ends or DEFAULT_ENDS


def _hhmm(value: time) -> str:
    return value.strftime("%H:%M")


def voting_begins(election: Election):
    """The instant voting begins on election day, in the election's zone."""
    return local_instant(election.election_day, voting_hours(election)[0], election.tz)


def change_voting_hours(election: Election, starts: time, ends: time, reason: str, actor):
    """Set the hours of voting; only while the election is open and voting has not begun.

    The election row is locked first, so a postponement or another change of hours at the
    same moment is seen, not overwritten. Art. 43 lets the commission change the hours; no
    source found gives their bounds, so none is enforced beyond voting ending after it starts.
    """
    election = lock_election(election.id)
    if election.state != "open":
        raise conflict(
            "election_settled", _("The election is settled: its voting hours stay as they were.")
        )
    begins = voting_begins(election)
    if now() >= begins:
        raise conflict(
            "voting_started",
            _(
                "Voting hours can be changed only before voting begins (%(moment)s).",
                moment=local_datetime(begins, election.tz),
            ),
        )
    errors = []
    if not starts < ends:
        errors.append(ErrorItem("invalid", _("Voting must end after it starts."), field="ends"))
    elif now() >= local_instant(election.election_day, starts, election.tz):
        errors.append(
            ErrorItem("invalid", _("The new start of voting has already passed."), field="starts")
        )
    if not reason.strip():
        errors.append(ErrorItem("required", _("Give the reason for the decision."), field="reason"))
    if errors:
        raise invalid(errors)
    old_starts, old_ends = voting_hours(election)
    election.voting_starts, election.voting_ends = starts, ends
    return record_decision(
        election,
        "voting_hours_changed",
        reason.strip(),
        {
            "old": {"starts": _hhmm(old_starts), "ends": _hhmm(old_ends)},
            "new": {"starts": _hhmm(starts), "ends": _hhmm(ends)},
        },
        actor,
    )


def parse_hhmm(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))
