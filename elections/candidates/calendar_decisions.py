"""The commission's calendar decisions: extending nomination and postponing election day.

Both are decisions of the organising commission (domain.md, "Candidates"), each one
``ElectionDecision`` row and one audit event in the caller's transaction
(``elections.territory.decisions.record_decision``), taken on the election row locked
with SELECT ... FOR UPDATE so that two requests at once cannot both pass a cap.

- **Extending nomination** (CEC, September 2023): while nomination is open and fewer than
  two candidates are nominated, the territorial commission extends nomination by up to
  the profile's ``nomination_extension_max_days`` (3) in all. "Nominated" here means an
  application taken in that still stands: status ``submitted`` or ``registered``
  (``models.STANDING``); a withdrawn or refused nominee no longer makes a contest.
  Only ``nomination_closes`` moves; registration still closes as in the table.
- **Postponing election day** (unconfirmed: no source; the profile's
  ``registration_extension_days``, 15): once registration has closed with fewer than two
  registered candidates, and before election day, the chair may set a later election day.
  The 15 days (after the day first set, over every postponement) are a guide while no
  source confirms them: a later day is the commission's finding, recorded with
  ``beyond_limit``, never a refusal (domain.md, "Verified and unverified rules"). Only
  where the commission turned the rule on (elections/candidates/rule_decisions.py) is a day beyond
  it refused (422 ``too_late``). Every deadline counted back from
  election day moves with it, so nomination and registration may open again: that is
  what the extension is for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from elections.candidates.models import STANDING, Candidate
from elections.core.clock import now
from elections.core.errors import ErrorItem, conflict, invalid
from elections.core.extensions import db
from elections.territory.calendar import local_instant
from elections.territory.decisions import record_decision
from elections.territory.models import Election
from elections.territory.services import lock_election

DEFAULT_POSTPONEMENT_DAYS = 15


# -- counts -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    nominated: int = 0  # applications that still stand (submitted or registered)
    registered: int = 0


def candidate_counts(election_ids: list[int]) -> dict[int, Counts]:
    """Nominated and registered candidates of each election, in one query."""
    if not election_ids:
        return {}
    rows = db.session.execute(
        select(Candidate.election_id, Candidate.status, func.count())
        .where(Candidate.election_id.in_(election_ids), Candidate.status.in_(STANDING))
        .group_by(Candidate.election_id, Candidate.status)
    ).all()
    tally: dict[int, dict[str, int]] = {}
    for election_id, status, number in rows:
        tally.setdefault(election_id, {})[status] = number
    return {
        election_id: Counts(
            nominated=sum(by_status.values()), registered=by_status.get("registered", 0)
        )
        for election_id, by_status in tally.items()
    }


def counts_of(election: Election) -> Counts:
    return candidate_counts([election.id]).get(election.id, Counts())


# -- when each decision applies -------------------------------------------------------------


def extension_days_left(election: Election) -> int:
    """Days nomination may still be extended by (the profile's cap less those used)."""
    cap = election.profile.nomination_extension_max_days
    left = max(0, cap - (election.nomination_extension_days or 0))
    calendar = election.calendar()
    # Never past registration: the shipped profiles leave 5 days between the two.
    room = (calendar.registration_closes - calendar.nomination_closes).days
    return max(0, min(left, room))


def nomination_is_open(election: Election, moment: datetime | None = None) -> bool:
    moment = moment or now()
    calendar = election.calendar()
    return election.state == "open" and calendar.nomination_opens <= moment < (
        calendar.nomination_closes
    )


def extension_applies(election: Election, counts: Counts, moment: datetime | None = None) -> bool:
    return (
        nomination_is_open(election, moment)
        and counts.nominated < 2
        and extension_days_left(election) > 0
    )


def postponement_cap(election: Election) -> int:
    entry = election.profile.data.get("rules", {}).get("registration_extension_days", {})
    value = entry.get("value") if isinstance(entry, dict) else None
    return int(value) if value is not None else DEFAULT_POSTPONEMENT_DAYS


def postponement_confirmed(election: Election) -> bool:
    return election.profile.confirmed("registration_extension_days")


def first_election_day(election: Election) -> date:
    """The day the election was set for before any postponement."""
    for decision in election.decisions:
        if decision.kind == "postponed" and decision.data.get("election_day_before"):
            return date.fromisoformat(decision.data["election_day_before"])
    return election.election_day


def latest_election_day(election: Election) -> date:
    return first_election_day(election) + timedelta(days=postponement_cap(election))


def election_day_reached(election: Election, moment: datetime | None = None) -> bool:
    return (moment or now()) >= local_instant(election.election_day, time(0, 0), election.tz)


def postponement_applies(
    election: Election, counts: Counts, moment: datetime | None = None
) -> bool:
    moment = moment or now()
    return (
        election.state == "open"
        and moment >= election.calendar().registration_closes
        and not election_day_reached(election, moment)
        and counts.registered < 2
        and (
            not postponement_confirmed(election)
            or latest_election_day(election) > election.election_day
        )
    )


# -- the decisions ----------------------------------------------------------------------------


def _reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise invalid([ErrorItem("required", _("Give the commission's reason."), field="reason")])
    return text


def extend_nomination(election_id: int, days: int | None, reason: str | None, actor) -> Election:
    """Move ``nomination_closes`` later by ``days``; refusals as api.md lists them."""
    election = lock_election(election_id)
    if not nomination_is_open(election):
        raise conflict(
            "nomination_closed",
            _("Nomination is not open: it can be extended only before it closes."),
        )
    if counts_of(election).nominated >= 2:
        raise conflict(
            "enough_candidates",
            _(
                "Two or more candidates are nominated: nomination is extended only "
                "with fewer than two (CEC, September 2023)."
            ),
        )
    left = extension_days_left(election)
    if days is None or not 1 <= days <= left:
        message = (
            _("Nomination can no longer be extended: no days remain.")
            if left == 0
            else _("Give a whole number of days from 1 to %(left)d (days remaining).", left=left)
        )
        raise invalid(
            [ErrorItem("days_out_of_range", message, field="days", extra={"remaining": left})]
        )
    reason = _reason(reason)
    before = election.calendar().nomination_closes
    election.nomination_extension_days = (election.nomination_extension_days or 0) + days
    after = election.calendar().nomination_closes
    record_decision(
        election,
        "nomination_extended",
        reason,
        {
            "days": days,
            "total_days": election.nomination_extension_days,
            "nomination_closes_before": before.isoformat(),
            "nomination_closes_after": after.isoformat(),
        },
        actor,
    )
    return election


def postpone(election_id: int, new_day: date | None, reason: str | None, actor) -> Election:
    """Set a later election day with fewer than two registered candidates (the chair's)."""
    election = lock_election(election_id)
    if election.state != "open":
        raise conflict(
            "election_not_open", _("This election is no longer open: its day cannot move.")
        )
    if election_day_reached(election):
        raise conflict(
            "election_day_reached",
            _("Election day has come: the election can no longer be postponed."),
        )
    if now() < election.calendar().registration_closes:
        raise conflict(
            "registration_open",
            _("Registration has not closed yet: the election is postponed only after it closes."),
        )
    if counts_of(election).registered >= 2:
        raise conflict(
            "enough_candidates",
            _("Two or more candidates are registered: the election is not postponed."),
        )
    latest = latest_election_day(election)
    if new_day is None or new_day <= election.election_day:
        raise invalid(
            [
                ErrorItem(
                    "not_later",
                    _("Give a day later than the current election day."),
                    field="election_day",
                )
            ]
        )
    if new_day > latest and postponement_confirmed(election):
        raise invalid(
            [
                ErrorItem(
                    "too_late",
                    _(
                        "At most %(days)d days after the day first set: the latest is %(latest)s.",
                        days=postponement_cap(election),
                        latest=latest.strftime("%d.%m.%Y"),
                    ),
                    field="election_day",
                    extra={"latest": latest.isoformat()},
                )
            ]
        )
    reason = _reason(reason)
    before = election.election_day
    first = first_election_day(election)
    election.election_day = new_day
    record_decision(
        election,
        "postponed",
        reason,
        {
            "election_day_before": before.isoformat(),
            "election_day_after": new_day.isoformat(),
            "days": (new_day - before).days,
            "total_days": (new_day - first).days,
            "rule_confirmed": postponement_confirmed(election),
            "beyond_limit": new_day > latest,
        },
        actor,
    )
    return election
