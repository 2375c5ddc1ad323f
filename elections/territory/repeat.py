"""The repeat election after a tie or an election declared invalid (art. 113-9).

A tie for first place (``repeat_required``, set by certification) or an election the
commission declared invalid (``invalid``) leads to a repeat election on the same precincts
and voter lists (domain.md, "Result"). The repeat is a new election of the same unit, kind
and organising commission, with ``repeat_of_id`` naming the original; nomination opens
afresh. One repeat per election: the original row is locked (SELECT ... FOR UPDATE on
PostgreSQL; SQLite's writers queue on BEGIN IMMEDIATE) before the check, so two calls at
the same moment make one repeat.

Choices:

- The rule profile is the original's (its key), freshly loaded: the law under which the
  election was called governs its repeat, and a corrected version of that profile applies.
  A repeat called in a later year would otherwise change the calendar of the same contest.
- The lead time for calling (40 or 50 days) is not applied: the repeat is held "within one
  month" (art. 113-9; the period is unconfirmed and stays in the profile), which a 40-day
  lead time would make impossible. Election day must still come after the call, and no
  deadline of the new calendar may pass before nomination opens (``deadline_before_call``).
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from elections.core import audit
from elections.core.audit import Action
from elections.core.errors import ErrorItem, conflict, invalid
from elections.core.extensions import db
from elections.rules import UnknownProfile, load_profile
from elections.territory.calendar import compute_calendar, deadlines_before_opening
from elections.territory.decisions import record_decision
from elections.territory.models import Election, Precinct
from elections.territory.services import date_errors, lock_election
from elections.web.templating import local_date

REPEATABLE_STATES = ("repeat_required", "invalid")
LEGAL_BASIS = "art. 113-9"


def repeat_of(election: Election) -> Election | None:
    """The repeat election called for ``election``, if any."""
    return db.session.execute(
        select(Election).where(Election.repeat_of_id == election.id).limit(1)
    ).scalar_one_or_none()


def call_repeat(original: Election, data: dict, actor) -> Election:
    """Call the repeat of ``original`` (``data``: called_on, election_day; optional reason)."""
    called_on, election_day = data["called_on"], data["election_day"]
    original = lock_election(original.id)
    if original.state not in REPEATABLE_STATES:
        raise conflict(
            "not_repeatable",
            _(
                "A repeat election is called only after a tie for first place or after the "
                "election was declared invalid."
            ),
            legal_basis=LEGAL_BASIS,
        )
    existing = repeat_of(original)
    if existing is not None:
        raise conflict(
            "not_repeatable",
            _("The repeat of this election is already called: election №%(id)d.", id=existing.id),
            legal_basis=LEGAL_BASIS,
            extra={"repeat_id": existing.id},
        )
    errors = date_errors(called_on, election_day)
    if called_on < original.election_day:
        errors.append(
            ErrorItem(
                "called_before_election",
                _(
                    "A repeat election is called after the election it repeats: give a date "
                    "from %(date)s on.",
                    date=local_date(original.election_day),
                ),
                field="called_on",
            )
        )
    try:
        profile = load_profile(original.profile_key)
    except UnknownProfile:  # a profile withdrawn since: the original's own snapshot holds
        profile = original.profile
    if not errors:
        calendar = compute_calendar(called_on, election_day, profile, original.tz)
        if deadlines_before_opening(calendar):
            errors.append(
                ErrorItem(
                    "deadline_before_call",
                    _(
                        "A deadline of the repeat election would pass before nomination opens: "
                        "choose a later election day."
                    ),
                    field="election_day",
                )
            )
    if errors:
        raise invalid(errors)
    repeat = Election(
        unit_id=original.unit_id,
        organiser_id=original.organiser_id,
        kind=original.kind,
        called_on=called_on,
        election_day=election_day,
        profile_key=profile.key,
        profile_snapshot=profile.data,
        state="open",
        timezone=original.timezone,
        repeat_of_id=original.id,
    )
    db.session.add(repeat)
    db.session.flush()
    for precinct in original.precincts:
        db.session.add(
            Precinct(
                election_id=repeat.id,
                number=precinct.number,
                unit_id=precinct.unit_id,
                voters_on_list=precinct.voters_on_list,
                address=precinct.address,
            )
        )
    db.session.flush()
    audit.record(
        Action.ELECTION_CALLED,
        "election",
        repeat.id,
        {
            "unit_id": original.unit_id,
            "kind": original.kind,
            "called_on": called_on,
            "election_day": election_day,
            "profile": profile.key,
            "profile_version": profile.version,
            "repeat_of": original.id,
            "precincts": len(original.precincts),
        },
        actor,
    )
    reason = (data.get("reason") or "").strip() or _default_reason(election_day)
    record_decision(
        original,
        "repeat_called",
        reason,
        {"repeat_id": repeat.id, "election_day": election_day.isoformat()},
        actor,
    )
    return repeat


def _default_reason(election_day: date) -> str:
    """The reason kept when the call gives none: the article and the new day, in both
    languages (a decision's reason is stored once and read in either)."""
    day = election_day.strftime("%d.%m.%Y")
    return f"113-9-бап / ст. 113-9: {day}"
