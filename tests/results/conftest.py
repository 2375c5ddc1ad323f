"""Shared set-up for the results integration tests: elections with candidates and protocols.

Candidates get surnames whose initials follow the Kazakh alphabet (А, Б, Д, Е, Ж, Қ, Н, С),
so their ballot order is the order they were made in.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from elections.ballots import services as ballot_services
from elections.ballots.models import Protocol
from elections.candidates.models import Candidate
from elections.core.extensions import db
from elections.results import national
from elections.territory.models import Election, Precinct, Unit
from elections.web import page_cache
from tests import factories
from tests.results.support import protocol_body

SURNAMES = (
    "Абенов",
    "Бекова",
    "Дауленов",
    "Ермекова",
    "Жумабаев",
    "Қасымова",
    "Нұрланов",
    "Сейтов",
)


@pytest.fixture(autouse=True)
def _fresh_results_cache():
    """The results page cache and the national results live in process memory: each test
    starts with both empty."""
    page_cache.clear()
    national.forget()
    yield
    page_cache.clear()
    national.forget()


@pytest.fixture
def add_candidates(app):
    """``add_candidates(election_id, n)`` -> ids of n registered candidates, in ballot order."""

    def make(election_id: int, n: int, first: int = 0) -> list[int]:
        with app.app_context():
            election = db.session.get(Election, election_id)
            ids = [
                factories.CandidateFactory(
                    election=election, status="registered", last_name=surname
                ).id
                for surname in SURNAMES[first : first + n]
            ]
            db.session.commit()
            return ids

    return make


@pytest.fixture
def save(app):
    """``save(precinct_id, votes, **protocol_body_kwargs)``: saves the next protocol version
    through the service (as the system) and returns its version number."""

    def store(precinct_id: int, votes: dict[int, int], **kwargs) -> int:
        with app.app_context():
            precinct = db.session.get(Precinct, precinct_id)
            current = db.session.execute(
                select(Protocol.version).where(Protocol.precinct_id == precinct_id)
            ).scalar_one_or_none()
            body = protocol_body(votes, expected_version=current or 0, **kwargs)
            version = ballot_services.save_protocol(precinct, body, None).version
            db.session.commit()
            return version

    return store


@pytest.fixture
def counted(app, world, add_candidates, save):
    """world.election with two candidates; precinct A reported (500/250), B not yet."""
    c1, c2 = add_candidates(world.election_id, 2)
    save(world.precinct_a, {c1: 500, c2: 250}, invalid=8, against_all=40)
    with app.app_context():
        names = {cid: db.session.get(Candidate, cid).full_name for cid in (c1, c2)}
        election = db.session.get(Election, world.election_id)
        unit = {"kk": election.unit.name_kk, "ru": election.unit.name_ru}
        numbers = {
            p.id: p.number
            for p in db.session.execute(
                select(Precinct).where(Precinct.election_id == world.election_id)
            ).scalars()
        }
    return type(
        "Counted", (), {"c1": c1, "c2": c2, "names": names, "unit": unit, "numbers": numbers}
    )


@pytest.fixture
def make_election(app, world):
    """``make_election(candidates, precincts, voters=1000)``: a fresh rural election organised
    by world.district (so world's chair and member act on it), each precinct in its own village.

    Returns id, precincts (ids, by number), candidates (ids, in ballot order).
    """

    def make(candidates: int, precincts: int, voters: int = 1000) -> SimpleNamespace:
        with app.app_context():
            district = db.session.execute(
                select(Unit).where(Unit.kato == world.district)
            ).scalar_one()
            rural = factories.UnitFactory(kind="rural_district", parent=district)
            election = factories.ElectionFactory(unit=rural, organiser=district)
            precinct_ids = []
            for _ in range(precincts):
                village = factories.UnitFactory(kind="village", parent=rural)
                precinct = factories.PrecinctFactory(
                    election=election, unit=village, voters_on_list=voters
                )
                precinct_ids.append(precinct.id)
            candidate_ids = [
                factories.CandidateFactory(
                    election=election, status="registered", last_name=surname
                ).id
                for surname in SURNAMES[:candidates]
            ]
            db.session.commit()
            return SimpleNamespace(id=election.id, precincts=precinct_ids, candidates=candidate_ids)

    return make


@pytest.fixture
def chair(world, token_for):
    """Bearer headers of the chair of the commission that organises world.election_id."""
    return token_for(world.users["territorial_chair"])


@pytest.fixture(autouse=True)
def _count_under_way(clock):
    """Protocols exist once the count starts (20:00 on election day): these tests run an hour
    into the count of the factory elections (``clock`` may move them elsewhere)."""
    clock(factories.count_night())
