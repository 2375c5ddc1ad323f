"""The national demo data set: a whole round of rural akim elections, bulk-loaded.

17 regions and the 3 cities of republican significance, about 200 territorial
commissions (districts and cities of regional significance), 2,345 `rural`
elections (2,186 rural districts with their villages, 85 standalone villages, 26
settlements, 48 towns), 10,223 precincts, about 12 million voters, 2 to 6
registered candidates per election, and, on request, a consistent protocol for
every precinct.

Everything comes from one ``random.Random(seed)``: the same seed gives the same
names, numbers and figures on any engine and any day. Rows go in with SQLAlchemy
Core ``insert()`` in executemany chunks (no ORM objects, no per-row audit event);
one audit event summarises the load. Protocol rows are exactly what
``elections.ballots.services.save_protocol`` writes (header at version 1, a current
version with its digest, the votes in ballot order), so the service and the
aggregation treat them as if they had come in through the API.

Each organising commission gets one API-only ``territorial_member`` account
(``tec-<KATO>``, no password: ``flask --app elections users token tec-<KATO>``
issues its token). They may write the protocols of every election their
commission organises, which is how the benchmarks send the protocols.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select, text

from elections.auth.models import User
from elections.ballots.models import FIGURE_FIELDS, Protocol, ProtocolVersion, ProtocolVote
from elections.ballots.paper import BallotCandidate, ballot_order, print_run
from elections.ballots.services import figures_digest
from elections.ballots.tally import ProtocolFigures, failed_relations
from elections.candidates.iin import make_iin
from elections.candidates.models import Candidate, CandidateEvent
from elections.candidates.services import APPLICATION_ALPHABET
from elections.core import audit
from elections.core.audit import Action, canonical
from elections.core.extensions import db
from elections.demo.region import PARTIES
from elections.rules import default_profile_key, load_profile
from elections.territory.models import Election, Party, Precinct, Unit

# The national round (domain.md, "Who is elected, by whom" and "National scale").
NATIONAL_ELECTIONS = {"rural_district": 2186, "village": 85, "settlement": 26, "city_district": 48}
NATIONAL_PRECINCTS = 10_223
NATIONAL_VOTERS = 12_000_000
ELECTION_DAY = date(2026, 11, 22)  # a Sunday; fixed so that a seed gives the same data any day
CALLED_ON = ELECTION_DAY - timedelta(days=61)
LOCAL = ZoneInfo("Asia/Almaty")
MAX_PRECINCT_VOTERS = 3000
CHUNK = 2000
# Marks an account that signs in with API tokens only: no argon2 hash ever matches it.
API_ONLY_PASSWORD = "!api-only"  # noqa: S105 (not a password: a marker that none matches)

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

# Place names are built the way Kazakh toponyms are: a qualifier and a landscape word
# (Ақжар, Қаратал, Көкбұлақ), or a word of its own (Бірлік, Достық).
PREFIXES = ["Ақ", "Қара", "Көк", "Сары", "Жаңа", "Қызыл", "Алтын", "Бес", "Үш", "Жеті",
            "Кең", "Ұзын", "Тас", "Құм", "Ескі", "Шұбар", "Қоңыр", "Боз", "Ала", "Таң"]  # fmt: skip
ROOTS = ["жар", "тал", "бұлақ", "көл", "тау", "су", "қайың", "терек", "төбе", "шоқы",
         "өзек", "құдық", "сай", "қайнар", "ағаш", "қамыс", "тоғай", "арал", "адыр", "бел",
         "жол", "қора", "кент", "дала", "өткел"]  # fmt: skip
WORDS = ["Бірлік", "Достық", "Ынтымақ", "Жеңіс", "Береке", "Шұғыла", "Тұрмыс", "Еңбек",
         "Қайрат", "Жалын", "Самал", "Арай", "Нұрлы", "Ақниет", "Бостандық", "Тәуелсіздік",
         "Абай", "Амангелді", "Жамбыл", "Шоқан", "Құрманғазы", "Ыбырай", "Мағжан",
         "Сәкен", "Бейімбет", "Байтұрсын", "Жұмабай", "Әуезов", "Қабанбай", "Бөгенбай",
         "Қасым", "Есіл", "Ертіс", "Нұра", "Торғай", "Ырғыз", "Сарысу", "Ілияс"]  # fmt: skip
STREETS = ["Абай", "Достық", "Бейбітшілік", "Тәуелсіздік", "Орталық", "Мектеп", "Жастар",
           "Байтұрсынов", "Әуезов", "Наурыз", "Бірлік", "Жеңіс", "Сәтбаев",
           "Құнанбаев"]  # fmt: skip
BUILDINGS = ["мектеп", "мәдениет үйі", "клуб", "ауылдық округ әкімдігі", "кітапхана",
             "спорт кешені", "дәрігерлік амбулатория"]  # fmt: skip

KK_MALE = ["Ерлан", "Бауыржан", "Нұрлан", "Асхат", "Ержан", "Серік", "Дәурен", "Қайрат",
           "Арман", "Мұрат", "Талғат", "Ғалым", "Жандос", "Ербол", "Марат", "Бақыт", "Азамат",
           "Дархан", "Болат", "Мейрам", "Әділет", "Ақылбек", "Руслан", "Санжар", "Ерболат",
           "Мақсат", "Жасұлан", "Қанат", "Аян", "Ғабит", "Нұржан", "Алмас", "Бекзат",
           "Ермек", "Төлеген", "Самат", "Еркін", "Сұлтан", "Абылай", "Диас"]  # fmt: skip
KK_FEMALE = ["Гүлнар", "Айгүл", "Сәуле", "Ләззат", "Жанар", "Әсел", "Динара", "Мәдина",
             "Гүлмира", "Айжан", "Бота", "Ақмарал", "Назгүл", "Салтанат", "Раушан",
             "Жансая", "Мөлдір", "Аружан", "Шынар", "Ләйлә", "Меруерт", "Гүлжан"]  # fmt: skip
# Surnames given in their masculine form; the feminine adds -а (Қасымов -> Қасымова).
KK_SURNAMES = ["Әбдірахманов", "Қасымов", "Нұрланов", "Серікбаев", "Жұмабаев", "Ахметов",
               "Омаров", "Сыздықов", "Бекмұхамбетов", "Мұқанов", "Оспанов", "Төлеуов",
               "Әлімжанов", "Ысқақов", "Есенов", "Құдайбергенов", "Байжанов", "Садықов",
               "Ермеков", "Шәріпов", "Ибраев", "Дүйсенов", "Қалиев", "Жақсылықов",
               "Тұрсынов", "Әміров", "Бейсенов", "Исабеков", "Мұратов", "Смағұлов",
               "Жәнібеков", "Байтасов", "Оразов", "Ғабдуллин", "Ержанов", "Көшербаев",
               "Ілиясов", "Өмірзақов", "Үсенов", "Нұрпейісов", "Тілеубердиев",
               "Қожахметов"]  # fmt: skip
# Kazakh surnames without a Russian ending (Сейітқали, Болатұлы) stay the same for women.
KK_PLAIN_SURNAMES = ["Сейітқали", "Болатұлы", "Серікұлы", "Нұрғали", "Әбіш", "Тоқтар"]
RU_MALE = ["Сергей", "Александр", "Владимир", "Андрей", "Николай", "Дмитрий", "Игорь",
           "Виктор", "Олег", "Юрий", "Евгений", "Алексей"]  # fmt: skip
RU_FEMALE = ["Елена", "Ольга", "Наталья", "Ирина", "Татьяна", "Светлана", "Людмила"]
RU_SURNAMES = ["Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Соколов", "Морозов",
               "Волков", "Лебедев", "Новиков", "Фёдоров", "Ковалёв", "Белов", "Гусев"]  # fmt: skip
RU_PATRONYMICS = [("Петрович", "Петровна"), ("Иванович", "Ивановна"),
                  ("Сергеевич", "Сергеевна"), ("Николаевич", "Николаевна"),
                  ("Викторович", "Викторовна"), ("Александрович", "Александровна"),
                  ("Владимирович", "Владимировна")]  # fmt: skip
EDUCATION = [("higher", 70), ("postgraduate", 8), ("post_secondary", 10),
             ("technical_vocational", 12)]  # fmt: skip
# How often each party puts up a candidate in a rural election (AMANAT almost everywhere).
PARTY_REACH = {"AMANAT": 0.8, "Auyl": 0.35, "Ak Zhol": 0.18, "Respublica": 0.12,
               "QHP": 0.12, "JSDP": 0.08}  # fmt: skip

# How the electorate leans: a party's nominee (AMANAT above all) starts ahead.
LEAN = {"AMANAT": 2.2, "Auyl": 1.3, "Ak Zhol": 1.1}

_TRANSLIT = str.maketrans("әғқңөұүһіӘҒҚҢӨҰҮҺІ", "агкноууhиАГКНОУУHИ")


def to_russian(name: str) -> str:
    """The Russian spelling of a Kazakh name (Көкбұлақ -> Кокбулак), as maps print it."""
    return name.translate(_TRANSLIT).replace("h", "х").replace("H", "Х")


def russian_adjective(stem: str) -> str:
    """Кызылжар -> Кызылжарский, Жанаарка -> Жанааркинский: the Russian district name."""
    if stem[-1] in "аяеоыи":
        return stem[:-1] + "инский"
    return stem + "ский"


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


class _Builder:
    def __init__(self, seed: int, shape: Shape, with_protocols: bool):
        self.rng = random.Random(seed)
        self.shape = shape
        self.with_protocols = with_protocols
        self.plan = Plan(seed)
        self.ids: dict[str, int] = {}
        self.used_names: set[str] = set()

    def next_id(self, table: str) -> int:
        self.ids[table] = self.ids.get(table, 0) + 1
        return self.ids[table]

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

    def place_name(self, taken: set[str]) -> str:
        for _attempt in range(50):
            if self.rng.random() < 0.75:
                name = self.rng.choice(PREFIXES) + self.rng.choice(ROOTS)
            else:
                name = self.rng.choice(WORDS)
            if name not in taken:
                taken.add(name)
                return name
        name = f"{self.rng.choice(WORDS)} {len(taken)}"
        taken.add(name)
        return name

    # -- territory -------------------------------------------------------------------------

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
                stem = self.place_name(taken)
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
                stem = self.place_name(taken)
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
            names = [stem] + [self.place_name(taken) for _ in range(villages - 1)]
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

    # -- parties, candidates and their accounts --------------------------------------------

    def parties(self) -> dict[str, dict]:
        return {
            short: self.plan.add(
                "parties",
                {"id": self.next_id("parties"), "short_name": short, "name_kk": kk, "name_ru": ru},
            )
            for short, kk, ru in PARTIES
        }

    def users(self, organisers: list[dict]) -> dict[int, dict]:
        created = datetime.combine(CALLED_ON, time(9, 0), tzinfo=LOCAL).astimezone(UTC)
        return {
            u["id"]: self.plan.add(
                "users",
                {
                    "id": self.next_id("users"),
                    "username": f"tec-{u['kato']}",
                    "role": "territorial_member",
                    "commission_unit_id": u["id"],
                    "precinct_id": None,
                    "password_hash": API_ONLY_PASSWORD,
                    "active": True,
                    "created_at": created,
                },
            )
            for u in organisers
        }

    def person(self) -> tuple[str, str, str, str]:
        """(last, first, patronymic, sex) in the proportions of a Kazakh ballot."""
        rng = self.rng
        sex = "female" if rng.random() < 0.22 else "male"
        if rng.random() < 0.12:
            last = rng.choice(RU_SURNAMES) + ("а" if sex == "female" else "")
            first = rng.choice(RU_FEMALE if sex == "female" else RU_MALE)
            patronymic = rng.choice(RU_PATRONYMICS)[sex == "female"]
            return last, first, patronymic, sex
        if rng.random() < 0.1:
            last = rng.choice(KK_PLAIN_SURNAMES)
        else:
            last = rng.choice(KK_SURNAMES) + ("а" if sex == "female" else "")
        first = rng.choice(KK_FEMALE if sex == "female" else KK_MALE)
        father = rng.choice(KK_MALE)
        if rng.random() < 0.6:
            patronymic = father + ("қызы" if sex == "female" else "ұлы")
        else:
            patronymic = father + ("овна" if sex == "female" else "ович")
        return last, first, patronymic, sex

    def application_number(self) -> str:
        while True:
            raw = "".join(self.rng.choice(APPLICATION_ALPHABET) for _ in range(8))
            number = f"{raw[:4]}-{raw[4:]}"
            if number not in self.used_names:
                self.used_names.add(number)
                return number

    def candidates(self, elections: list[_Election], parties: dict, users: dict) -> None:
        serials: dict[date, int] = {}
        opens = datetime.combine(CALLED_ON + timedelta(days=1), time(10, 0), tzinfo=LOCAL)
        short_names = {p["id"]: short for short, p in parties.items()}
        for item in elections:
            standing = self.rng.choices([2, 3, 4, 5, 6], weights=[22, 30, 24, 14, 10])[0]
            nominating = [p for p, reach in PARTY_REACH.items() if self.rng.random() < reach]
            nominating = nominating[: standing - 1] if standing > 1 else []
            nominations = nominating + [None] * (standing - len(nominating))
            voters = sum(p["voters_on_list"] for p in item.precincts)
            member = users[item.organiser["id"]]
            rows = []
            for party in nominations:
                last, first, patronymic, sex = self.person()
                born = ELECTION_DAY - timedelta(days=self.rng.randint(27 * 365, 63 * 365))
                serial = serials.get(born, 0)
                iin = make_iin(born, sex, serial)
                serials[born] = int(iin[7:11]) + 1
                submitted = opens + timedelta(
                    days=self.rng.randint(0, 25), minutes=self.rng.randint(0, 480)
                )
                registered = submitted + timedelta(days=self.rng.randint(2, 9))
                row = {
                    "id": self.next_id("candidates"),
                    "election_id": item.row["id"],
                    "application_number": self.application_number(),
                    "iin": iin,
                    "last_name": last,
                    "first_name": first,
                    "patronymic": patronymic,
                    "birth_date": born,
                    "citizenship": "KZ",
                    "education": self.rng.choices(
                        [e for e, _w in EDUCATION], weights=[w for _e, w in EDUCATION]
                    )[0],
                    "work_experience_years": round(self.rng.uniform(3, 30), 1),
                    "nomination_type": "party" if party else "self",
                    "party_id": parties[party]["id"] if party else None,
                    "party_member": True if party else None,
                    "signatures_valid": None
                    if party
                    else math.ceil(voters / 100) + self.rng.randint(5, 120),
                    "settlements_covered": None
                    if party
                    else max(1, math.ceil(len(item.places) / 2))
                    + self.rng.randint(0, len(item.places) // 2),
                    "deposit_paid": True,
                    "documents": {
                        "application": True,
                        "biography": True,
                        "declarations": True,
                        "party_decision": bool(party),
                        "tax_certificate": True,
                        "signature_check_protocol": not party,
                    },
                    "legal_capacity": True,
                    "serving_sentence": False,
                    "unexpunged_conviction": False,
                    "corruption_offence": False,
                    "special_check": "passed",
                    "consecutive_terms_in_post": self.rng.choice([0, 0, 0, 1]),
                    "qualification_met": True,
                    "qualification_note": "Білім туралы диплом мен еңбек кітапшасы тексерілді",
                    "status": "registered",
                    "grounds": [],
                    "created_at": submitted.astimezone(UTC),
                }
                rows.append(row)
                for status, at in (("submitted", submitted), ("registered", registered)):
                    self.plan.add(
                        "candidate_events",
                        {
                            "id": self.next_id("candidate_events"),
                            "candidate_id": row["id"],
                            "status": status,
                            "at": at.astimezone(UTC),
                            "actor_id": member["id"],
                            "actor": member["username"],
                            "reason": None,
                            "grounds": [],
                        },
                    )
            by_id = {row["id"]: row for row in rows}
            order = ballot_order(
                BallotCandidate(r["id"], r["last_name"], r["first_name"], r["patronymic"], {})
                for r in rows
            )
            item.candidates = [by_id[line.candidate_id] for line in order]
            for row in rows:
                self.plan.add("candidates", row)
            item.strengths = [
                self.rng.gammavariate(2.0, 1.0) * LEAN.get(short_names.get(c["party_id"]), 1.0)
                for c in item.candidates
            ]

    # -- protocols -------------------------------------------------------------------------

    def protocols(self, elections: list[_Election], users: dict) -> None:
        digests = hashlib.sha256()
        for item in elections:
            member = users[item.organiser["id"]]
            for precinct in item.precincts:
                figures = protocol_figures(
                    self.rng, precinct["voters_on_list"], item.candidates, item.strengths
                )
                saved = datetime.combine(ELECTION_DAY, time(20, 0), tzinfo=LOCAL) + timedelta(
                    minutes=self.rng.randint(60, 11 * 60)
                )
                digest = figures_digest(figures)
                digests.update(f"{precinct['id']}:{digest}\n".encode())
                self.plan.add(
                    "protocols",
                    {
                        "id": self.next_id("protocols"),
                        "precinct_id": precinct["id"],
                        "election_id": item.row["id"],
                        "version": 1,
                    },
                )
                version_id = self.next_id("protocol_versions")
                self.plan.add(
                    "protocol_versions",
                    {
                        "id": version_id,
                        "precinct_id": precinct["id"],
                        "election_id": item.row["id"],
                        "version": 1,
                        "is_current": True,
                        **{name: getattr(figures, name) for name in FIGURE_FIELDS},
                        "digest": digest,
                        "created_at": saved.astimezone(UTC),
                        "created_by_id": member["id"],
                        "created_by": member["username"],
                    },
                )
                for position, (candidate_id, votes) in enumerate(figures.votes.items(), start=1):
                    self.plan.add(
                        "protocol_votes",
                        {
                            "version_id": version_id,
                            "candidate_id": candidate_id,
                            "position": position,
                            "votes": votes,
                        },
                    )
        self.plan.summary["protocols_digest"] = digests.hexdigest()


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


def protocol_figures(
    rng: random.Random, voters: int, candidates: list[dict], strengths: list[float]
) -> ProtocolFigures:
    """A consistent precinct protocol: every control relation holds (ballots/tally.py).

    ``candidates`` are in ballot order (rows or objects with an ``id``); the votes keep it.
    """
    received = print_run(voters)
    issued = min(voters, round(voters * rng.uniform(0.55, 0.85)))
    in_boxes = max(0, issued - rng.choice((0, 0, 0, 1, 2)))
    invalid = round(in_boxes * rng.uniform(0.004, 0.02))
    against = round(in_boxes * rng.uniform(0.01, 0.04))
    remaining = in_boxes - invalid - against
    weights = [s * rng.uniform(0.75, 1.25) for s in strengths]
    whole = sum(weights)
    exact = [remaining * w / whole for w in weights]
    votes = [int(x) for x in exact]
    for i in sorted(range(len(votes)), key=lambda i: exact[i] - votes[i], reverse=True)[
        : remaining - sum(votes)
    ]:
        votes[i] += 1
    ids = [c["id"] if isinstance(c, dict) else c.id for c in candidates]
    figures = ProtocolFigures(
        voters_on_list=voters,
        ballots_received=received,
        ballots_issued=issued,
        ballots_cancelled=received - issued,
        ballots_in_boxes=in_boxes,
        invalid_ballots=invalid,
        votes=dict(zip(ids, votes, strict=True)),
        against_all=against,
    )
    if failed_relations(figures):  # a bug here would load a country of refused protocols
        raise AssertionError(f"inconsistent protocol generated: {figures}")
    return figures


def build_plan(seed: int, *, with_protocols: bool = False, shape: Shape | None = None) -> Plan:
    """Generate every row of the national round in memory (deterministic for a seed)."""
    builder = _Builder(seed, shape or Shape.national(), with_protocols)
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


TABLES = {
    "units": Unit,
    "parties": Party,
    "elections": Election,
    "precincts": Precinct,
    "users": User,
    "candidates": Candidate,
    "candidate_events": CandidateEvent,
    "protocols": Protocol,
    "protocol_versions": ProtocolVersion,
    "protocol_votes": ProtocolVote,
}


def _chunks(rows: list[dict]) -> Iterator[list[dict]]:
    for start in range(0, len(rows), CHUNK):
        yield rows[start : start + CHUNK]


def load_plan(plan: Plan, progress: Callable[[int], None] | None = None) -> None:
    """Insert the plan's rows in the current transaction (no commit) and record one event."""
    connection = db.session.connection()
    for name, model in TABLES.items():
        rows = plan.rows.get(name, [])
        statement = insert(model.__table__)
        for chunk in _chunks(rows):
            connection.execute(statement, chunk)
            if progress:
                progress(len(chunk))
    if connection.dialect.name == "postgresql":
        # Ids were given explicitly: move each serial sequence past them.
        for name, model in TABLES.items():
            if "id" in model.__table__.c and plan.rows.get(name):
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "  # noqa: S608
                        f"(SELECT max(id) FROM {name}))"
                    )
                )
    # Fresh statistics for the planner: with the ones of an empty database, PostgreSQL scans
    # whole tables for the per-election lookups of the results pages (measured: 10x slower).
    connection.exec_driver_sql("ANALYZE")
    audit.record(
        Action.NATIONAL_DEMO_LOADED,
        "demo",
        plan.seed,
        {**plan.summary, "rows": {name: len(rows) for name, rows in plan.rows.items()}},
        None,
    )


