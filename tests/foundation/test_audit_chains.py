"""Audit chains per territorial commission (issue 17): election night's events are chained on
their commission's own chain, whose head the national chain anchors at each certification and
at ``audit anchor``; ``audit verify`` checks every chain and every anchor.

Each attack below is one an intruder with the database can make on a commission's chain; the
anchors in the national chain, whose head is published, are what catch the last two.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, select

from elections.ballots import services as ballot_services
from elections.candidates.models import Candidate
from elections.core import audit
from elections.core.audit import NATIONAL, Action, AuditEvent, AuditHead, event_hash
from elections.core.extensions import db
from elections.results import services as result_services
from elections.territory.models import Election, Precinct
from tests import factories
from tests.foundation.support import run_sql, verify
from tests.results.support import protocol_body


@pytest.fixture
def night(app, world, clock):
    """Both precincts of world.election reported, in its district commission's chain."""
    clock(factories.count_night())
    with app.app_context():
        election = db.session.get(Election, world.election_id)
        candidates = [
            factories.CandidateFactory(election=election, status="registered", last_name=n).id
            for n in ("Әбенова", "Бекова")
        ]
        for precinct_id, votes in ((world.precinct_a, (500, 250)), (world.precinct_b, (300, 90))):
            body = protocol_body(dict(zip(candidates, votes, strict=True)), invalid=5)
            ballot_services.save_protocol(db.session.get(Precinct, precinct_id), body, None)
        db.session.commit()
        return election.audit_chain


def correction(precinct: Precinct, expected: int) -> dict:
    """The precinct's protocol entered again over version ``expected``, other figures."""
    candidates = db.session.execute(
        select(Candidate.id)
        .where(Candidate.election_id == precinct.election_id, Candidate.status == "registered")
        .order_by(Candidate.id)
    ).scalars()
    body = protocol_body(dict(zip(list(candidates), (410, 120), strict=True)), invalid=7)
    return body | {"expected_version": expected}


def certify(app, world) -> None:
    with app.app_context():
        result_services.certify(db.session.get(Election, world.election_id), None)
        db.session.commit()


def chain_of(app, chain: str) -> list[AuditEvent]:
    with app.app_context():
        events = db.session.execute(
            select(AuditEvent).where(AuditEvent.chain == chain).order_by(AuditEvent.seq)
        ).scalars()
        return [(e.seq, e.action, e.hash) for e in events]


def test_protocols_are_chained_on_their_commissions_chain(app, world, night):
    with app.app_context():
        organiser = db.session.get(Election, world.election_id).organiser_id
    assert night == f"commission:{organiser}"
    assert [(seq, action) for seq, action, _ in chain_of(app, night)] == [
        (1, "protocol.saved"),
        (2, "protocol.saved"),
    ]
    with app.app_context():
        national = db.session.execute(
            select(AuditEvent.action).where(AuditEvent.chain == NATIONAL)
        ).scalars()
        assert "protocol.saved" not in list(national)
    assert verify(app).ok


def test_certification_anchors_the_commissions_heads_into_the_national_chain(app, world, night):
    certify(app, world)
    commission = chain_of(app, night)
    with app.app_context():
        anchor = (
            db.session.execute(
                select(AuditEvent)
                .where(AuditEvent.chain == NATIONAL, AuditEvent.action == "audit.chains_anchored")
                .order_by(AuditEvent.seq.desc())
            )
            .scalars()
            .first()
        )
        national_head = db.session.execute(
            select(AuditHead).where(AuditHead.chain == NATIONAL)
        ).scalar_one()
        assert json.loads(anchor.payload)["heads"][night] == {
            "seq": commission[-1][0],
            "hash": commission[-1][2],
        }
        # The anchor comes after the certification in the transaction: the public head is it.
        assert national_head.seq == anchor.seq
    assert verify(app).ok


def test_a_commission_event_altered_fails_verify_naming_its_chain(app, world, night):
    run_sql(
        app,
        "UPDATE audit_events SET payload = '{}' WHERE chain = :chain AND seq = 1",
        chain=night,
    )
    found = verify(app)
    assert (found.ok, found.problem) == (False, f"{night} event 1 was altered")
    national = len(chain_of(app, NATIONAL))
    assert found.count == national  # every national event held; none of the broken chain


