"""Shared set-up for the ballot and protocol integration tests: registered candidates, tokens."""

from __future__ import annotations

import pytest

from elections.core.extensions import db
from elections.territory.models import Election
from tests import factories


@pytest.fixture
def add_candidate(app):
    """``add_candidate(election_id, last_name, first_name, patronymic=None, **factory_kwargs)``
    -> the id of a candidate, registered unless ``status`` says otherwise."""

    def make(election_id: int, last_name: str, first_name: str = "Айгерим", patronymic=None, **kw):
        kw.setdefault("status", "registered")
        with app.app_context():
            candidate = factories.CandidateFactory(
                election=db.session.get(Election, election_id),
                last_name=last_name,
                first_name=first_name,
                patronymic=patronymic,
                **kw,
            )
            db.session.commit()
            return candidate.id

    return make


@pytest.fixture
def candidates(world, add_candidate) -> list[int]:
    """Three registered candidates of world.election_id, ids in ballot order.

    Created out of order, so ballot order is neither id order nor code-point order
    (Ү and Ә sort after every Russian letter by code point).
    """
    usenov = add_candidate(world.election_id, "Үсенов", "Мұрат")
    abenova = add_candidate(world.election_id, "Әбенова", "Гүлнар", self_nominated=True)
    bekova = add_candidate(world.election_id, "Бекова", "Айгүл", "Серікқызы")
    return [abenova, bekova, usenov]


@pytest.fixture
def secretary(world, token_for) -> dict[str, str]:
    """Bearer headers of the secretary of world.precinct_a."""
    return token_for(world.users["precinct_secretary"])


@pytest.fixture
def member(world, token_for) -> dict[str, str]:
    """Bearer headers of a member of the commission organising world.election_id."""
    return token_for(world.users["territorial_member"])


@pytest.fixture
def chair(world, token_for) -> dict[str, str]:
    return token_for(world.users["territorial_chair"])


@pytest.fixture(autouse=True)
def _count_under_way(clock):
    """Protocols exist once the count starts (20:00 on election day): these tests run an hour
    into the count of the factory elections (``clock`` may move them elsewhere)."""
    clock(factories.count_night())
