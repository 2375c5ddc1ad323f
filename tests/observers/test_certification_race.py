"""Observers enter copies while the chair certifies, with real concurrent clients and real
commits (a database of this module's own; on PostgreSQL the copy takes the election's row FOR
SHARE as a save does, and certification FOR UPDATE).

Whatever the interleaving, no difference may slip in beside a certification: once the result
is certified, every difference still open was answered or acknowledged in it, and every copy
sent after it was refused."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from elections.core.extensions import db
from elections.observers.models import Difference
from elections.results.models import ResultVersion
from tests.observers.support import OBSERVERS, PROTOCOL

pytestmark = pytest.mark.committing

ENTRIES = 40


def _body(race, serial: int) -> dict:
    return {
        **PROTOCOL,
        "votes": {str(race.candidates[0]): 500 + serial, str(race.candidates[1]): 300},
    }


def _url(race, precinct_id: int, what: str) -> str:
    return f"/api/v1/elections/{race.election_id}/precincts/{precinct_id}/{what}"


def keep_copying(app, race, index: int, stop: threading.Event, answers: list) -> None:
    """Each observer enters its copy ENTRIES times, its figures alternating between two
    readings: every entry closes a difference and opens another, which the chair may not
    have seen yet; then the copies stop coming and certification can go through."""
    client = app.test_client()
    for serial in range(ENTRIES):
        if stop.is_set():
            return
        response = client.put(
            _url(race, race.precincts[serial % 2], "observer-copy"),
            json=_body(race, index * 10 + serial % 4 + 1),
            headers=race.observers[index],
        )
        code = None if response.status_code == 200 else response.get_json()["errors"][0]["code"]
        answers.append((response.status_code, code))
        if code == "results_certified":
            return
        assert response.status_code in (200, 409), response.get_json()


def test_no_difference_slips_in_beside_a_certification(committed_app, race):
    client = committed_app.test_client()
    for precinct_id, headers in zip(race.precincts, race.secretaries, strict=True):
        saved = client.put(
            _url(race, precinct_id, "protocol"),
            json={**_body(race, 0), "expected_version": 0},
            headers=headers,
        )
        assert saved.status_code == 200, saved.get_json()
    stop, answers = threading.Event(), []
    threads = [
        threading.Thread(target=keep_copying, args=(committed_app, race, i, stop, answers))
        for i in range(OBSERVERS)
    ]
    for thread in threads:
        thread.start()
    certified, attempts = None, 0
    try:
        while certified is None and attempts < 2000:
            attempts += 1
            standing = client.get(f"/api/v1/elections/{race.election_id}/differences").get_json()
            unanswered = [d["id"] for d in standing["differences"] if d["open"] and not d["answer"]]
            response = client.post(
                f"/api/v1/elections/{race.election_id}/certify",
                json={"acknowledge_differences": unanswered},
                headers=race.chair,
            )
            if response.status_code == 200:
                certified = response.get_json()
            else:
                assert response.get_json()["errors"][0]["code"] == "differences_open"
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    assert certified is not None, f"not certified in {attempts} attempts"
    assert any(status == 200 for status, _code in answers), "no copy went in before"
    with committed_app.app_context():
        unanswered = select(Difference.id).where(
            Difference.election_id == race.election_id,
            Difference.closed_at.is_(None),
            Difference.answer.is_(None),
        )
        assert db.session.execute(unanswered).all() == []
        version = db.session.execute(
            select(ResultVersion).where(ResultVersion.election_id == race.election_id)
        ).scalar_one()
        assert version.differences and all(d["answer"] for d in version.differences)
    late = client.put(
        _url(race, race.precincts[0], "observer-copy"),
        json=_body(race, 1),
        headers=race.observers[0],
    )
    assert late.status_code == 409
