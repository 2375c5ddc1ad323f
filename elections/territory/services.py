"""Setting up territories, parties, elections and precincts. Each call records its audit event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from elections.core import audit
from elections.core.audit import Action
from elections.core.db import INTEGER_MAX
from elections.core.errors import ErrorItem, conflict, invalid, not_found
from elections.core.extensions import db
from elections.rules import UnknownProfile, default_profile_key, load_profile
from elections.territory.calendar import compute_calendar, deadlines_before_opening, lead_time_short
from elections.territory.models import (
    DISTRICT_ELECTED_KINDS,
    ORGANISER_KINDS,
    RURAL_ELECTED_KINDS,
    Election,
    Party,
    Precinct,
    Unit,
)
from elections.territory.zones import zone_errors
from elections.web.templating import local_date

TOP_LEVEL_KINDS = ("region", "city_republican")
# Election dates the service accepts: the calendar reaches weeks either side of them, and a
# typo such as year 0001 or 9999 must be refused, not stored (it broke every election list).
EARLIEST_DAY, LATEST_DAY = date(2000, 1, 1), date(2099, 12, 31)


def unit_by_kato(kato: str) -> Unit | None:
    return db.session.execute(select(Unit).where(Unit.kato == kato)).scalar_one_or_none()


def get_election(election_id: int) -> Election:
    election = db.session.get(Election, election_id) if 0 < election_id <= INTEGER_MAX else None
    if election is None:
        raise not_found()
    return election


def lock_election(election_id: int) -> Election:
    """The election row, locked until the transaction ends and read afresh (404 if none).

    Every decision about an election (certification, a correction, invalidity, an extension,
    a re-binding...) takes this lock on PostgreSQL, and protocol saves take a shared one, so
    of two requests that check the election's state, the second sees what the first wrote.
    SQLite serialises its writers already (``BEGIN IMMEDIATE``) and renders no lock clause.
    """
    election = None
    if 0 < election_id <= INTEGER_MAX:
        election = db.session.execute(
            select(Election).where(Election.id == election_id).with_for_update(),
            execution_options={"populate_existing": True},
        ).scalar_one_or_none()
    if election is None:
        raise not_found()
    return election


def get_precinct(election: Election, precinct_id: int) -> Precinct:
    precinct = db.session.get(Precinct, precinct_id) if 0 < precinct_id <= INTEGER_MAX else None
    if precinct is None or precinct.election_id != election.id:
        raise not_found()
    # Hold on to the election already loaded: the session keeps objects by weak reference, so
    # precinct.election would otherwise load it a second time once the caller drops it.
    set_committed_value(precinct, "election", election)
    return precinct


def get_precinct_in(election_id: int, precinct_id: int) -> Precinct:
    """The precinct with its election, in one query; 404 unless it lies in that election."""
    precinct = None
    if 0 < precinct_id <= INTEGER_MAX and 0 < election_id <= INTEGER_MAX:
        precinct = db.session.get(Precinct, precinct_id, options=[joinedload(Precinct.election)])
    if precinct is None or precinct.election_id != election_id:
        raise not_found()
    return precinct


def list_units(parent_kato: str | None) -> list[Unit]:
    query = select(Unit).order_by(Unit.kato)
    if parent_kato:
        parent = unit_by_kato(parent_kato)
        if parent is None:
            return []
        query = query.where(Unit.parent_id == parent.id)
    return list(db.session.execute(query).scalars())


def create_unit(data: dict, actor) -> Unit:
    errors = []
    if unit_by_kato(data["kato"]):
        errors.append(ErrorItem("duplicate", _("A unit with this KATO code exists."), field="kato"))
    parent = None
    if data["parent_kato"]:
        parent = unit_by_kato(data["parent_kato"])
        if parent is None:
            errors.append(
                ErrorItem("not_found", _("No unit has this KATO code."), field="parent_kato")
            )
    if data["kind"] in TOP_LEVEL_KINDS and data["parent_kato"]:
        errors.append(ErrorItem("invalid", _("A region has no parent unit."), field="parent_kato"))
    if data["kind"] not in TOP_LEVEL_KINDS and not data["parent_kato"]:
        errors.append(ErrorItem("required", _("Name the parent unit."), field="parent_kato"))
    errors += zone_errors(data["kind"], data.get("timezone"))
    if errors:
        raise invalid(errors)
    unit = Unit(
        kato=data["kato"],
        parent=parent,
        kind=data["kind"],
        name_kk=data["name"]["kk"],
        name_ru=data["name"]["ru"],
        timezone=data.get("timezone"),
    )
    db.session.add(unit)
    db.session.flush()
    audit.record(Action.UNIT_CREATED, "unit", unit.id, data, actor)
    return unit


def create_party(data: dict, actor) -> Party:
    taken = db.session.execute(
        select(Party).where(Party.short_name == data["short_name"])
    ).scalar_one_or_none()
    if taken:
        raise invalid([ErrorItem("duplicate", _("This short name is taken."), field="short_name")])
    party = Party(
        short_name=data["short_name"], name_kk=data["name"]["kk"], name_ru=data["name"]["ru"]
    )
    db.session.add(party)
    db.session.flush()
    audit.record(Action.PARTY_CREATED, "party", party.id, data, actor)
    return party


def organiser_of(unit: Unit, kind: str) -> Unit | None:
    """The territorial commission that organises an election of this kind for this unit."""
    return next((u for u in unit.ancestors() if u.kind in ORGANISER_KINDS[kind]), None)


def date_errors(called_on: date, election_day: date) -> list[ErrorItem]:
    """The dates of a call (an election or its repeat): within the accepted range, and election
    day after the day of the call."""
    errors = []
    for name, day in (("called_on", called_on), ("election_day", election_day)):
        if not EARLIEST_DAY <= day <= LATEST_DAY:
            errors.append(
                ErrorItem(
                    "invalid",
                    _(
                        "Give a date from %(first)s to %(last)s.",
                        first=local_date(EARLIEST_DAY),
                        last=local_date(LATEST_DAY),
                    ),
                    field=name,
                )
            )
    if election_day <= called_on:
        errors.append(
            ErrorItem(
                "invalid",
                _("Election day must come after the day the election is called."),
                field="election_day",
            )
        )
    return errors


def call_election(data: dict, actor) -> Election:
    errors = []
    unit = unit_by_kato(data["unit_kato"])
    kind = data["kind"]
    organiser = None
    if unit is None:
        errors.append(ErrorItem("not_found", _("No unit has this KATO code."), field="unit_kato"))
    else:
        elected = RURAL_ELECTED_KINDS if kind == "rural" else DISTRICT_ELECTED_KINDS
        if unit.kind not in elected:
            errors.append(
                ErrorItem(
                    "invalid",
                    _("The akim of this unit is not elected in an election of this kind."),
                    field="kind",
                )
            )
        organiser = organiser_of(unit, kind)
        if organiser is None and unit.kind in elected:
            errors.append(
                ErrorItem(
                    "invalid",
                    _("No territorial commission above this unit can organise it."),
                    field="unit_kato",
                )
            )
    errors.extend(date_errors(data["called_on"], data["election_day"]))
    profile_key = data.get("profile") or default_profile_key(kind, data["called_on"])
    try:
        profile = load_profile(profile_key)
    except UnknownProfile:
        profile = None
        errors.append(ErrorItem("invalid", _("Unknown rule profile."), field="profile"))
    if profile is not None and profile.kind != kind:
        errors.append(
            ErrorItem(
                "invalid", _("This rule profile is for another kind of election."), field="profile"
            )
        )
    if (
        profile is not None
        and not any(getattr(e, "field", None) in ("called_on", "election_day") for e in errors)
        and lead_time_short(data["called_on"], data["election_day"], profile)
    ):
        # domain.md, "calling": at least 40 days (rural) or 50 days (district) before.
        errors.append(
            ErrorItem(
                "lead_time_too_short",
                _(
                    "Election day must be %(date)s or later: the rule profile asks for the "
                    "election to be called at least that long before it.",
                    date=local_date(data["called_on"] + timedelta(days=profile.lead_time_days)),
                ),
                field="election_day",
            )
        )
    if profile is not None and unit is not None and not errors:
        tz = ZoneInfo(unit.zone_name() or current_app.config["ELECTIONS_TIMEZONE"])
        calendar = compute_calendar(data["called_on"], data["election_day"], profile, tz)
        if deadlines_before_opening(calendar):
            errors.append(
                ErrorItem(
                    "deadline_before_call",
                    _(
                        "A deadline of this election would pass before nomination opens: "
                        "choose a later election day."
                    ),
                    field="election_day",
                )
            )
    if errors:
        raise invalid(errors)
    election = Election(
        unit=unit,
        organiser=organiser,
        kind=kind,
        called_on=data["called_on"],
        election_day=data["election_day"],
        profile_key=profile.key,
        profile_snapshot=profile.data,
        state="open",
        timezone=unit.zone_name(),
    )
    db.session.add(election)
    db.session.flush()
    audit.record(
        Action.ELECTION_CALLED,
        "election",
        election.id,
        {**data, "profile": profile.key, "profile_version": profile.version},
        actor,
    )
    return election


def add_precinct(election: Election, data: dict, actor) -> Precinct:
    if election.state != "open":
        raise conflict("results_certified", _("The result is certified: no precinct can be added."))
    errors = []
    unit = unit_by_kato(data["unit_kato"])
    if unit is None or (unit.id != election.unit_id and election.unit not in unit.ancestors()):
        errors.append(
            ErrorItem(
                "invalid",
                _("The precinct must lie in the territory of the election."),
                field="unit_kato",
            )
        )
    taken = db.session.execute(
        select(Precinct).where(
            Precinct.election_id == election.id, Precinct.number == data["number"]
        )
    ).scalar_one_or_none()
    if taken:
        errors.append(ErrorItem("duplicate", _("This precinct number is taken."), field="number"))
    if errors:
        raise invalid(errors)
    precinct = Precinct(
        election=election,
        number=data["number"],
        unit=unit,
        voters_on_list=data["voters_on_list"],
        address=data["address"],
    )
    db.session.add(precinct)
    db.session.flush()
    audit.record(
        Action.PRECINCT_CREATED,
        "precinct",
        precinct.id,
        {**data, "election_id": election.id},
        actor,
    )
    return precinct


def _elections_query():
    return (
        select(Election)
        .options(selectinload(Election.unit), selectinload(Election.organiser))
        .order_by(Election.election_day, Election.id)
    )


def list_elections() -> list[Election]:
    return list(db.session.execute(_elections_query()).scalars())


@dataclass(frozen=True)
class Page:
    items: list
    number: int
    pages: int
    total: int


def elections_page(number: int, per_page: int = 50) -> Page:
    """One page of elections for the HTML lists: a national round has thousands."""
    total = db.session.execute(select(func.count(Election.id))).scalar_one()
    pages = max(1, -(-total // per_page))
    number = min(max(1, number), pages)
    items = db.session.execute(
        _elections_query().limit(per_page).offset((number - 1) * per_page)
    ).scalars()
    return Page(list(items), number, pages, total)


def precinct_counts(election_ids: list[int]) -> dict[int, int]:
    counts = dict(
        db.session.execute(
            select(Precinct.election_id, func.count(Precinct.id))
            .where(Precinct.election_id.in_(election_ids))
            .group_by(Precinct.election_id)
        ).all()
    )
    return {election_id: counts.get(election_id, 0) for election_id in election_ids}


def list_parties() -> list[Party]:
    return list(db.session.execute(select(Party).order_by(Party.short_name)).scalars())
