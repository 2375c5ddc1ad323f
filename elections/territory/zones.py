"""Time zones of regions (domain.md, "Time zones").

A region (or a city of republican significance) names its IANA zone; every unit below it
inherits the zone, and so do the elections of those units. Setting or clearing a region's
zone re-resolves ``Election.timezone`` of every election whose unit lies under it, in the
caller's transaction, with one audit event naming the old and new zone and the elections.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from elections.core import audit
from elections.core.audit import Action
from elections.core.errors import ErrorItem, invalid
from elections.core.extensions import db
from elections.territory.models import KAZAKHSTAN_ZONES, Election, Unit

# Only the top of the tree names a zone; the units below inherit it.
ZONE_KINDS = ("region", "city_republican")


def zone_errors(kind: str, zone: str | None) -> list[ErrorItem]:
    """Why a unit of this kind cannot name this zone (empty: it can)."""
    if zone is None:
        return []
    if kind not in ZONE_KINDS:
        return [
            ErrorItem(
                "invalid",
                _(
                    "Only a region or a city of republican significance names a time zone; "
                    "the units below it inherit it."
                ),
                field="timezone",
            )
        ]
    if zone not in KAZAKHSTAN_ZONES:
        return [
            ErrorItem(
                "invalid",
                _(
                    "Choose one of the time zones of Kazakhstan: %(zones)s.",
                    zones=", ".join(KAZAKHSTAN_ZONES),
                ),
                field="timezone",
            )
        ]
    return []


def _descendant_ids(unit: Unit) -> set[int]:
    """The ids of the unit and every unit below it (one query per level of the tree)."""
    found, level = {unit.id}, [unit.id]
    while level:
        level = list(db.session.execute(select(Unit.id).where(Unit.parent_id.in_(level))).scalars())
        level = [i for i in level if i not in found]
        found.update(level)
    return found


def set_unit_timezone(unit: Unit, zone: str | None, actor) -> list[Election]:
    """Set (or clear, ``None``) the zone a region names and re-resolve its elections."""
    errors = zone_errors(unit.kind, zone)
    if errors:
        raise invalid(errors)
    old = unit.timezone
    unit.timezone = zone
    db.session.flush()
    ids = _descendant_ids(unit)
    elections = list(
        db.session.execute(
            select(Election).where(Election.unit_id.in_(ids)).order_by(Election.id)
        ).scalars()
    )
    touched = []
    for election in elections:
        resolved = election.unit.zone_name()
        if election.timezone != resolved:
            election.timezone = resolved
            touched.append(election)
    db.session.flush()
    audit.record(
        Action.UNIT_TIMEZONE_SET,
        "unit",
        unit.id,
        {
            "kato": unit.kato,
            "old": old,
            "new": zone,
            "elections": [e.id for e in touched],
        },
        actor,
    )
    return touched
