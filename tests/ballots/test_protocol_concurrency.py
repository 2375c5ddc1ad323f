"""Concurrent saves of one protocol, with real connections and real commits: no lost update.

These tests commit for real, so they run on a database of their own, made fresh for this
module from the migrations: a new SQLite file, or on PostgreSQL (ELECTIONS_TEST_DATABASE_URL
set) a new database on the same server, dropped at the end. Every client thread gets its own
test client, so each request has its own session and its own pooled connection.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from types import SimpleNamespace

import pytest
from flask import Flask
from sqlalchemy import event, func, select

from elections.auth.models import User
from elections.auth.services import issue_token
from elections.ballots.models import Protocol, ProtocolVersion
from elections.core import audit
from elections.core.audit import AuditEvent
from elections.core.extensions import db
from elections.core.idempotency import IdempotencyRecord
from elections.territory.models import Election, Unit
from tests import factories
from tests.ballots.helpers import protocol_body, protocol_url

pytestmark = pytest.mark.committing

CLIENTS = 8
ROUNDS = 3


@pytest.fixture
def race_world(committed_app) -> SimpleNamespace:
    """The standard world in the fresh database, three registered candidates, and one token
    per client, from the secretary and the organising commission in turn."""
    committed_app.config["ELECTIONS_NOW"] = factories.count_night()  # protocols need the count
    with committed_app.app_context():
        world = factories.make_world()
        election = db.session.get(Election, world.election_id)
        candidates = [
            factories.CandidateFactory(election=election, status="registered", last_name=name)
            for name in ("Әбенова", "Бекова", "Үсенов")
        ]
        db.session.commit()
        roles = ["precinct_secretary", "territorial_member", "territorial_chair"]
        tokens = [
            issue_token(db.session.get(User, world.users[roles[i % len(roles)]]))
            for i in range(CLIENTS)
        ]
        db.session.commit()
        world.candidates = [c.id for c in candidates]
        world.headers = [{"Authorization": f"Bearer {token}"} for token in tokens]
        return world


class ConnectionWatch:
    """The most connections the app's pool had handed out at the same time."""

    def __init__(self, app: Flask):
        with app.app_context():
            self.pool = db.engine.pool
        self.lock = threading.Lock()
        self.out = self.most = 0

    def checkout(self, *_args):
        with self.lock:
            self.out += 1
            self.most = max(self.most, self.out)

    def checkin(self, *_args):
        with self.lock:
            self.out -= 1

    def __enter__(self):
        event.listen(self.pool, "checkout", self.checkout)
        event.listen(self.pool, "checkin", self.checkin)
        return self

    def __exit__(self, *_exc):
        event.remove(self.pool, "checkout", self.checkout)
        event.remove(self.pool, "checkin", self.checkin)


def at_once(app: Flask, requests: list[Callable]) -> list[tuple[int, dict]]:
    """Run each ``request(client)`` in its own thread with its own test client, all released
    together by a barrier; -> (status, JSON) per request, in order."""
    barrier = threading.Barrier(len(requests))
    answers: list = [None] * len(requests)

    def run(index: int) -> None:
        client = app.test_client()
        try:
            barrier.wait(timeout=30)
            response = requests[index](client)
            answers[index] = (response.status_code, response.get_json())
        except BaseException as error:  # reported below, in the test's own thread
            answers[index] = error

    threads = [
        threading.Thread(target=run, args=(i,), name=f"client-{i}") for i in range(len(requests))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a client never finished"
    errors = [answer for answer in answers if isinstance(answer, BaseException)]
    assert not errors, errors
    return answers


def stored(app: Flask, precinct_id: int) -> SimpleNamespace:
    with app.app_context():
        versions = db.session.execute(
            select(ProtocolVersion)
            .where(ProtocolVersion.precinct_id == precinct_id)
            .order_by(ProtocolVersion.version)
        ).scalars()
        rows = [(v.version, v.is_current, v.invalid_ballots, v.created_by) for v in versions]
        header = db.session.execute(
            select(Protocol.version).where(Protocol.precinct_id == precinct_id)
        ).scalar_one_or_none()
        saved_events = db.session.execute(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "protocol.saved", AuditEvent.entity_id == str(precinct_id))
        ).scalar_one()
        verdict = audit.verify()
        return SimpleNamespace(versions=rows, header=header, events=saved_events, verdict=verdict)


