"""Audit chains per territorial commission (issue 17): election night's events are chained on
their commission's own chain, whose head the national chain anchors at each certification and
at ``audit anchor``; ``audit verify`` checks every chain and every anchor.

Each attack below is one an intruder with the database can make on a commission's chain; the
anchors in the national chain, whose head is published, are what catch the last two.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import event, select, text

from elections.ballots import services as ballot_services
from elections.core import audit
from elections.core.audit import NATIONAL, Action, AuditEvent, AuditHead, event_hash
from elections.core.extensions import db
from elections.results import services as result_services
from elections.territory.models import Election, Precinct
from tests import factories
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


def verdict(app) -> audit.Verdict:
    with app.app_context():
        return audit.verify()


def run_sql(app, statement: str, **params) -> None:
    with app.app_context():
        db.session.execute(text(statement), params)
        db.session.commit()


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
    assert verdict(app).ok


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
    assert verdict(app).ok


def test_a_commission_event_altered_fails_verify_naming_its_chain(app, world, night):
    run_sql(
        app,
        "UPDATE audit_events SET payload = '{}' WHERE chain = :chain AND seq = 1",
        chain=night,
    )
    assert verdict(app) == audit.Verdict(False, verdict(app).count, f"{night} event 1 was altered")


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
    found = verdict(app)
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
    found = verdict(app)
    assert not found.ok
    # The anchor pins the chain's head as it was (event 2): the rewrite shows there.
    assert found.problem.startswith(
        f"{night} event 2 or one before it was altered (anchored by event "
    ), found


def test_a_commission_chain_deleted_with_its_head_fails_verify(app, world, night):
    certify(app, world)
    run_sql(app, "DELETE FROM audit_events WHERE chain = :chain", chain=night)
    run_sql(app, "DELETE FROM audit_head WHERE chain = :chain", chain=night)
    found = verdict(app)
    assert not found.ok
    assert found.problem.startswith(f"{night} event "), found
    assert "was removed (anchored by event " in found.problem


def test_audit_anchor_anchors_what_moved_and_nothing_twice(app, cli, world, night):
    first = cli.invoke(args=["audit", "anchor"])
    assert first.exit_code == 0, first.output
    assert "anchored 1 commission chains" in first.output
    again = cli.invoke(args=["audit", "anchor"])
    assert again.exit_code == 0 and "no commission chain moved" in again.output, again.output
    with app.app_context():
        anchors = (
            db.session.execute(
                select(AuditEvent.payload).where(AuditEvent.action == "audit.chains_anchored")
            )
            .scalars()
            .all()
        )
    assert len(anchors) == 1
    assert json.loads(anchors[0])["heads"][night]["seq"] == 2
    assert verdict(app).ok


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
    assert chain_of(app, NATIONAL)[-1][1] == "unit.created"
