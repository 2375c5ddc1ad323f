"""The audit trail: typed events, hash-chained, written with the change, and verifiable."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from elections.core import audit
from elections.core.audit import GENESIS, Action, AuditEvent, AuditHead, event_hash
from elections.core.extensions import db
from tests.foundation.support import audit_actions, audit_count, errors_of, fields, run_sql, verify


def record_three(app) -> list[str]:
    """Three events in one chain; returns their hashes."""
    with app.app_context():
        audit.record(Action.UNIT_CREATED, "unit", 1, {"kato": "110000000"})
        audit.record(Action.PARTY_CREATED, "party", 2, {"short_name": "AMANAT"})
        audit.record(Action.ELECTION_CALLED, "election", 3, {"profile": "rural-2021"})
        db.session.commit()
        newest = select(AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(3)
        return list(reversed(db.session.execute(newest).scalars().all()))


def test_events_form_a_chain_ending_at_the_head(app):
    hashes = record_three(app)
    with app.app_context():
        events = db.session.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars().all()
        assert [e.seq for e in events] == [1, 2, 3]
        assert [e.prev_hash for e in events] == [GENESIS, *hashes[:2]]
        assert all(event_hash(e) == e.hash for e in events)
        head = db.session.get(AuditHead, 1)
        assert (head.seq, head.hash) == (3, hashes[2])
        assert json.loads(events[1].payload) == {"short_name": "AMANAT"}
    assert verify(app) == audit.Verdict(True, 3)


def test_an_empty_trail_verifies(app):
    assert verify(app) == audit.Verdict(True, 0)


TAMPERING = [
    pytest.param(
        'UPDATE audit_events SET payload = \'{"short_name":"FORGED"}\' WHERE seq = 2',
        "event 2 was altered",
        1,
        id="payload of a middle event edited",
    ),
    pytest.param(
        "UPDATE audit_events SET actor = 'someone-else' WHERE seq = 1",
        "event 1 was altered",
        0,
        id="actor of the first event edited",
    ),
    pytest.param(
        "UPDATE audit_events SET payload = '{}' WHERE seq = 3",
        "event 3 was altered",
        2,
        id="last event edited",
    ),
    pytest.param(
        "DELETE FROM audit_events WHERE seq = 2",
        "event 2 was removed",
        1,
        id="middle event deleted",
    ),
    pytest.param(
        "DELETE FROM audit_events WHERE seq = 1", "event 1 was removed", 0, id="first event deleted"
    ),
    pytest.param(
        "DELETE FROM audit_events WHERE seq = 3",
        "event 3 was removed",
        2,
        id="last event deleted: seen through the head",
    ),
    pytest.param("DELETE FROM audit_events", "event 1 was removed", 0, id="every event deleted"),
]


@pytest.mark.parametrize(("statement", "problem", "count"), TAMPERING)
def test_verify_names_the_first_broken_event(app, statement, problem, count):
    record_three(app)
    run_sql(app, statement)
    assert verify(app) == audit.Verdict(False, count, problem)


def rewrite(app, seq: int, payload: dict) -> None:
    """Edit an event and recompute its own hash, as a careful forger would."""
    with app.app_context():
        event = db.session.execute(select(AuditEvent).where(AuditEvent.seq == seq)).scalar_one()
        event.payload = audit.canonical(payload)
        event.hash = event_hash(event)
        db.session.commit()


def test_a_rehashed_middle_event_is_caught_by_the_next_link(app):
    record_three(app)
    rewrite(app, 2, {"short_name": "FORGED"})
    assert verify(app) == audit.Verdict(False, 1, "event 2 was altered")


def test_a_rehashed_last_event_is_caught_by_the_head(app):
    record_three(app)
    rewrite(app, 3, {"profile": "rural-2023"})
    assert verify(app) == audit.Verdict(False, 2, "event 3 was altered")


def test_an_event_appended_around_the_chain_is_caught_by_the_head(app):
    hashes = record_three(app)
    with app.app_context():
        forged = AuditEvent(
            seq=4,
            at=db.session.execute(select(AuditEvent.at).where(AuditEvent.seq == 3)).scalar_one(),
            actor="system",
            action=str(Action.UNIT_CREATED),
            entity_type="unit",
            entity_id="9",
            payload="{}",
            prev_hash=hashes[2],
        )
        forged.hash = event_hash(forged)
        db.session.add(forged)
        db.session.commit()
    assert verify(app) == audit.Verdict(False, 3, "event 4 was added outside the chain")


def test_cli_verify_exits_0_on_an_intact_trail(app, cli):
    record_three(app)
    result = cli.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "intact: 3 events" in result.output


@pytest.mark.parametrize(
    ("statement", "problem"),
    [
        ("UPDATE audit_events SET entity_id = '99' WHERE seq = 2", "event 2 was altered"),
        ("DELETE FROM audit_events WHERE seq = 2", "event 2 was removed"),
        ("DELETE FROM audit_events WHERE seq = 3", "event 3 was removed"),
    ],
    ids=["edited", "middle deleted", "last deleted"],
)
def test_cli_verify_exits_1_naming_the_event(app, cli, statement, problem):
    record_three(app)
    run_sql(app, statement)
    result = cli.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert problem in result.output


# --- written with the change it records -----------------------------------------------------


UNIT = {"kato": "799999999", "kind": "district", "name": {"kk": "Аудан", "ru": "Район"}}


def test_a_change_and_its_event_are_written_together(app, client, world, token_for):
    headers = token_for(world.users["cec_admin"])
    response = client.post(
        "/api/v1/units", json={**UNIT, "parent_kato": world.region}, headers=headers
    )
    assert response.status_code == 201, response.json
    events = audit_actions(app, "unit", response.json["id"])
    assert events == [("unit.created", {**UNIT, "parent_kato": world.region, "timezone": None})]
    with app.app_context():
        event = db.session.execute(
            select(AuditEvent).where(AuditEvent.action == "unit.created")
        ).scalar_one()
        assert event.actor == world.usernames["cec_admin"]
        assert event.actor_id == world.users["cec_admin"]
    assert verify(app).ok


def test_a_refused_change_leaves_no_event(app, client, world, token_for):
    headers = token_for(world.users["cec_admin"])
    before = audit_count(app)
    response = client.post(
        "/api/v1/units", json={**UNIT, "parent_kato": "123123123"}, headers=headers
    )
    assert fields(errors_of(response, 422)) == ["parent_kato"]
    assert audit_count(app) == before


# --- GET /api/v1/audit ----------------------------------------------------------------------


def test_the_audit_api_pages_through_the_chain(app, client, world, token_for):
    record_three(app)
    headers = token_for(world.users["cec_admin"])  # the fourth event
    events = client.get("/api/v1/audit", headers=headers).json["events"]
    assert [e["seq"] for e in events] == [1, 2, 3, 4]
    assert [e["action"] for e in events] == [
        "unit.created",
        "party.created",
        "election.called",
        "user.token_issued",
    ]
    assert events[1]["payload"] == {"short_name": "AMANAT"}
    assert all(e["at"].endswith("+05:00") for e in events)
    assert events[3]["actor"] == "system"
    page = client.get("/api/v1/audit?after=1&limit=2", headers=headers).json["events"]
    assert [e["seq"] for e in page] == [2, 3]


@pytest.mark.parametrize(
    ("query", "field"),
    [("limit=0", "limit"), ("limit=1001", "limit"), ("after=-1", "after"), ("after=x", "after")],
)
def test_bad_audit_paging_is_422(client, world, token_for, query, field):
    response = client.get(f"/api/v1/audit?{query}", headers=token_for(world.users["cec_admin"]))
    assert fields(errors_of(response, 422)) == [field]
