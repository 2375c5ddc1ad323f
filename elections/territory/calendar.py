"""The election calendar: legal deadlines from election day and the rule profile.

Deadlines are local (Asia/Almaty) wall-clock times such as "18:00, 25 days before
election day"; they are returned as aware UTC instants. Standard library only.

How days are counted (domain.md): in the CEC's and the territorial commissions'
published calendars a deadline "N days before election day" falls at 18:00 local on
election day minus N+1 calendar days, so that N whole days remain. The convention is
the profile's (``Profile.deadline_day_offset``). Campaigning ends at 00:00 on the day
before election day; that day is the ``silence`` phase.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from elections.rules import Profile

# Polls close at 20:00 local time on election day and the count starts then (domain.md,
# "Count and protocol"): no precinct protocol exists before that instant.
COUNTING_STARTS = time(20, 0)


@dataclass(frozen=True)
class Calendar:
    nomination_opens: datetime
    nomination_closes: datetime
    registration_closes: datetime
    withdrawal_closes: datetime
    campaign_closes: datetime
    counting_opens: datetime
    results_due: datetime
    publication_due: datetime

    def as_dict(self) -> dict[str, datetime]:
        return asdict(self)


def local_instant(day: date, at: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def counting_opens(election_day: date, tz: ZoneInfo, voting_ends: time | None = None) -> datetime:
    """The instant protocols may first be entered: the end of voting, 20:00 local unless the
    commission changed the voting hours (art. 43)."""
    return local_instant(election_day, voting_ends or COUNTING_STARTS, tz)


def lead_time_short(called_on: date, election_day: date, profile: Profile) -> bool:
    """Whether election day is fewer days after the call than the profile's lead time."""
    return (election_day - called_on).days < profile.lead_time_days


def compute_calendar(
    called_on: date,
    election_day: date,
    profile: Profile,
    tz: ZoneInfo,
    *,
    nomination_extension_days: int = 0,
    voting_ends: time | None = None,
) -> Calendar:
    """The calendar of an election; an extension moves the nomination deadline only."""
    cutoff = profile.deadline_local_time

    def before(days: int) -> datetime:
        back = profile.deadline_day_offset(days)
        return local_instant(election_day - timedelta(days=back), cutoff, tz)

    def after(days: int) -> datetime:
        return local_instant(election_day + timedelta(days=days), cutoff, tz)

    opens_on = called_on + timedelta(days=profile.nomination_opens_days_after_call)
    return Calendar(
        nomination_opens=local_instant(opens_on, time(0, 0), tz),
        nomination_closes=before(profile.nomination_closes_days_before)
        + timedelta(days=nomination_extension_days),
        registration_closes=before(profile.registration_closes_days_before),
        withdrawal_closes=before(profile.withdrawal_closes_days_before),
        campaign_closes=local_instant(
            election_day - timedelta(days=profile.campaign_closes_days_before),
            profile.campaign_closes_local_time,
            tz,
        ),
        counting_opens=counting_opens(election_day, tz, voting_ends),
        results_due=after(profile.results_due_days_after),
        publication_due=after(profile.publication_due_days_after),
    )


def deadlines_before_opening(calendar: Calendar) -> list[str]:
    """The deadlines that would pass before nomination even opens (the day after the call):
    an election called too late for its own calendar."""
    deadlines = ("nomination_closes", "registration_closes", "withdrawal_closes")
    return [name for name in deadlines if getattr(calendar, name) <= calendar.nomination_opens]


def _phase_starts(calendar: Calendar, election_day: date, tz: ZoneInfo) -> tuple[datetime, ...]:
    return (
        calendar.nomination_opens,
        calendar.nomination_closes,
        calendar.registration_closes,
        calendar.campaign_closes,
        local_instant(election_day, time(0, 0), tz),
        calendar.counting_opens,
    )


def next_phase_change(
    calendar: Calendar, election_day: date, now: datetime, tz: ZoneInfo
) -> datetime | None:
    """The first instant after ``now`` at which :func:`phase` answers differently, if any:
    until then a page showing the phase holds."""
    later = [start for start in _phase_starts(calendar, election_day, tz) if start > now]
    return min(later) if later else None


def phase(calendar: Calendar, election_day: date, now: datetime, tz: ZoneInfo) -> str:
    """Where the election stands at ``now``.

    One of called, nomination, registration, campaign, silence, voting, counting.
    """
    if now < calendar.nomination_opens:
        return "called"
    if now < calendar.nomination_closes:
        return "nomination"
    if now < calendar.registration_closes:
        return "registration"
    if now < calendar.campaign_closes:
        return "campaign"
    if now < local_instant(election_day, time(0, 0), tz):
        return "silence"
    if now < calendar.counting_opens:
        return "voting"
    return "counting"
