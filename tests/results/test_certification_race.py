"""Saving protocols while the chair certifies, with real concurrent clients and real commits.

Every client thread has its own test client, so each request has its own app context,
session and pooled connection, committing for real into a database of this module's own (a
new SQLite file, or on PostgreSQL, with ELECTIONS_TEST_DATABASE_URL set, a new database on the
same server). On PostgreSQL a save takes the election's row FOR SHARE and certification FOR
UPDATE; on SQLite every write begins BEGIN IMMEDIATE, so the same test passes by serialisation.

Several rounds: secretaries and members keep saving new versions of both protocols while the
chair certifies; then the chair opens a correction and the next round begins. After each
certification the current version of every protocol is the one the result froze, no save
answered 200 with a version the result did not freeze, and every save sent after the
certification had committed was refused with 409 results_certified.
"""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from elections.auth.models import User
from elections.auth.services import issue_token
from elections.ballots.models import ProtocolVersion
from elections.core import audit
from elections.core.extensions import db
from elections.results.models import ResultVersion
from elections.territory.models import Election
from tests import factories
from tests.results.support import protocol_body

pytestmark = pytest.mark.committing

ROUNDS = 4
SAVERS = 8


@pytest.fixture
def night(committed_app) -> SimpleNamespace:
    committed_app.config["ELECTIONS_NOW"] = factories.count_night()
    with committed_app.app_context():
        world = factories.make_world()
        election = db.session.get(Election, world.election_id)
        candidates = [
            factories.CandidateFactory(election=election, status="registered", last_name=name).id
            for name in ("Әбенова", "Бекова", "Үсенов")
        ]
        db.session.commit()

        def bearer(role):
            return {
                "Authorization": f"Bearer {issue_token(db.session.get(User, world.users[role]))}"
            }

        # Who saves which precinct: each secretary their own, the commission's members either.
        savers = [
            (world.precinct_a, bearer("precinct_secretary")),
            (world.precinct_b, bearer("other_secretary")),
            (world.precinct_a, bearer("territorial_member")),
            (world.precinct_b, bearer("territorial_member")),
        ]
        chair = bearer("territorial_chair")
        db.session.commit()
    yield SimpleNamespace(
        election_id=world.election_id,
        precincts=(world.precinct_a, world.precinct_b),
        candidates=candidates,
        savers=savers,
        chair=chair,
    )
    committed_app.config["ELECTIONS_NOW"] = None


def url(election_id: int, precinct_id: int) -> str:
    return f"/api/v1/elections/{election_id}/precincts/{precinct_id}/protocol"


def body(candidates, expected: int, serial: int) -> dict:
    # Figures that differ from save to save (and pass every relation), so versions differ.
    return protocol_body(
        dict(zip(candidates, (300 + serial % 50, 200, 100), strict=True)),
        invalid=serial % 7,
        expected_version=expected,
    )


def current_version(client, night, precinct_id: int, headers) -> int:
    response = client.get(url(night.election_id, precinct_id), headers=headers)
    if response.status_code == 404:
        return 0
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json["version"]


def keep_saving(app, night, index: int, stop: threading.Event, answers: list) -> None:
    """Save new versions of one precinct's protocol until the result is certified."""
    precinct_id, headers = night.savers[index % len(night.savers)]
    client = app.test_client()
    serial = index * 1000
    while not stop.is_set():
        expected = current_version(client, night, precinct_id, headers)
        serial += 1
        sent = time.monotonic()
        response = client.put(
            url(night.election_id, precinct_id),
            json=body(night.candidates, expected, serial),
            headers=headers,
        )
        payload = response.get_json()
        code = None if response.status_code == 200 else payload["errors"][0]["code"]
        version = payload.get("version") if response.status_code == 200 else None
        answers.append((precinct_id, sent, response.status_code, code, version))
        if code == "results_certified":
            return
        assert response.status_code in (200, 409), (response.status_code, payload)


def frozen_and_current(app, election_id: int):
    with app.app_context():
        latest = db.session.execute(
            select(ResultVersion)
            .where(ResultVersion.election_id == election_id)
            .order_by(ResultVersion.version.desc())
            .limit(1)
        ).scalar_one()
        frozen = {p["precinct_id"]: p["version"] for p in latest.protocols}
        current = dict(
            db.session.execute(
                select(ProtocolVersion.precinct_id, ProtocolVersion.version).where(
                    ProtocolVersion.election_id == election_id,
                    ProtocolVersion.is_current.is_(True),
                )
            ).all()
        )
        state = db.session.get(Election, election_id).state
        return latest.version, frozen, current, state


def test_no_protocol_is_accepted_after_the_result_is_certified(committed_app, night):
    client = committed_app.test_client()
    for precinct_id, headers in night.savers[:2]:
        first = client.put(
            url(night.election_id, precinct_id),
            json=body(night.candidates, 0, 0),
            headers=headers,
        )
        assert first.status_code == 200, first.get_data(as_text=True)

    for round_number in range(1, ROUNDS + 1):
        answers: list = []
        stop = threading.Event()
        savers = [
            threading.Thread(
                target=keep_saving, args=(committed_app, night, i, stop, answers), daemon=True
            )
            for i in range(SAVERS)
        ]
        for thread in savers:
            thread.start()
        # Let the saves get going, then certify in the middle of them.
        deadline = time.monotonic() + 30
        while sum(1 for a in answers if a[2] == 200) < SAVERS and time.monotonic() < deadline:
            time.sleep(0.005)
        chair = committed_app.test_client()
        certified = chair.post(
            f"/api/v1/elections/{night.election_id}/certify", headers=night.chair
        )
        committed_at = time.monotonic()  # the certification had committed before its answer
        assert certified.status_code == 200, certified.get_data(as_text=True)
        # Every saver stops at its first results_certified.
        for thread in savers:
            thread.join(timeout=60)
        stop.set()
        assert not any(thread.is_alive() for thread in savers), "a saver never finished"

        version, frozen, current, state = frozen_and_current(committed_app, night.election_id)
        assert version == round_number
        assert state == "certified"
        assert current == frozen, f"round {round_number}: current {current}, frozen {frozen}"
        accepted = [(p, v) for p, _sent, status, _code, v in answers if status == 200]
        assert accepted, "no save got in before the certification"
        late = [(p, v) for p, v in accepted if v > frozen[p]]
        assert late == [], f"round {round_number}: accepted after certification: {late}"
        after = [a for a in answers if a[1] > committed_at]
        assert all(a[2] == 409 and a[3] == "results_certified" for a in after), after
        for precinct_id, headers in night.savers:
            refused = chair.put(
                url(night.election_id, precinct_id),
                json=body(night.candidates, frozen[precinct_id], 999),
                headers=headers,
            )
            assert refused.status_code == 409
            assert refused.json["errors"][0]["code"] == "results_certified"
        assert certified.json["version"] == round_number

        reopened = chair.post(
            f"/api/v1/elections/{night.election_id}/corrections",
            json={"reason": f"round {round_number}: recount"},
            headers=night.chair,
        )
        assert reopened.status_code == 200, reopened.get_data(as_text=True)

    with committed_app.app_context():
        assert audit.verify().ok
