"""An election with six candidates whose names hold every Kazakh letter, two precinct
protocols (the first precinct saved twice) and, for the result, its certification."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from elections.auth.models import User
from elections.ballots import services as ballot_services
from elections.ballots.models import ProtocolVersion
from elections.core.extensions import db
from elections.results import services as result_services
from elections.territory.models import Election, Precinct
from elections.web import page_cache
from tests import factories
from tests.results.support import protocol_body

# In ballot order (Kazakh alphabet: Ә Ғ Қ Ө Ү Һ), made out of that order.
NAMES = (
    ("Әбенова", "Гүлнар", "Серікқызы"),
    ("Ғабитов", "Ғалымжан", None),
    ("Қасымова", "Іңкәр", "Нұрланқызы"),
    ("Өтебаев", "Нұрлан", "Ұланұлы"),
    ("Үсенов", "Мұрат", None),
    ("Һашимов", "Шаһизада", None),
)
MADE_IN = (4, 1, 5, 0, 3, 2)
VOTES_V1 = (300, 120, 90, 60, 30, 15)
VOTES_V2 = (301, 120, 90, 60, 30, 15)
VOTES_B = (200, 80, 70, 50, 20, 10)


def full_name(parts) -> str:
    return " ".join(p for p in parts if p)


@pytest.fixture(autouse=True)
def _count_under_way(clock):
    clock(factories.count_night())


@pytest.fixture(autouse=True)
def _fresh_results_cache():
    page_cache.clear()
    yield
    page_cache.clear()


@pytest.fixture
def entered(app, world):
    """Six registered candidates; precinct a saved as versions 1 and 2, precinct b once."""
    with app.app_context():
        election = db.session.get(Election, world.election_id)
        made = {}
        for index in MADE_IN:
            last, first, patronymic = NAMES[index]
            made[index] = factories.CandidateFactory(
                election=election,
                status="registered",
                last_name=last,
                first_name=first,
                patronymic=patronymic,
                self_nominated=index == 3,
            ).id
        ids = [made[i] for i in range(len(NAMES))]
        secretary = db.session.get(User, world.users["precinct_secretary"])
        precinct_a = db.session.get(Precinct, world.precinct_a)
        precinct_b = db.session.get(Precinct, world.precinct_b)
        save = ballot_services.save_protocol
        save(
            precinct_a,
            protocol_body(dict(zip(ids, VOTES_V1, strict=True)), invalid=7, against_all=11),
            secretary,
        )
        save(
            precinct_a,
            protocol_body(
                dict(zip(ids, VOTES_V2, strict=True)), invalid=7, against_all=11, expected_version=1
            ),
            secretary,
        )
        save(
            precinct_b,
            protocol_body(dict(zip(ids, VOTES_B, strict=True)), invalid=3, against_all=5),
            None,
        )
        db.session.commit()
        digests = dict(
            db.session.execute(
                select(ProtocolVersion.version, ProtocolVersion.digest).where(
                    ProtocolVersion.precinct_id == world.precinct_a
                )
            ).all()
        )
        number_a = precinct_a.number
    return SimpleNamespace(world=world, candidates=ids, digests=digests, number_a=number_a)


@pytest.fixture
def certified(app, entered):
    """The same election, its result certified by the chair as version 1."""
    with app.app_context():
        election = db.session.get(Election, entered.world.election_id)
        chair = db.session.get(User, entered.world.users["territorial_chair"])
        version = result_services.certify(election, chair)
        db.session.commit()
        entered.result_digest = version.digest
        entered.result_version = version.version
    return entered
