"""Fixtures of the observer tests: the count under way, a candidate on the ballot, tokens."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from elections.auth.models import User
from elections.auth.services import issue_token
from elections.core.extensions import db
from elections.territory.models import Election, Precinct
from tests import factories
from tests.factories import CandidateFactory, count_night
from tests.observers.support import OBSERVERS


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


@pytest.fixture
def race(committed_app) -> SimpleNamespace:
    """The world in a database of its own (tests that commit for real), two candidates,
    OBSERVERS observers accredited to both precincts, and bearer headers for everyone."""
    committed_app.config["ELECTIONS_NOW"] = factories.count_night()
    with committed_app.app_context():
        world = factories.make_world()
        election = db.session.get(Election, world.election_id)
        candidates = [
            factories.CandidateFactory(election=election, status="registered", last_name=n).id
            for n in ("Әбенова", "Бекова")
        ]
        precincts = [db.session.get(Precinct, p) for p in (world.precinct_a, world.precinct_b)]
        observers = []
        for number in range(OBSERVERS):
            user = factories.UserFactory(role="observer")
            factories.accredit_observer(election, precincts, user, name=f"Байқаушы {number}")
            observers.append(user)
        db.session.commit()

        def bearer(user_id):
            return {"Authorization": f"Bearer {issue_token(db.session.get(User, user_id))}"}

        secretaries = [
            bearer(world.users["precinct_secretary"]),
            bearer(world.users["other_secretary"]),
        ]
        headers = [bearer(user.id) for user in observers]
        chair = bearer(world.users["territorial_chair"])
        db.session.commit()
    yield SimpleNamespace(
        election_id=world.election_id,
        precincts=(world.precinct_a, world.precinct_b),
        candidates=candidates,
        secretaries=secretaries,
        observers=headers,
        chair=chair,
    )
    committed_app.config["ELECTIONS_NOW"] = None
