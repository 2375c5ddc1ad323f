"""A copy entered while the protocol of its precinct is saved, with real concurrent clients and
real commits: whichever commits last, each copy's open differences are exactly the lines on
which it differs from the current official version (on PostgreSQL both lock the precinct's
row; SQLite serialises its writers)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from elections.ballots.models import ProtocolVersion
from elections.ballots.services import protocol_saved
from elections.core.extensions import db
from elections.observers.differences import compare, of_copy, official_lines
from elections.observers.models import ObserverCopy
from tests.observers.support import OBSERVERS, PROTOCOL

pytestmark = pytest.mark.committing

ROUNDS = 30


def _body(world, moved: int) -> dict:
    """Precinct A's figures with ``moved`` votes from the second candidate to the first."""
    votes = {str(world.candidates[0]): 500 + moved, str(world.candidates[1]): 300 - moved}
    return {**PROTOCOL, "votes": votes}


def test_each_copys_differences_follow_the_current_version(committed_app, race):
    precinct_id = race.precincts[0]
    url = f"/api/v1/elections/{race.election_id}/precincts/{precinct_id}"
    failures = []

    def saving():
        client = committed_app.test_client()
        for round_ in range(ROUNDS):
            body = {**_body(race, round_ % 3), "expected_version": round_}
            response = client.put(f"{url}/protocol", json=body, headers=race.secretaries[0])
            if response.status_code != 200:
                failures.append(response.get_json())

    def copying(index: int):
        client = committed_app.test_client()
        for round_ in range(ROUNDS):
            response = client.put(
                f"{url}/observer-copy",
                json=_body(race, (round_ + index) % 3),
                headers=race.observers[index],
            )
            if response.status_code not in (200, 409):
                failures.append(response.get_json())

    threads = [threading.Thread(target=saving)] + [
        threading.Thread(target=copying, args=(i,)) for i in range(OBSERVERS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures[:3]
    with committed_app.app_context():
        current = db.session.execute(
            select(ProtocolVersion).where(
                ProtocolVersion.precinct_id == precinct_id, ProtocolVersion.is_current.is_(True)
            )
        ).scalar_one()
        assert current.version == ROUNDS
        for copy in db.session.execute(
            select(ObserverCopy).where(ObserverCopy.precinct_id == precinct_id)
        ).scalars():
            expected = compare(official_lines(current), copy.lines)
            found = [(d.line, d.official, d.copy) for d in of_copy(copy)]
            assert found == expected, (copy.id, found, expected)


def test_a_copy_sent_during_a_save_is_compared_with_the_version_it_saves(committed_app, race):
    """The interleaving made certain: a save is held open just after it compared the copies
    it could see; a first copy arrives meanwhile. The copy must wait for the save, then
    compare with the new version (read alone, it compared with the old one, and the save had
    not seen it: its difference with the new version was never recorded)."""
    precinct_id = race.precincts[0]
    url = f"/api/v1/elections/{race.election_id}/precincts/{precinct_id}"
    client = committed_app.test_client()
    first = client.put(
        f"{url}/protocol",
        json={**_body(race, 0), "expected_version": 0},
        headers=race.secretaries[0],
    )
    assert first.status_code == 200
    compared, go = threading.Event(), threading.Event()

    def hold(version):  # after the observers' own receiver: the save has compared
        if version.version == 2:
            compared.set()
            go.wait(timeout=30)

    protocol_saved.connect(hold)
    try:
        answers = {}
        saving = threading.Thread(
            target=lambda: answers.update(
                save=committed_app.test_client().put(
                    f"{url}/protocol",
                    json={**_body(race, 2), "expected_version": 1},
                    headers=race.secretaries[0],
                )
            )
        )
        saving.start()
        assert compared.wait(timeout=30)
        copying = threading.Thread(
            target=lambda: answers.update(
                copy=committed_app.test_client().put(
                    f"{url}/observer-copy", json=_body(race, 0), headers=race.observers[0]
                )
            )
        )
        copying.start()
        copying.join(timeout=2)  # it waits for the save (or, unlocked, finishes against v1)
        go.set()
        saving.join(timeout=30)
        copying.join(timeout=60)
    finally:
        protocol_saved.disconnect(hold)
    assert answers["save"].status_code == 200 and answers["copy"].status_code == 200
    with committed_app.app_context():
        copy = db.session.execute(
            select(ObserverCopy).where(ObserverCopy.precinct_id == precinct_id)
        ).scalar_one()
        found = [(d.line, d.official, d.copy, d.official_version) for d in of_copy(copy)]
    first_id, second_id = race.candidates
    assert found == [(f"votes.{first_id}", 502, 500, 2), (f"votes.{second_id}", 298, 300, 2)]
