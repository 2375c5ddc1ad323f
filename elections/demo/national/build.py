"""The whole round in memory: each part of the builder in turn, on one random stream."""

from __future__ import annotations

from elections.demo.national.people import People
from elections.demo.national.plan import CALLED_ON, ELECTION_DAY, Plan, Shape, canonical_digest
from elections.demo.national.protocols import Protocols
from elections.demo.national.territory import Territory
from elections.rules import default_profile_key, load_profile


class _Builder(Territory, People, Protocols):
    """Territory, people and protocols share the builder's random stream, so the order of the
    calls in ``build_plan`` is part of what a seed gives."""


def build_plan(seed: int, *, with_protocols: bool = False, shape: Shape | None = None) -> Plan:
    """Generate every row of the national round in memory (deterministic for a seed)."""
    builder = _Builder(seed, shape or Shape.national())
    organisers = builder.territory()
    elected = builder.elected_units(organisers)
    profile = load_profile(default_profile_key("rural", CALLED_ON))
    builder.elections(elected, profile)
    builder.precincts(elected)
    parties = builder.parties()
    users = builder.users([u for u in organisers if any(e.organiser is u for e in elected)])
    builder.candidates(elected, parties, users)
    if with_protocols:
        builder.protocols(elected, users)
    rows = builder.plan.rows
    kinds: dict[str, int] = {}
    for item in elected:
        kinds[item.kind] = kinds.get(item.kind, 0) + 1
    builder.plan.summary.update(
        {
            "seed": seed,
            "regions": sum(1 for u in rows["units"] if u["parent_id"] is None),
            "organisers": len(rows["users"]),
            "units": len(rows["units"]),
            "elections": len(rows["elections"]),
            "elections_by_unit_kind": kinds,
            "precincts": len(rows["precincts"]),
            "voters": sum(p["voters_on_list"] for p in rows["precincts"]),
            "candidates": len(rows["candidates"]),
            "self_nominated": sum(1 for c in rows["candidates"] if c["party_id"] is None),
            "protocols": len(rows.get("protocols", [])),
            "election_day": ELECTION_DAY.isoformat(),
            "profile": profile.key,
        }
    )
    builder.plan.summary["fingerprint"] = canonical_digest(builder.plan)
    return builder.plan
