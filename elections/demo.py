"""The demo data set: one believable region, two elections with open nomination, a user per role."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select

from elections import audit
from elections.audit import Action
from elections.auth.services import create_user
from elections.clock import now, service_timezone
from elections.extensions import db
from elections.territory import services as territory
from elections.territory.models import Unit

# (kato, parent kato, kind, Kazakh name, Russian name)
UNITS = [
    ("110000000", None, "region", "Ақмола облысы", "Акмолинская область"),
    ("115600000", "110000000", "district", "Зеренді ауданы", "Зерендинский район"),
    (
        "115633000",
        "115600000",
        "rural_district",
        "Зеренді ауылдық округі",
        "Зерендинский сельский округ",
    ),
    ("115633100", "115633000", "village", "Зеренді ауылы", "село Зеренда"),
    ("115633300", "115633000", "village", "Қарсақ ауылы", "село Карсак"),
    ("115633500", "115633000", "village", "Өркен ауылы", "село Оркен"),
    (
        "115645000",
        "115600000",
        "rural_district",
        "Садовый ауылдық округі",
        "Садовый сельский округ",
    ),
    ("115645100", "115645000", "village", "Садовое ауылы", "село Садовое"),
    ("115645300", "115645000", "village", "Ұялы ауылы", "село Уялы"),
    ("115651000", "115600000", "village", "Викторовка ауылы", "село Викторовка"),
    ("116800000", "110000000", "district", "Бурабай ауданы", "Бурабайский район"),
    ("116810000", "116800000", "city_district", "Щучинск қаласы", "город Щучинск"),
    (
        "116833000",
        "116800000",
        "rural_district",
        "Катарколь ауылдық округі",
        "Катаркольский сельский округ",
    ),
    ("116833100", "116833000", "village", "Катарколь ауылы", "село Катарколь"),
    ("116837000", "116800000", "settlement", "Бурабай кенті", "поселок Бурабай"),
]
PARTIES = [
    ("AMANAT", "«AMANAT» партиясы", "Партия «AMANAT»"),
    (
        "Ak Zhol",
        "«Ақ жол» Қазақстанның демократиялық партиясы",
        "Демократическая партия Казахстана «Ак жол»",
    ),
    (
        "Auyl",
        "«Ауыл» халықтық-демократиялық патриоттық партиясы",
        "Народно-демократическая патриотическая партия «Ауыл»",
    ),
    ("Respublica", "«Respublica» партиясы", "Партия «Respublica»"),
    ("QHP", "Қазақстан Халық партиясы", "Народная партия Казахстана"),
    (
        "JSDP",
        "Жалпыұлттық социал-демократиялық партия",
        "Общенациональная социал-демократическая партия",
    ),
]
# (election unit, [(precinct number, place kato, voters, address)])
RURAL_PRECINCTS = [
    (401, "115633100", 1240, "Зеренді ауылы, Мәлік Ғабдуллин көшесі 12, мектеп"),
    (402, "115633300", 815, "Қарсақ ауылы, Орталық көшесі 5, мәдениет үйі"),
    (403, "115633500", 432, "Өркен ауылы, Достық көшесі 1, клуб"),
]
DISTRICT_PRECINCTS = [
    (601, "116810000", 2150, "Щучинск қаласы, Абылай хан көшесі 30, №1 мектеп"),
    (602, "116810000", 1980, "Щучинск қаласы, Ленин көшесі 52, колледж"),
    (603, "116833100", 905, "Катарколь ауылы, Мектеп көшесі 3"),
    (604, "116837000", 1320, "Бурабай кенті, Кенесары көшесі 9, мәдениет үйі"),
]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    password: str
    scope: str


def is_empty() -> bool:
    return db.session.execute(select(func.count()).select_from(Unit)).scalar_one() == 0


def load_demo() -> list[DemoLogin]:
    """Create the demo data in the current transaction; returns the logins with their passwords."""
    for kato, parent, kind, name_kk, name_ru in UNITS:
        territory.create_unit(
            {
                "kato": kato,
                "parent_kato": parent,
                "kind": kind,
                "name": {"kk": name_kk, "ru": name_ru},
            },
            None,
        )
    for short, name_kk, name_ru in PARTIES:
        territory.create_party({"short_name": short, "name": {"kk": name_kk, "ru": name_ru}}, None)

    today = now().astimezone(service_timezone()).date()
    rural = territory.call_election(
        {
            "unit_kato": "115633000",
            "kind": "rural",
            "called_on": today - timedelta(days=5),
            "election_day": today + timedelta(days=40),
        },
        None,
    )
    district = territory.call_election(
        {
            "unit_kato": "116800000",
            "kind": "district",
            "called_on": today - timedelta(days=5),
            "election_day": today + timedelta(days=47),
        },
        None,
    )
    rural_precincts = [_precinct(rural, row) for row in RURAL_PRECINCTS]
    for row in DISTRICT_PRECINCTS:
        _precinct(district, row)

    logins = [
        DemoLogin("cec-admin", "cec_admin", _password(), "—"),
        DemoLogin("zerendi-chair", "territorial_chair", _password(), "115600000"),
        DemoLogin("zerendi-member", "territorial_member", _password(), "115600000"),
        DemoLogin("akmola-chair", "territorial_chair", _password(), "110000000"),
        DemoLogin("precinct-401", "precinct_secretary", _password(), str(rural_precincts[0].id)),
    ]
    for login in logins:
        create_user(
            login.username,
            login.role,
            login.password,
            commission_kato=login.scope if login.role.startswith("territorial") else None,
            precinct_id=int(login.scope) if login.role == "precinct_secretary" else None,
        )
    audit.record(Action.DEMO_LOADED, "demo", 1, {"elections": [rural.id, district.id]}, None)
    return logins


def _precinct(election, row):
    number, kato, voters, address = row
    return territory.add_precinct(
        election,
        {"number": number, "unit_kato": kato, "voters_on_list": voters, "address": address},
        None,
    )


def _password() -> str:
    return secrets.token_urlsafe(12)