def test_a_commission_chain_cut_after_its_anchor_fails_verify(app, world, night):
    certify(app, world)
    first = chain_of(app, night)[0]
    run_sql(app, "DELETE FROM audit_events WHERE chain = :chain AND seq > 1", chain=night)
    run_sql(
        app,
        "UPDATE audit_head SET seq = 1, hash = :hash WHERE chain = :chain",
        chain=night,
        hash=first[2],
    )
    found = verify(app)
    assert not found.ok
    assert found.problem.startswith(f"{night} event 2 was removed (anchored by event ")


def test_a_commission_chain_rewritten_and_relinked_to_its_head_fails_verify(app, world, night):
    """Every link and the head made to agree again after a vote was changed: only the anchor,
    held by the national chain, still knows the hash that was there."""
    certify(app, world)
    with app.app_context():
        events = (
            db.session.execute(
                select(AuditEvent).where(AuditEvent.chain == night).order_by(AuditEvent.seq)
            )
            .scalars()
            .all()
        )
        prev = audit.GENESIS
        for event in events:
            if event.seq == 1:
                event.payload = event.payload.replace('"version":1', '"version":7')
            event.prev_hash = prev
            event.hash = prev = event_hash(event)
        head = db.session.execute(select(AuditHead).where(AuditHead.chain == night)).scalar_one()
        head.hash = prev
        db.session.commit()
    found = verify(app)
    assert not found.ok
    # The anchor pins the chain's head as it was (event 2): the rewrite shows there.
    assert found.problem.startswith(
        f"{night} event 2 or one before it was altered (anchored by event "
    ), found


def test_a_commission_chain_deleted_with_its_head_fails_verify(app, world, night):
    certify(app, world)
    run_sql(app, "DELETE FROM audit_events WHERE chain = :chain", chain=night)
    run_sql(app, "DELETE FROM audit_head WHERE chain = :chain", chain=night)
    found = verify(app)
    assert not found.ok
    assert found.problem.startswith(f"{night} was removed entirely (national event "), found


def test_audit_anchor_anchors_what_moved_and_nothing_twice(app, cli, world, night):
    # The night's first save anchored its chain already (at most once a minute on its own):
    # a save within that minute moves the head past the anchor; audit anchor then anchors it.
    idle = cli.invoke(args=["audit", "anchor"])
    assert idle.exit_code == 0 and "no commission chain moved" in idle.output, idle.output
    with app.app_context():
        precinct = db.session.get(Precinct, world.precinct_b)
        ballot_services.save_protocol(precinct, correction(precinct, 1), None)
        db.session.commit()
    moved = cli.invoke(args=["audit", "anchor"])
    assert moved.exit_code == 0, moved.output
    assert "anchored the heads of 1 commission chain(s)" in moved.output
    again = cli.invoke(args=["audit", "anchor"])
    assert again.exit_code == 0 and "no commission chain moved" in again.output, again.output
    with app.app_context():
        anchors = (
            db.session.execute(
                select(AuditEvent.payload)
                .where(AuditEvent.action == "audit.chains_anchored")
                .order_by(AuditEvent.seq)
            )
            .scalars()
            .all()
        )
    assert [json.loads(a)["heads"][night]["seq"] for a in anchors] == [2, 3]
    assert verify(app).ok


def test_one_transaction_on_two_chains_locks_the_commission_head_before_the_national(app, world):
    """The heads are locked in the chains' name order, national last, by every transaction:
    two of them never wait for each other in a ring."""
    locked: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().startswith("SELECT audit_head."):
            values = parameters.values() if isinstance(parameters, dict) else parameters
            locked.extend(v for v in values if isinstance(v, str) and v != "1")

    with app.app_context():
        election = db.session.get(Election, world.election_id)
        audit.record(Action.UNIT_CREATED, "unit", 1, {})
        audit.record(Action.PROTOCOL_SAVED, "protocol", 1, {}, chain=election.audit_chain)
        event.listen(db.engine, "before_cursor_execute", before)
        try:
            db.session.commit()
        finally:
            event.remove(db.engine, "before_cursor_execute", before)
        chain = election.audit_chain
    # A new chain's head is looked for, made, then locked; the national head comes last.
    assert locked == [chain, chain, NATIONAL], locked
    assert chain_of(app, chain)[0][1] == "protocol.saved"
    # The new chain is anchored at once, by this transaction, after its own national event.
    assert [action for _s, action, _h in chain_of(app, NATIONAL)[-2:]] == [
        "unit.created",
        "audit.chains_anchored",
    ]