def test_concurrent_saves_against_the_same_version_never_both_win(committed_app, race_world):
    url = protocol_url(race_world.election_id, race_world.precinct_a)
    usernames = list(race_world.usernames.values())
    most_at_once = 0
    for expected in range(ROUNDS):
        # Each client types different figures (invalid ballots 10 + i), so the stored version
        # shows whose save won.
        saves = [
            lambda client, i=i, expected=expected: client.put(
                url,
                json=protocol_body(
                    race_world.candidates,
                    expected_version=expected,
                    invalid_ballots=10 + i,
                    ballots_in_boxes=790 + i,
                ),
                headers=race_world.headers[i],
            )
            for i in range(CLIENTS)
        ]
        with ConnectionWatch(committed_app) as watch:
            answers = at_once(committed_app, saves)
        most_at_once = max(most_at_once, watch.most)

        statuses = [status for status, _body in answers]
        assert sorted(statuses) == [200] + [409] * (CLIENTS - 1), answers
        winner = statuses.index(200)
        assert answers[winner][1]["version"] == expected + 1
        for status, body in answers:
            if status == 409:
                assert [e["code"] for e in body["errors"]] == ["version_conflict"], body
                assert body["errors"][0]["current_version"] == expected + 1, body

        now = stored(committed_app, race_world.precinct_a)
        assert now.header == expected + 1
        assert [v[0] for v in now.versions] == list(range(1, expected + 2))
        assert [v[1] for v in now.versions] == [False] * expected + [True]
        assert now.versions[-1][2] == 10 + winner
        assert now.versions[-1][3] in usernames
        assert now.events == expected + 1
        assert now.verdict.ok, now.verdict.problem
    # The clients really overlapped: several connections were out of the pool at once.
    assert most_at_once > 1


def test_concurrent_retries_with_one_idempotency_key_create_one_version(committed_app, race_world):
    url = protocol_url(race_world.election_id, race_world.precinct_b)
    body = protocol_body(race_world.candidates)
    headers = {**race_world.headers[1], "Idempotency-Key": "flaky-uplink-1"}  # one member

    answers = at_once(
        committed_app,
        [lambda c: c.put(url, json=body, headers=headers) for _ in range(CLIENTS)],
    )

    statuses = [status for status, _body in answers]
    assert set(statuses) <= {200, 409}, answers
    accepted = [answer for status, answer in answers if status == 200]
    assert accepted and all(answer == accepted[0] for answer in accepted)
    assert accepted[0]["version"] == 1
    for status, answer in answers:
        if status == 409:  # saw no stored answer yet, then lost the compare-and-set
            assert answer["errors"][0]["code"] == "version_conflict"
    now = stored(committed_app, race_world.precinct_b)
    assert [v[0] for v in now.versions] == [1]
    assert now.events == 1
    assert now.verdict.ok, now.verdict.problem
    with committed_app.app_context():
        keys = db.session.execute(
            select(func.count())
            .select_from(IdempotencyRecord)
            .where(IdempotencyRecord.key == "flaky-uplink-1")
        ).scalar_one()
    assert keys == 1


def test_concurrent_first_saves_of_different_precincts_all_win_and_the_audit_chain_holds(
    committed_app, race_world
):
    with committed_app.app_context():
        election = db.session.get(Election, race_world.election_id)
        village = db.session.execute(
            select(Unit).where(Unit.kato == race_world.village_a)
        ).scalar_one()
        precincts = [
            factories.PrecinctFactory(election=election, unit=village, voters_on_list=1200)
            for _ in range(CLIENTS)
        ]
        db.session.commit()
        precinct_ids = [p.id for p in precincts]
    member = race_world.headers[1]
    body = protocol_body(race_world.candidates)

    answers = at_once(
        committed_app,
        [
            lambda c, p=p: c.put(protocol_url(race_world.election_id, p), json=body, headers=member)
            for p in precinct_ids
        ],
    )

    assert [status for status, _body in answers] == [200] * CLIENTS, answers
    assert [answer["precinct_id"] for _status, answer in answers] == precinct_ids
    for precinct_id in precinct_ids:
        now = stored(committed_app, precinct_id)
        assert [v[0] for v in now.versions] == [1]
        assert now.events == 1
    assert now.verdict.ok, now.verdict.problem