def occupied() -> bool:
    """True when the database already holds territory (the national set loads only when empty)."""
    return db.session.execute(select(func.count()).select_from(Unit)).scalar_one() > 0


def summary_lines(plan: Plan) -> list[str]:
    s = plan.summary
    kinds = ", ".join(f"{n:,} {k}" for k, n in s["elections_by_unit_kind"].items())
    lines = [
        f"National round (seed {s['seed']}), election day {s['election_day']} ({s['profile']}):",
        f"  {s['regions']} regions and cities of republican significance, "
        f"{s['organisers']} territorial commissions, {s['units']:,} units",
        f"  {s['elections']:,} rural elections ({kinds})",
        f"  {s['precincts']:,} precincts, {s['voters']:,} voters",
        f"  {s['candidates']:,} registered candidates ({s['self_nominated']:,} self-nominated)",
        f"  {s['protocols']:,} protocols; fingerprint of every row {s['fingerprint'][:16]}",
        "API accounts: one territorial_member per commission, named tec-<KATO> (API only;",
        "  issue a token with: flask --app elections users token tec-<KATO>)",
    ]
    return lines


def canonical_digest(plan: Plan) -> str:
    """A fingerprint of every generated row: two runs with one seed give the same."""
    return hashlib.sha256(canonical(plan.rows).encode()).hexdigest()
