"""Two territorial commissions' protocol saves never wait for each other (issue 17).

With one audit chain for the country every save locked the one head row at commit, so every
writer in the country queued on it. Each commission's election-night events now have their
own chain and head. Here a save of commission A is held open at its commit, its head locked,
while a save of commission B goes through; a second save of commission A (another election,
so that nothing but the chain's head is shared) waits until A commits, which shows the test
can see a wait.

Real clients and real commits, each request on its own pooled connection. On SQLite every
write transaction holds the file's one write lock (core/sqlite.py), so there B waits too: the
test shows that, and that B's events still go to a head of their own.
"""

from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from elections.auth.models import User
from elections.auth.services import issue_token
from elections.core import audit
from elections.core.audit import AuditEvent
from elections.core.extensions import db
from elections.territory.models import Election, Unit
from tests import factories
from tests.results.support import protocol_body

pytestmark = pytest.mark.committing

HELD_FOR = 10.0  # seconds at most: the held save is released at the end either way


@pytest.fixture
def commissions(committed_app):
    committed_app.config["ELECTIONS_NOW"] = factories.count_night()
    with committed_app.app_context():
        world = factories.make_world()
        district = db.session.execute(select(Unit).where(Unit.kato == world.district)).scalar_one()
        # A second election of commission A: its saves share nothing with the first but the
        # commission's chain.
        second = factories.ElectionFactory(
            unit=factories.UnitFactory(kind="rural_district", parent=district), organiser=district
        )
        second_precinct = factories.PrecinctFactory(election=second, unit=second.unit)
        saves = {}
        for name, election_id, precinct_id, role in (
            ("a", world.election_id, world.precinct_a, "territorial_member"),
            ("a_again", second.id, second_precinct.id, "territorial_member"),
            ("b", world.other_election_id, world.other_precinct, "other_member"),
        ):
            election = db.session.get(Election, election_id)
            candidates = [
                factories.CandidateFactory(election=election, status="registered").id
                for _ in range(2)
            ]
            token = issue_token(db.session.get(User, world.users[role]))
            saves[name] = SimpleNamespace(
                url=f"/api/v1/elections/{election_id}/precincts/{precinct_id}/protocol",
                body=protocol_body(dict(zip(candidates, (300, 200), strict=True)), invalid=3),
                headers={"Authorization": f"Bearer {token}"},
                chain=election.audit_chain,
            )
        db.session.commit()
    yield saves
    committed_app.config["ELECTIONS_NOW"] = None


def saving(app, save, answers: dict, name: str, into: list | None = None) -> threading.Thread:
    """A save on a thread of its own, put in ``into`` before it starts."""

    def run():
        response = app.test_client().put(save.url, json=save.body, headers=save.headers)
        answers[name] = response.status_code

    thread = threading.Thread(target=run, name=name)
    if into is not None:
        into.append(thread)
    thread.start()
    return thread


def test_a_save_in_one_commission_does_not_wait_for_another_commissions_commit(
    committed_app, commissions
):
    held, release, chained = threading.Event(), threading.Event(), threading.Event()
    holder: list[threading.Thread] = []

    def watch(conn, cursor, statement, parameters, context, executemany):
        if threading.current_thread() in holder and statement.startswith(
            "INSERT INTO audit_events"
        ):
            chained.set()

    def hold_at_commit(session: Session) -> None:
        # Runs after the audit's own before_commit listener: once the save's events are
        # chained, the chain's head is locked and the transaction stays open until released.
        if threading.current_thread() in holder and chained.is_set() and not held.is_set():
            held.set()
            release.wait(HELD_FOR)

    with committed_app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", watch)
    event.listen(Session, "before_commit", hold_at_commit)
    answers: dict[str, int] = {}
    try:
        saving(committed_app, commissions["a"], answers, "a", into=holder)
        assert held.wait(HELD_FOR), "commission A's save never reached its commit"
        other = saving(committed_app, commissions["b"], answers, "b")
        other.join(timeout=5)
        with committed_app.app_context():
            sqlite = db.engine.dialect.name == "sqlite"
        if sqlite:
            assert other.is_alive(), "on SQLite a second writer waits for the file's lock"
        else:
            assert not other.is_alive(), "commission B's save waited for commission A's"
            assert answers["b"] == 200
            same = saving(committed_app, commissions["a_again"], answers, "a_again")
            same.join(timeout=1.5)
            assert same.is_alive(), "a second save of commission A did not wait for its head"
    finally:
        release.set()
        for thread in threading.enumerate():
            if thread.name in ("a", "a_again", "b"):
                thread.join(timeout=30)
        event.remove(Session, "before_commit", hold_at_commit)
        event.remove(engine, "before_cursor_execute", watch)
    assert answers == {"a": 200, "b": 200, **({} if sqlite else {"a_again": 200})}
    with committed_app.app_context():
        chains = dict(
            db.session.execute(
                select(AuditEvent.chain, AuditEvent.seq).where(
                    AuditEvent.action == "protocol.saved"
                )
            ).all()
        )
        assert commissions["a"].chain != commissions["b"].chain
        assert chains[commissions["b"].chain] == 1  # the first event of a chain of its own
        assert audit.verify().ok
