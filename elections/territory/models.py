"""Administrative units (KATO), parties, elections and their precincts."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from elections.core import audit
from elections.core.db import UTCDateTime, utcnow
from elections.core.extensions import db
from elections.rules import Profile, profile_from_dict
from elections.territory.calendar import Calendar, compute_calendar, next_phase_change, phase

UNIT_KINDS = (
    "region",
    "city_republican",
    "district",
    "city_regional",
    "city_district",
    "rural_district",
    "village",
    "settlement",
)
# Units whose akim is elected in a `rural` election, and the places that count as settlements.
RURAL_ELECTED_KINDS = ("rural_district", "village", "settlement", "city_district")
SETTLEMENT_KINDS = ("village", "settlement", "city_district")
DISTRICT_ELECTED_KINDS = ("district", "city_regional")
# Territorial commissions that organise: rural -> district level, district -> region level.
ORGANISER_KINDS = {"rural": ("district", "city_regional"), "district": ("region",)}
# The IANA zones of Kazakhstan's regions (domain.md, "Time zones"): they carry the two-zone
# history before 1 March 2024, so past elections get the instants they really had.
KAZAKHSTAN_ZONES = (
    "Asia/Almaty",
    "Asia/Qostanay",
    "Asia/Qyzylorda",
    "Asia/Aqtobe",
    "Asia/Aqtau",
    "Asia/Atyrau",
    "Asia/Oral",
)


class Unit(db.Model):
    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    kato: Mapped[str] = mapped_column(String(9), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    name_kk: Mapped[str] = mapped_column(String(200))
    name_ru: Mapped[str] = mapped_column(String(200))
    # Named by a region; the units below inherit it (``zone_name``).
    timezone: Mapped[str | None] = mapped_column(String(40))

    parent: Mapped[Unit | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Unit]] = relationship(back_populates="parent", order_by="Unit.kato")

    @property
    def name(self) -> dict[str, str]:
        return {"kk": self.name_kk, "ru": self.name_ru}

    def ancestors(self) -> list[Unit]:
        chain, unit = [], self.parent
        while unit is not None:
            chain.append(unit)
            unit = unit.parent
        return chain

    def zone_name(self) -> str | None:
        """The zone this unit or the nearest unit above it names; None: the deployment's."""
        return next((u.timezone for u in (self, *self.ancestors()) if u.timezone), None)


class Party(db.Model):
    __tablename__ = "parties"

    id: Mapped[int] = mapped_column(primary_key=True)
    short_name: Mapped[str] = mapped_column(String(40), unique=True)
    name_kk: Mapped[str] = mapped_column(String(300))
    name_ru: Mapped[str] = mapped_column(String(300))

    @property
    def name(self) -> dict[str, str]:
        return {"kk": self.name_kk, "ru": self.name_ru}


class Election(db.Model):
    __tablename__ = "elections"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    organiser_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    called_on: Mapped[date] = mapped_column(Date)
    election_day: Mapped[date] = mapped_column(Date, index=True)
    profile_key: Mapped[str] = mapped_column(String(40))
    # The profile as it stood when the election was called: later edits never reach it.
    profile_snapshot: Mapped[dict] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(20), default="open")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The zone the unit resolves to (a region's, inherited); None: ELECTIONS_TIMEZONE.
    timezone: Mapped[str | None] = mapped_column(String(40))
    # Voting hours the commission changed (art. 43); None: 07:00-20:00.
    voting_starts: Mapped[time | None] = mapped_column(Time)
    voting_ends: Mapped[time | None] = mapped_column(Time)
    # Days nomination was extended in all (at most the profile's limit).
    nomination_extension_days: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    repeat_of_id: Mapped[int | None] = mapped_column(ForeignKey("elections.id"), index=True)

    unit: Mapped[Unit] = relationship(foreign_keys=[unit_id])
    organiser: Mapped[Unit] = relationship(foreign_keys=[organiser_id])
    precincts: Mapped[list[Precinct]] = relationship(
        back_populates="election", order_by="Precinct.number"
    )
    repeat_of: Mapped[Election | None] = relationship(remote_side=[id], foreign_keys=[repeat_of_id])
    decisions: Mapped[list[ElectionDecision]] = relationship(
        back_populates="election", order_by="ElectionDecision.id"
    )

    @property
    def profile(self) -> Profile:
        # A list of a hundred elections asked for each profile twice (calendar and status):
        # parsed once per snapshot, which is replaced, never changed in place, by a decision.
        snapshot = self.profile_snapshot
        memo = self.__dict__.get("_profile_memo")
        if memo is None or memo[0] is not snapshot:
            memo = self.__dict__["_profile_memo"] = (snapshot, profile_from_dict(snapshot))
        return memo[1]

    @property
    def audit_chain(self) -> str:
        """The audit chain of its organising commission: its election night's events."""
        return audit.commission_chain(self.organiser_id)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone or current_app.config["ELECTIONS_TIMEZONE"])

    def calendar(self) -> Calendar:
        profile, tz, extension = self.profile, self.tz, self.nomination_extension_days or 0
        dates = (self.called_on, self.election_day, tz, extension, self.voting_ends)
        memo = self.__dict__.get("_calendar_memo")
        if memo is None or memo[0] is not profile or memo[1] != dates:
            calendar = compute_calendar(
                self.called_on,
                self.election_day,
                profile,
                tz,
                nomination_extension_days=extension,
                voting_ends=self.voting_ends,
            )
            memo = self.__dict__["_calendar_memo"] = (profile, dates, calendar)
        return memo[2]

    def status_at(self, now: datetime) -> str:
        """A settled state (certified, repeat_required, invalid) wins; else the calendar phase."""
        if self.state != "open":
            return self.state
        return phase(self.calendar(), self.election_day, now, self.tz)

    def status_changes_after(self, now: datetime) -> datetime | None:
        """When :meth:`status_at` next answers differently by the clock alone, if ever."""
        if self.state != "open":
            return None
        return next_phase_change(self.calendar(), self.election_day, now, self.tz)


class ElectionDecision(db.Model):
    """A commission's decision about an election, with its reason, as the public reads it.

    ``kind``: nomination_extended, postponed, invalidated, profile_rebound, rule_enabled,
    voting_hours_changed. ``data`` holds what changed (old and new values).
    """

    __tablename__ = "election_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("elections.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    reason: Mapped[str] = mapped_column(Text)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    election: Mapped[Election] = relationship(back_populates="decisions")


class ElectionRevision(db.Model):
    """Two counters per election, moved by database triggers in the same transaction as every
    change a public page of the election shows (migration c17a0revisions): ``revision`` by
    any of them, ``frame`` by the election, its precincts and candidates only. A page's cache
    key is one row read by its key, whatever the history stored; the row lock of the update
    makes the counter grow in commit order, which the newest id of a table would not."""

    __tablename__ = "election_revisions"

    election_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    frame: Mapped[int] = mapped_column(Integer, default=1)


class Precinct(db.Model):
    __tablename__ = "precincts"
    __table_args__ = (UniqueConstraint("election_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    election_id: Mapped[int] = mapped_column(ForeignKey("elections.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    voters_on_list: Mapped[int] = mapped_column(Integer)
    address: Mapped[str] = mapped_column(String(500))

    election: Mapped[Election] = relationship(back_populates="precincts")
    unit: Mapped[Unit] = relationship()
