"""The territory of the round: regions, commissions, the units that elect, their elections
and precincts."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, time

from elections.demo.names import (
    BUILDINGS,
    STREETS,
    place_name,
    russian_adjective,
    to_russian,
)
from elections.demo.national.plan import (
    CALLED_ON,
    ELECTION_DAY,
    LOCAL,
    MAX_PRECINCT_VOTERS,
    REGIONS,
    _BuilderBase,
    _Election,
)


class Territory(_BuilderBase):
    """Units from the regions down to the villages, the elections and their precincts."""

    def unit(self, kato: str, parent: dict | None, kind: str, kk: str, ru: str) -> dict:
        return self.plan.add(
            "units",
            {
                "id": self.next_id("units"),
                "kato": kato,
                "parent_id": parent["id"] if parent else None,
                "kind": kind,
                "name_kk": kk,
                "name_ru": ru,
            },
        )

    def territory(self) -> list[dict]:
        """Regions, then organising commissions; returns the organisers."""
        organisers = []
        for prefix, kind, kk, ru, districts, cities in REGIONS:
            region = self.unit(f"{prefix}0000000", None, kind, kk, ru)
            taken: set[str] = set()
            for index, (city_kk, city_ru) in enumerate(cities):
                organisers.append(
                    self.unit(
                        f"{prefix}{10 + index:02d}00000",
                        region,
                        "city_regional",
                        f"{city_kk} қаласы",
                        f"город {city_ru}",
                    )
                )
                taken.add(city_kk)
            for index in range(districts):
                stem = place_name(self.rng, taken)
                organisers.append(
                    self.unit(
                        f"{prefix}{20 + 4 * index:02d}00000",
                        region,
                        "district",
                        f"{stem} ауданы",
                        f"{russian_adjective(to_russian(stem))} район",
                    )
                )
        return organisers

    def elected_units(self, organisers: list[dict]) -> list[_Election]:
        """The units whose akims are elected, spread over the organising commissions."""
        districts = [u for u in organisers if u["kind"] == "district"]
        cities = [u for u in organisers if u["kind"] == "city_regional"]
        weights = [self.rng.uniform(0.5, 1.5) for _ in districts]
        slots: dict[int, list[str]] = {u["id"]: [] for u in organisers}
        for kind, count in self.shape.elections.items():
            # A few rural districts and settlements belong to cities of regional significance.
            in_cities = round(count * 0.03) if kind in ("rural_district", "settlement") else 0
            for index in range(in_cities):
                slots[cities[index % len(cities)]["id"]].append(kind)
            for owner in _apportion(count - in_cities, weights):
                slots[districts[owner]["id"]].append(kind)
        elections = []
        for organiser in organisers:
            kinds = slots[organiser["id"]]
            if not kinds:
                continue
            taken: set[str] = set()
            # KATO digits 5-6: towns 10-19, settlements 20-29, rural districts and villages 30-99.
            serial = {"city_district": 10, "settlement": 20, "rural": 30}
            for kind in sorted(kinds, key=_kind_order):
                bucket = kind if kind in serial else "rural"
                code = serial[bucket]
                serial[bucket] += 1
                if code > 99:
                    raise ValueError(f"too many {kind} units under {organiser['kato']}")
                kato = organiser["kato"][:4] + f"{code:02d}000"
                stem = place_name(self.rng, taken)
                elections.append(self.elected(organiser, kind, kato, stem))
        return elections

    def elected(self, organiser: dict, kind: str, kato: str, stem: str) -> _Election:
        stem_ru = to_russian(stem)
        if kind == "rural_district":
            unit = self.unit(
                kato,
                organiser,
                kind,
                f"{stem} ауылдық округі",
                f"{russian_adjective(stem_ru)} сельский округ",
            )
            villages = self.rng.choices([1, 2, 3, 4, 5, 6], weights=[10, 25, 28, 20, 10, 7])[0]
            taken = {stem}
            names = [stem] + [place_name(self.rng, taken) for _ in range(villages - 1)]
            step = 200 if villages <= 4 else 100
            places = [
                self.unit(
                    kato[:6] + f"{100 + step * i:03d}", unit, "village", f"{n} ауылы",
                    f"село {to_russian(n)}",
                )
                for i, n in enumerate(names)
            ]  # fmt: skip
        else:
            kk, ru = {
                "village": (f"{stem} ауылы", f"село {stem_ru}"),
                "settlement": (f"{stem} кенті", f"поселок {stem_ru}"),
                "city_district": (f"{stem} қаласы", f"город {stem_ru}"),
            }[kind]
            unit = self.unit(kato, organiser, kind, kk, ru)
            places = [unit]
        return _Election(unit["id"], organiser, kind, places)

    # -- elections and precincts -----------------------------------------------------------

    def elections(self, elections: list[_Election], profile) -> None:
        called = datetime.combine(CALLED_ON, time(10, 0), tzinfo=LOCAL).astimezone(UTC)
        for item in elections:
            item.row = self.plan.add(
                "elections",
                {
                    "id": self.next_id("elections"),
                    "unit_id": item.unit_id,
                    "organiser_id": item.organiser["id"],
                    "kind": "rural",
                    "called_on": CALLED_ON,
                    "election_day": ELECTION_DAY,
                    "profile_key": profile.key,
                    "profile_snapshot": profile.data,
                    "state": "open",
                    "created_at": called,
                },
            )

    def precincts(self, elections: list[_Election]) -> None:
        # One precinct per place at least; the rest go where people live: towns first.
        counts = [len(e.places) for e in elections]
        extra = self.shape.precincts - sum(counts)
        if extra < 0:
            raise ValueError("more places than precincts: raise the precinct count")
        size = {"city_district": 9.0, "settlement": 2.0, "village": 1.2, "rural_district": 0.35}
        weights = [size[e.kind] * len(e.places) for e in elections]
        for index in _apportion(extra, weights, self.rng):
            counts[index] += 1
        # Voters per precinct: towns' precincts are larger than a hamlet's.
        raw = []
        for item, count in zip(elections, counts, strict=True):
            median = 1600 if item.kind == "city_district" else 1000
            raw.append([self.rng.lognormvariate(math.log(median), 0.55) for _ in range(count)])
        voters = _scale_to_total([v for row in raw for v in row], self.shape.voters, self.rng)
        numbers: dict[int, int] = {}
        flat = iter(voters)
        for item, count in zip(elections, counts, strict=True):
            organiser = item.organiser["id"]
            for index in range(count):
                place = item.places[index % len(item.places)]
                numbers[organiser] = numbers.get(organiser, 0) + 1
                street = self.rng.choice(STREETS)
                building = self.rng.choice(BUILDINGS)
                row = self.plan.add(
                    "precincts",
                    {
                        "id": self.next_id("precincts"),
                        "election_id": item.row["id"],
                        "number": numbers[organiser],
                        "unit_id": place["id"],
                        "voters_on_list": next(flat),
                        "address": f"{place['name_kk']}, {street} көшесі "
                        f"{self.rng.randint(1, 60)}, {building}",
                    },
                )
                item.precincts.append(row)


def _kind_order(kind: str) -> int:
    return {"city_district": 0, "settlement": 1, "rural_district": 2, "village": 3}[kind]


def _apportion(total: int, weights: list[float], rng: random.Random | None = None) -> list[int]:
    """``total`` indexes into ``weights``, in proportion (largest remainder), sorted."""
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    counts = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: exact[i] - counts[i], reverse=True)
    if rng is not None:  # ties of remainders settle by the seed, not by position
        order = sorted(order, key=lambda i: (-(exact[i] - counts[i]), rng.random()))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return [i for i, n in enumerate(counts) for _ in range(n)]


def _scale_to_total(raw: list[float], total: int, rng: random.Random) -> list[int]:
    """Whole voter counts in [50, MAX_PRECINCT_VOTERS] in the proportions of ``raw``, summing
    to ``total`` exactly (when the bounds allow it)."""
    values = list(raw)
    for _round in range(20):
        factor = total / sum(values)
        values = [min(max(v * factor, 50), MAX_PRECINCT_VOTERS) for v in values]
        if abs(sum(values) - total) < 1:
            break
    counts = [int(round(v)) for v in values]
    gap = total - sum(counts)
    step = 1 if gap > 0 else -1
    while gap:
        i = rng.randrange(len(counts))
        if 50 <= counts[i] + step <= MAX_PRECINCT_VOTERS:
            counts[i] += step
            gap -= step
    return counts
