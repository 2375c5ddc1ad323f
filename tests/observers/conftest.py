"""Fixtures of the observer tests: the count under way, a candidate on the ballot, tokens."""

from __future__ import annotations

import pytest

from elections.core.extensions import db
from elections.territory.models import Election
from tests.factories import CandidateFactory, count_night


@pytest.fixture
def night(app, world, clock):
    """The count of the world's election is an hour old; two candidates are on the ballot."""
    clock(count_night())
    with app.app_context():
        election = db.session.get(Election, world.election_id)
        first = CandidateFactory(election=election, status="registered", last_name="Әлиев")
        second = CandidateFactory(election=election, status="registered", last_name="Бекова")
        db.session.commit()
        world.candidates = [first.id, second.id]
    return world


@pytest.fixture
def member(world, token_for):
    return token_for(world.users["territorial_member"])


@pytest.fixture
def chair(world, token_for):
    return token_for(world.users["territorial_chair"])


@pytest.fixture
def secretary(world, token_for):
    return token_for(world.users["precinct_secretary"])


@pytest.fixture
def observer(world, token_for):
    return token_for(world.users["observer"])
