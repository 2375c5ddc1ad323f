"""What the national round is made of, and the plan that holds its rows.

Its fixed figures and regions, ``Shape`` (the whole round or a fraction of it), ``Plan``
(every row by table) and what every part of the builder shares.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from elections.core.audit import canonical

# The national round (domain.md, "Who is elected, by whom" and "National scale").
NATIONAL_ELECTIONS = {"rural_district": 2186, "village": 85, "settlement": 26, "city_district": 48}
NATIONAL_PRECINCTS = 10_223
NATIONAL_VOTERS = 12_000_000
ELECTION_DAY = date(2026, 11, 22)  # a Sunday; fixed so that a seed gives the same data any day
CALLED_ON = ELECTION_DAY - timedelta(days=61)
LOCAL = ZoneInfo("Asia/Almaty")
MAX_PRECINCT_VOTERS = 3000

# (KATO prefix, kind, Kazakh, Russian, districts, [cities of regional significance (kk, ru)])
REGIONS = [
    ("10", "region", "Абай облысы", "Абайская область", 9,
     [("Семей", "Семей"), ("Курчатов", "Курчатов")]),
    ("11", "region", "Ақмола облысы", "Акмолинская область", 17,
     [("Көкшетау", "Кокшетау"), ("Степногорск", "Степногорск"), ("Қосшы", "Косшы")]),
    ("15", "region", "Ақтөбе облысы", "Актюбинская область", 12, [("Ақтөбе", "Актобе")]),
    ("19", "region", "Алматы облысы", "Алматинская область", 9,
     [("Қонаев", "Конаев"), ("Алатау", "Алатау")]),
    ("23", "region", "Атырау облысы", "Атырауская область", 7, [("Атырау", "Атырау")]),
    ("27", "region", "Батыс Қазақстан облысы", "Западно-Казахстанская область", 12,
     [("Орал", "Уральск")]),
    ("31", "region", "Жамбыл облысы", "Жамбылская область", 10, [("Тараз", "Тараз")]),
    ("33", "region", "Жетісу облысы", "Жетысуская область", 8,
     [("Талдықорған", "Талдыкорган"), ("Текелі", "Текели")]),
    ("35", "region", "Қарағанды облысы", "Карагандинская область", 7,
     [("Қарағанды", "Караганда"), ("Балқаш", "Балхаш"), ("Теміртау", "Темиртау"),
      ("Саран", "Сарань"), ("Шахтинск", "Шахтинск"), ("Приозерск", "Приозерск")]),
    ("39", "region", "Қостанай облысы", "Костанайская область", 16,
     [("Қостанай", "Костанай"), ("Рудный", "Рудный"), ("Лисаков", "Лисаковск"),
      ("Арқалық", "Аркалык")]),
    ("43", "region", "Қызылорда облысы", "Кызылординская область", 7,
     [("Қызылорда", "Кызылорда")]),
    ("47", "region", "Маңғыстау облысы", "Мангистауская область", 5,
     [("Ақтау", "Актау"), ("Жаңаөзен", "Жанаозен")]),
    ("55", "region", "Павлодар облысы", "Павлодарская область", 10,
     [("Павлодар", "Павлодар"), ("Екібастұз", "Экибастуз"), ("Ақсу", "Аксу")]),
    ("59", "region", "Солтүстік Қазақстан облысы", "Северо-Казахстанская область", 13,
     [("Петропавл", "Петропавловск")]),
    ("61", "region", "Түркістан облысы", "Туркестанская область", 14,
     [("Түркістан", "Туркестан"), ("Кентау", "Кентау"), ("Арыс", "Арыс")]),
    ("62", "region", "Ұлытау облысы", "Улытауская область", 2,
     [("Жезқазған", "Жезказган"), ("Сәтбаев", "Сатпаев"), ("Қаражал", "Каражал")]),
    ("63", "region", "Шығыс Қазақстан облысы", "Восточно-Казахстанская область", 9,
     [("Өскемен", "Усть-Каменогорск"), ("Риддер", "Риддер")]),
    ("71", "city_republican", "Астана қаласы", "город Астана", 0, []),
    ("75", "city_republican", "Алматы қаласы", "город Алматы", 0, []),
    ("79", "city_republican", "Шымкент қаласы", "город Шымкент", 0, []),
]  # fmt: skip


@dataclass(frozen=True)
class Shape:
    """How big a round to build: the national one, or a fraction of it for quick runs."""

    elections: dict[str, int]
    precincts: int
    voters: int

    @classmethod
    def national(cls, fraction: float = 1.0) -> Shape:
        if fraction >= 1:
            return cls(dict(NATIONAL_ELECTIONS), NATIONAL_PRECINCTS, NATIONAL_VOTERS)
        kinds = {k: max(1, round(n * fraction)) for k, n in NATIONAL_ELECTIONS.items()}
        return cls(
            kinds,
            max(sum(kinds.values()) * 4, round(NATIONAL_PRECINCTS * fraction)),
            round(NATIONAL_VOTERS * fraction),
        )


@dataclass
class Plan:
    """Every row to insert, by table, in insertion order; ids assigned here."""

    seed: int
    rows: dict[str, list[dict]] = field(default_factory=dict)
    summary: dict = field(default_factory=dict)

    def add(self, table: str, row: dict) -> dict:
        self.rows.setdefault(table, []).append(row)
        return row

    def count(self) -> int:
        return sum(len(rows) for rows in self.rows.values())


@dataclass
class _Election:
    unit_id: int
    organiser: dict
    kind: str
    places: list[dict]  # units that hold precincts (the unit itself, or its villages)
    row: dict | None = None
    precincts: list[dict] = field(default_factory=list)
    candidates: list[dict] = field(default_factory=list)  # in ballot order
    strengths: list[float] = field(default_factory=list)


class _BuilderBase:
    """What every part of the builder shares: one random stream, the plan, the id counters."""

    def __init__(self, seed: int, shape: Shape):
        self.rng = random.Random(seed)
        self.shape = shape
        self.plan = Plan(seed)
        self.ids: dict[str, int] = {}
        self.used_names: set[str] = set()

    def next_id(self, table: str) -> int:
        self.ids[table] = self.ids.get(table, 0) + 1
        return self.ids[table]


def canonical_digest(plan: Plan) -> str:
    """A fingerprint of every generated row: two runs with one seed give the same."""
    return hashlib.sha256(canonical(plan.rows).encode()).hexdigest()
