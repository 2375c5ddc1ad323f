"""A PATCH and a decision on one candidate at the same moment, with real connections and real
commits: the decision is never lost and never made on facts it did not see.

The PATCH locks the candidate row as the decision does (SELECT ... FOR UPDATE on PostgreSQL;
SQLite's writers queue on BEGIN IMMEDIATE), so one waits for the other. These tests run on a
database of their own (``committed_app``): SQLite, or PostgreSQL when
ELECTIONS_TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from types import SimpleNamespace

import pytest
from flask import Flask
from sqlalchemy import select

from elections.auth.models import User
from elections.auth.services import issue_token
from elections.candidates.models import Candidate
from elections.core import audit
from elections.core.audit import AuditEvent
from elections.core.extensions import db
from elections.territory.models import Election
from tests import factories

pytestmark = pytest.mark.committing

ROUNDS = 6


@pytest.fixture(scope="module")
def race(committed_app) -> SimpleNamespace:
    with committed_app.app_context():
        world = factories.make_world()
        db.session.commit()
        headers = []
        for role in ("territorial_member", "territorial_chair"):
            token = issue_token(db.session.get(User, world.users[role]))
            headers.append({"Authorization": f"Bearer {token}"})
        db.session.commit()
        world.headers = headers
        return world


def new_candidate(app: Flask, election_id: int, **facts) -> int:
    with app.app_context():
        election = db.session.get(Election, election_id)
        candidate = factories.CandidateFactory(election=election, **facts)
        db.session.commit()
        return candidate.id


def at_once(app: Flask, requests: list[Callable]) -> list[tuple[int, dict]]:
    """Each ``request(client)`` in its own thread and test client, released together."""
    barrier = threading.Barrier(len(requests))
    answers: list = [None] * len(requests)

    def run(index: int) -> None:
        client = app.test_client()
        try:
            barrier.wait(timeout=30)
            response = requests[index](client)
            answers[index] = (response.status_code, response.get_json())
        except BaseException as error:  # reported in the test's own thread
            answers[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a client never finished"
    errors = [answer for answer in answers if isinstance(answer, BaseException)]
    assert not errors, errors
    return answers


def send(method: str, url: str, body: dict, headers: dict) -> Callable:
    return lambda client: client.open(url, method=method, json=body, headers=headers)


def after(app: Flask, candidate_id: int) -> SimpleNamespace:
    with app.app_context():
        candidate = db.session.get(Candidate, candidate_id)
        events = db.session.execute(
            select(AuditEvent.action, AuditEvent.payload)
            .where(AuditEvent.entity_type == "candidate", AuditEvent.entity_id == str(candidate_id))
            .order_by(AuditEvent.seq)
        ).all()
        return SimpleNamespace(
            status=candidate.status,
            special_check=candidate.special_check,
            deposit_paid=candidate.deposit_paid,
            history=[event.status for event in candidate.history],
            actions=[action for action, _payload in events],
            payloads=[json.loads(payload) for _action, payload in events],
            chain_ok=audit.verify().ok,
        )


def test_a_patch_and_a_registration_at_once_never_both_win(committed_app, race):
    for _round in range(ROUNDS):
        candidate_id = new_candidate(committed_app, race.election_id)
        url = f"/api/v1/candidates/{candidate_id}"
        answers = at_once(
            committed_app,
            [
                send("PATCH", url, {"special_check": "failed"}, race.headers[0]),
                send("POST", url + "/decision", {"decision": "register"}, race.headers[1]),
            ],
        )
        (patched, patch_body), (decided, decision_body) = answers
        now = after(committed_app, candidate_id)
        assert now.chain_ok
        if patched == 200:  # the change came first: the decision saw a failed check
            assert decided == 409, decision_body
            assert decision_body["errors"][0]["code"] == "ineligible"
            assert (now.status, now.special_check) == ("submitted", "failed")
            assert now.actions == ["candidate.updated"]
        else:  # the registration came first and stands
            assert (patched, decided) == (409, 200), answers
            assert patch_body["errors"][0]["code"] == "already_decided"
            assert (now.status, now.special_check) == ("registered", "passed")
            assert now.history == ["submitted", "registered"]
            assert now.actions == ["candidate.registered"]


def test_two_patches_at_once_both_land_and_each_records_what_it_saw(committed_app, race):
    for _round in range(ROUNDS):
        candidate_id = new_candidate(committed_app, race.election_id, special_check="pending")
        url = f"/api/v1/candidates/{candidate_id}"
        answers = at_once(
            committed_app,
            [
                send("PATCH", url, {"special_check": "passed"}, race.headers[0]),
                send("PATCH", url, {"deposit_paid": False}, race.headers[1]),
            ],
        )
        assert [status for status, _body in answers] == [200, 200], answers
        now = after(committed_app, candidate_id)
        assert (now.special_check, now.deposit_paid) == ("passed", False)
        changes = [payload["changes"] for payload in now.payloads]
        assert sorted(changes, key=str) == sorted(
            [
                {"special_check": {"old": "pending", "new": "passed"}},
                {"deposit_paid": {"old": True, "new": False}},
            ],
            key=str,
        )
        assert now.chain_ok


# --- a PATCH and a nomination for the same party or person --------------------------------------
# The PATCH locks the election before the candidate, as a nomination locks it, so the two
# checks of "one nominee per party" and "one nomination per person" cannot both pass.


def new_party(app: Flask) -> int:
    with app.app_context():
        party = factories.PartyFactory()
        db.session.commit()
        return party.id


def standing(app: Flask, election_id: int, **where) -> int:
    with app.app_context():
        return (
            db.session.query(Candidate)
            .filter_by(election_id=election_id, **where)
            .filter(Candidate.status.in_(("submitted", "registered")))
            .count()
        )


def test_a_patch_to_a_party_and_a_nomination_for_it_at_once_leave_one_nominee(committed_app, race):
    election_url = f"/api/v1/elections/{race.election_id}/candidates"
    for _round in range(ROUNDS):
        party_id = new_party(committed_app)
        candidate_id = new_candidate(committed_app, race.election_id)
        answers = at_once(
            committed_app,
            [
                send(
                    "PATCH",
                    f"/api/v1/candidates/{candidate_id}",
                    {"nomination": {"party_id": party_id}},
                    race.headers[0],
                ),
                send(
                    "POST",
                    election_url,
                    factories.nomination_body(factories.party_nomination(party_id)),
                    race.headers[1],
                ),
            ],
        )
        assert standing(committed_app, race.election_id, party_id=party_id) == 1, answers
        assert sorted(status for status, _body in answers) in ([200, 409], [201, 409]), answers
        [(_status, refused)] = [answer for answer in answers if answer[0] == 409]
        assert refused["errors"][0]["code"] == "party_already_nominated"


def test_a_patch_to_an_iin_and_a_nomination_of_that_person_at_once_leave_one(committed_app, race):
    election_url = f"/api/v1/elections/{race.election_id}/candidates"
    for _round in range(ROUNDS):
        candidate_id = new_candidate(committed_app, race.election_id)
        body = factories.nomination_body(factories.self_nomination(20, 1))
        answers = at_once(
            committed_app,
            [
                send(
                    "PATCH",
                    f"/api/v1/candidates/{candidate_id}",
                    {"iin": body["iin"], "birth_date": body["birth_date"]},
                    race.headers[0],
                ),
                send("POST", election_url, body, race.headers[1]),
            ],
        )
        assert standing(committed_app, race.election_id, iin=body["iin"]) == 1, answers
        assert sorted(status for status, _body in answers) in ([200, 409], [201, 409]), answers
        [(_status, refused)] = [answer for answer in answers if answer[0] == 409]
        assert refused["errors"][0]["code"] == "already_nominated"