def test_a_later_anchor_giving_other_hashes_is_a_forgery(app, world, night):
    """An intruder may append to the national tail: an anchor that names an anchored event
    with another hash (to cover a relinked commission chain) contradicts the earlier one."""
    certify(app, world)
    with app.app_context():
        head = db.session.execute(select(AuditHead).where(AuditHead.chain == night)).scalar_one()
        audit.record(Action.CHAINS_ANCHORED, "audit", NATIONAL, {"heads": {night: {
            "seq": head.seq, "hash": "f" * 64}}})  # fmt: skip
        db.session.commit()
    found = verify(app)
    assert not found.ok
    assert f"anchors {night} event 2 with another hash than event " in found.problem, found


@pytest.mark.parametrize(
    "payload",
    [[], {}, {"heads": []}, {"heads": {"commission:1": 5}}, {"heads": {"commission:1": {
        "seq": "2", "hash": "a" * 64}}}, {"heads": {"commission:1": {"seq": 0, "hash": "a" * 64}}},
     {"heads": {"national": {"seq": 1, "hash": "a" * 64}}}],
    ids=["a list", "no heads", "heads a list", "a bare number", "seq a string", "seq 0",
         "the national chain"],
)  # fmt: skip
def test_a_malformed_anchor_is_a_verdict_not_a_crash(app, cli, world, payload):
    with app.app_context():
        audit.record(Action.CHAINS_ANCHORED, "audit", NATIONAL, payload)
        db.session.commit()
    found = verify(app)
    assert not found.ok and found.problem.endswith("is not a valid anchor"), found
    assert cli.invoke(args=["audit", "anchor"]).exit_code == 0


def test_a_commissions_save_anchors_its_chain_once_a_minute(app, world, night):
    """The first save of a chain anchors it; the next within a minute does not; one after a
    minute does again: the public head vouches for a commission's events within a minute."""

    def anchors() -> list[dict]:
        with app.app_context():
            payloads = db.session.execute(
                select(AuditEvent.payload).where(AuditEvent.action == "audit.chains_anchored")
            ).scalars()
            return [json.loads(p)["heads"] for p in payloads]

    # Both precincts were saved in one transaction, which anchored the chain's new head.
    assert anchors() == [{night: {"seq": 2, "hash": chain_of(app, night)[1][2]}}]
    run_sql(
        app,
        "UPDATE audit_head SET anchored_at = :at WHERE chain = :chain",
        at=datetime.now(UTC) - timedelta(seconds=61),
        chain=night,
    )
    with app.app_context():
        precinct = db.session.get(Precinct, world.precinct_a)
        ballot_services.save_protocol(precinct, correction(precinct, 1), None)
        db.session.commit()
    third = chain_of(app, night)[-1]
    assert anchors()[-1] == {night: {"seq": third[0], "hash": third[2]}}
    assert verify(app).ok


def test_events_on_a_chain_no_commission_has_fail_verify(app, cli, world, night):
    """A chain consistent with itself, made up to record a forged digest."""
    with app.app_context():
        audit.record(
            Action.PROTOCOL_SAVED,
            "protocol",
            world.precinct_a,
            {"version": 1, "digest": "e" * 64, "election_id": world.election_id},
            chain="commission:999999",
        )
        db.session.commit()
    result = cli.invoke(args=["audit", "verify"])
    assert result.exit_code == 1, result.output
    assert "commission:999999: no territorial commission organising an election" in result.output
    assert "commission:999999 event 1 names election" in result.output
    assert "the audit records 2 different digests for it" in result.output


def test_the_audit_api_reads_one_chain(client, token_for, world, night):
    auth = token_for(world.users["cec_admin"])
    commission = client.get(f"/api/v1/audit?chain={night}&limit=1", headers=auth)
    assert commission.status_code == 200
    assert [(e["chain"], e["seq"], e["action"]) for e in commission.json["events"]] == [
        (night, 1, "protocol.saved")
    ]
    assert f"chain={night}&" in commission.headers["Link"]
    national = client.get("/api/v1/audit", headers=auth).json["events"]
    assert {e["chain"] for e in national} == {NATIONAL}
    for bad in ("commission:x", "national%0A", "commission:0", "elsewhere"):
        answer = client.get(f"/api/v1/audit?chain={bad}", headers=auth)
        assert answer.status_code == 422, bad
        assert answer.json["errors"][0]["field"] == "chain"
