"""The demo data set: one believable region; two elections with open nomination, one on its
election night and one certified; a user per role."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from elections.auth.models import User
from elections.ballots.services import ballot_candidates, save_protocol
from elections.candidates.iin import make_iin
from elections.candidates.models import Candidate, CandidateEvent
from elections.candidates.rules import signatures_required
from elections.candidates.services import new_application_number
from elections.core import audit
from elections.core.audit import Action, AuditEvent
from elections.core.clock import now, service_timezone
from elections.core.extensions import db
from elections.demo import observers as demo_observers
from elections.demo.voters import Voters
from elections.results.services import certify
from elections.territory import services as territory
from elections.territory.accounts import create_user
from elections.territory.models import Party, Unit

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
    """No unit, party or user: the demo never enters a database a real install has begun,
    not even one that holds only its first administrator."""
    return all(
        db.session.execute(select(model.id).limit(1)).first() is None
        for model in (User, Unit, Party)
    )


def holds_demo() -> bool:
    """Whether the demo data set was loaded into this database."""
    loaded = (Action.DEMO_LOADED, Action.NATIONAL_DEMO_LOADED)
    found = select(AuditEvent.id).where(AuditEvent.action.in_(loaded)).limit(1)
    return db.session.execute(found).first() is not None


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
    voters = Voters()
    rural_precincts = [_precinct(rural, row) for row in RURAL_PRECINCTS]
    district_precincts = [_precinct(district, row) for row in DISTRICT_PRECINCTS]
    for precinct in (*rural_precincts, *district_precincts):
        voters.load(precinct)

    logins = [
        DemoLogin("cec-admin", "cec_admin", _password(), "—"),
        DemoLogin("zerendi-chair", "territorial_chair", _password(), "115600000"),
        DemoLogin("zerendi-member", "territorial_member", _password(), "115600000"),
        DemoLogin("akmola-chair", "territorial_chair", _password(), "110000000"),
        DemoLogin("precinct-401", "precinct_secretary", _password(), str(rural_precincts[0].id)),
    ]
    users = {
        login.username: create_user(
            login.username,
            login.role,
            login.password,
            commission_kato=login.scope if login.role.startswith("territorial") else None,
            precinct_id=int(login.scope) if login.role == "precinct_secretary" else None,
        )
        for login in logins
    }
    _self_nominee_awaiting(district, district_precincts, voters, users["akmola-chair"])
    certified = _certified_election(today, users["zerendi-chair"], voters)
    night, waiting = _counting_election(today, users["zerendi-chair"], voters)
    night_secretary = DemoLogin("precinct-702", "precinct_secretary", _password(), str(waiting.id))
    create_user(
        night_secretary.username,
        night_secretary.role,
        night_secretary.password,
        precinct_id=waiting.id,
    )
    logins.append(night_secretary)
    logins += _observers(night, users["zerendi-chair"])
    audit.record(
        Action.DEMO_LOADED,
        "demo",
        1,
        {"elections": [rural.id, district.id, certified.id, night.id]},
        None,
    )
    return logins


# A past election, counted and certified: (last, first, patronymic, birth date, party or None).
PAST_CANDIDATES = [
    ("Сейітқали", "Ерлан", "Болатұлы", date(1979, 4, 12), "AMANAT"),
    ("Әбдірахманова", "Гүлнар", "Серікқызы", date(1984, 9, 3), "Auyl"),
    ("Қасымов", "Бауыржан", "Маратұлы", date(1990, 1, 27), None),
]
PAST_PRECINCTS = [
    (501, "115645100", 1105, "Садовое ауылы, Бейбітшілік көшесі 7, мектеп"),
    (502, "115645300", 640, "Ұялы ауылы, Жастар көшесі 2, клуб"),
]
# Per precinct: received, issued, in boxes, invalid, votes per candidate, against all.
PAST_COUNTS = [
    (1120, 812, 810, 9, (402, 251, 118), 30),
    (650, 471, 471, 4, (160, 214, 71), 22),
]


def _certified_election(today, chair, voters: Voters):
    """The Садовый rural election, held ten days ago: protocols in, result certified."""
    election = territory.call_election(
        {
            "unit_kato": "115645000",
            "kind": "rural",
            "called_on": today - timedelta(days=70),
            "election_day": today - timedelta(days=10),
        },
        None,
    )
    precincts = [_precinct(election, row) for row in PAST_PRECINCTS]
    for precinct in precincts:
        voters.load(precinct, past=True)
    _register(election, PAST_CANDIDATES, chair, serial=4000, sheets=(voters, precincts))
    _enter(precincts, PAST_COUNTS, chair)
    certify(election, chair)
    return election


# Election night: the village of Викторовка voted yesterday; precinct 701 has reported,
# 702 has not (its secretary is a demo login), so the result cannot be certified yet.
NIGHT_CANDIDATES = [
    ("Жұмабаев", "Арман", "Қайратұлы", date(1981, 6, 2), "AMANAT"),
    ("Ким", "Ольга", "Викторовна", date(1976, 2, 19), None),
    ("Тілеуова", "Сәуле", "Ерланқызы", date(1988, 11, 30), "Respublica"),
]
NIGHT_PRECINCTS = [
    (701, "115651000", 980, "Викторовка ауылы, Орталық көшесі 14, мектеп"),
    (702, "115651000", 615, "Викторовка ауылы, Бірлік көшесі 3, кітапхана"),
]
NIGHT_COUNTS = [(990, 702, 700, 6, (311, 247, 118), 18)]


def _counting_election(today, chair, voters: Voters):
    """The Викторовка election, held yesterday: the count is under way. Returns it with the
    precinct still to report."""
    election = territory.call_election(
        {
            "unit_kato": "115651000",
            "kind": "rural",
            "called_on": today - timedelta(days=61),
            "election_day": today - timedelta(days=1),
        },
        None,
    )
    precincts = [_precinct(election, row) for row in NIGHT_PRECINCTS]
    for precinct in precincts:
        voters.load(precinct, past=True)
    _register(election, NIGHT_CANDIDATES, chair, serial=5000, sheets=(voters, precincts))
    _enter(precincts[:1], NIGHT_COUNTS, chair)
    return election, precincts[1]


def complete_documents(party) -> dict:
    """Every document of a complete application: a party's decision, or a self-nominee's
    signature-check protocol."""
    return {
        "application": True,
        "biography": True,
        "declarations": True,
        "party_decision": bool(party),
        "tax_certificate": True,
        "signature_check_protocol": not party,
    }


# A self-nominee of the district election whose sheets the region's commission has checked
# (a few rows flawed, enough valid ones) and who awaits its decision.
AWAITING_SELF_NOMINEE = ("Бекмұхамбетова", "Айжан", "Ерланқызы", date(1983, 5, 14), None)


def _self_nominee_awaiting(election, precincts, voters: Voters, chair) -> None:
    (candidate,) = _candidates(election, [AWAITING_SELF_NOMINEE], serial=6000)
    db.session.add(_event(candidate, "submitted", chair))
    db.session.flush()
    required = signatures_required(sum(p.voters_on_list for p in precincts), election.profile)
    voters.sheets(candidate, precincts, required + 6, _nominated_on(candidate), chair)


def _nominated_on(candidate) -> date:
    return candidate.created_at.astimezone(candidate.election.tz).date()


def _register(election, rows, chair, serial: int, sheets=None) -> None:
    """Candidates who passed every check, registered by the chair: (last, first, patronymic,
    birth date, party short name or None). A self-nominee's sheets are checked first against
    ``sheets``: (the demo's voters, the precincts whose lists they sign from)."""
    for candidate in _candidates(election, rows, serial):
        candidate.status = "submitted"
        if candidate.nomination_type == "self" and sheets:
            voters, precincts = sheets
            # Nominated three days after the call, the sheets signed in the days after.
            nominated = datetime.combine(election.called_on + timedelta(days=3), time(10, 0))
            candidate.created_at = nominated.replace(tzinfo=election.tz)
            db.session.flush()
            voters.sheets(candidate, precincts, 24, _nominated_on(candidate), chair)
        candidate.status = "registered"
        for status in ("submitted", "registered"):
            db.session.add(_event(candidate, status, chair))
    db.session.flush()


def _event(candidate, status: str, chair) -> CandidateEvent:
    return CandidateEvent(
        candidate=candidate,
        status=status,
        at=now(),
        actor=chair.username,
        actor_id=chair.id,
        grounds=[],
    )


def _candidates(election, rows, serial: int) -> list[Candidate]:
    """The candidates of ``rows``, added with complete applications (not yet registered)."""
    parties = {p.short_name: p for p in territory.list_parties()}
    made = []
    for number, (last, first, patronymic, born, party) in enumerate(rows, start=serial + 1):
        female = last.endswith(("ова", "ева")) or patronymic.endswith(("қызы", "овна"))
        candidate = Candidate(
            election=election,
            application_number=new_application_number(),
            iin=make_iin(born, "female" if female else "male", number),
            last_name=last,
            first_name=first,
            patronymic=patronymic,
            birth_date=born,
            citizenship="KZ",
            education="higher",
            work_experience_years=8.0,
            nomination_type="party" if party else "self",
            party=parties.get(party),
            party_member=True if party else None,
            signatures_valid=None if party else 40,
            settlements_covered=None if party else 2,
            deposit_paid=True,
            documents=complete_documents(party),
            legal_capacity=True,
            serving_sentence=False,
            unexpunged_conviction=False,
            corruption_offence=False,
            special_check="passed",
            consecutive_terms_in_post=0,
            qualification_met=True,
            qualification_note="Білім туралы диплом мен еңбек кітапшасы тексерілді",
            status="submitted",
            grounds=[],
        )
        db.session.add(candidate)
        made.append(candidate)
    db.session.flush()
    return made


def _observers(night, chair) -> list[DemoLogin]:
    """Two observers at the Викторовка precinct that has reported (elections/demo/observers.py)."""
    passwords = {o.username: _password() for o in demo_observers.OBSERVERS}
    reported = min(night.precincts, key=lambda p: p.number)
    made = demo_observers.observe(night, reported, chair, passwords)
    return [
        DemoLogin(o.username, "observer", passwords[o.username], str(a.id))
        for o, a in zip(demo_observers.OBSERVERS, made, strict=True)
    ]


def _enter(precincts, counts, chair) -> None:
    """Protocols for the precincts, per precinct: received, issued, in boxes, invalid, votes
    per candidate in ballot order, against all."""
    ordered = ballot_candidates(precincts[0].election)
    for precinct, (received, issued, boxes, invalid_, votes, against) in zip(
        precincts, counts, strict=True
    ):
        save_protocol(
            precinct,
            {
                "voters_on_list": precinct.voters_on_list,
                "ballots_received": received,
                "ballots_issued": issued,
                "ballots_cancelled": received - issued,
                "ballots_in_boxes": boxes,
                "invalid_ballots": invalid_,
                "votes": {str(c.id): n for c, n in zip(ordered, votes, strict=True)},
                "against_all": against,
                "expected_version": 0,
            },
            chair,
        )


def _precinct(election, row):
    number, kato, voters, address = row
    return territory.add_precinct(
        election,
        {"number": number, "unit_kato": kato, "voters_on_list": voters, "address": address},
        None,
    )


def _password() -> str:
    return secrets.token_urlsafe(12)
