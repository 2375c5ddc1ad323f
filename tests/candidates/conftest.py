"""Shared set-up for the candidate integration tests: a dated election, parties, candidates.

The dated election is rural, called on 20 Jul 2026 with election day 20 Sep 2026, so it
takes the ``rural-2023`` profile; its legal deadlines, written out below as UTC instants,
are 18:00 Asia/Almaty (UTC+5) on election day minus N+1 days for "N days before", as in
the CEC's published calendars (domain.md, "How days are counted"). They once said minus N,
a day late.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest

from elections.core.extensions import db
from elections.territory.models import Election, Party, Unit
from tests import factories

CALLED_ON = date(2026, 7, 20)
ELECTION_DAY = date(2026, 9, 20)
# The day after the call, 00:00 local.
NOMINATION_OPENS = datetime(2026, 7, 20, 19, 0, tzinfo=UTC)
# "25 days before": 18:00 local on 25 Aug 2026 (E-26).
NOMINATION_CLOSES = datetime(2026, 8, 25, 13, 0, tzinfo=UTC)
# "20 days before": 18:00 local on 30 Aug 2026 (E-21).
REGISTRATION_CLOSES = datetime(2026, 8, 30, 13, 0, tzinfo=UTC)
# "2 days before": 18:00 local on 17 Sep 2026 (E-3).
WITHDRAWAL_CLOSES = datetime(2026, 9, 17, 13, 0, tzinfo=UTC)
DURING_NOMINATION = datetime(2026, 8, 10, 6, 0, tzinfo=UTC)


@pytest.fixture
def dated_world(app, clock):
    """The standard world with its election on fixed dates; the clock stops mid-nomination."""
    with app.app_context():
        world = factories.make_world(called_on=CALLED_ON, election_day=ELECTION_DAY)
        db.session.commit()
        assert db.session.get(Election, world.election_id).profile_key == "rural-2023"
    clock(DURING_NOMINATION)
    return world


@pytest.fixture
def member(world, token_for):
    """Bearer headers of a member of the commission that organises world.election_id."""
    return token_for(world.users["territorial_member"])


@pytest.fixture
def new_party(app):
    """``new_party()`` -> the id of a fresh party."""

    def make() -> int:
        with app.app_context():
            party = factories.PartyFactory()
            db.session.commit()
            return party.id

    return make


@pytest.fixture
def add_candidate(app):
    """``add_candidate(election_id, party_id=None, **factory_kwargs)``.

    Returns id, application_number and iin; without ``party_id`` a fresh party nominates.
    """

    def make(election_id: int, party_id: int | None = None, **kwargs) -> SimpleNamespace:
        with app.app_context():
            election = db.session.get(Election, election_id)
            if party_id is not None:
                kwargs["party"] = db.session.get(Party, party_id)
            candidate = factories.CandidateFactory(election=election, **kwargs)
            db.session.commit()
            return SimpleNamespace(
                id=candidate.id,
                application_number=candidate.application_number,
                iin=candidate.iin,
            )

    return make


@pytest.fixture
def add_user(app):
    """``add_user(role, commission_kato=None)`` -> the id of a fresh user."""

    def make(role: str, commission_kato: str | None = None) -> int:
        with app.app_context():
            commission = None
            if commission_kato is not None:
                commission = db.session.query(Unit).filter_by(kato=commission_kato).one()
            user = factories.UserFactory(role=role, commission=commission)
            db.session.commit()
            return user.id

    return make


@pytest.fixture
def guarded(database_url):
    """An app with CSRF protection on, as in production (the session app turns it off)."""
    from elections import create_app

    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "test-secret-not-for-production",
            "WTF_CSRF_ENABLED": True,
            "SESSION_COOKIE_SECURE": False,
        }
    )
    yield app
    with app.app_context():
        db.engine.dispose()
