"""Anchors of the audit trail outside the database: the published head, ``audit verify
--expect-head``, the digests ``verify`` recomputes, signed checkpoints, and the events of the
candidates' statuses at certification.

Each of these passed ``audit verify`` before: a chain cut at its tail with ``audit_head``
rewound, a chain wiped, a vote figure changed in the database, a certified result's digest
replaced.
"""

from __future__ import annotations

import json
import os
import stat

import pytest
from sqlalchemy import select

from elections.ballots import services as ballot_services
from elections.core import audit
from elections.core.audit import GENESIS, Action, AuditEvent
from elections.core.extensions import db
from elections.results import services as result_services
from elections.territory.models import Election, Precinct
from tests import factories
from tests.foundation.support import audit_actions, run_sql
from tests.results.support import protocol_body


def record_three(app) -> list[str]:
    with app.app_context():
        audit.record(Action.UNIT_CREATED, "unit", 1, {"kato": "110000000"})
        audit.record(Action.PARTY_CREATED, "party", 2, {"short_name": "AMANAT"})
        audit.record(Action.ELECTION_CALLED, "election", 3, {"profile": "rural-2021"})
        db.session.commit()
        newest = select(AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(3)
        return list(reversed(db.session.execute(newest).scalars().all()))


def cut_tail(app, hashes: list[str], keep: int) -> None:
    """What an intruder with the database does: delete the newest events, rewind the head."""
    run_sql(app, "DELETE FROM audit_events WHERE seq > :keep", keep=keep)
    run_sql(
        app,
        "UPDATE audit_head SET seq = :seq, hash = :hash WHERE id = 1",
        seq=keep,
        hash=hashes[keep - 1] if keep else GENESIS,
    )


# --- the published head ------------------------------------------------------------------------


def test_the_head_of_an_empty_trail_is_the_genesis(client):
    response = client.get("/api/v1/audit/head")
    assert response.status_code == 200
    assert response.json == {"seq": 0, "hash": GENESIS, "at": None}


def test_anyone_reads_the_head_of_the_trail(app, client):
    hashes = record_three(app)
    response = client.get("/api/v1/audit/head")
    assert response.status_code == 200
    assert response.json["seq"] == 3
    assert response.json["hash"] == hashes[2]
    assert response.json["at"]
    assert set(response.json) == {"seq", "hash", "at"}


@pytest.fixture
def certified(app, world, clock):
    """world.election with two candidates, both precincts reported, the result certified."""
    clock(factories.count_night())
    with app.app_context():
        election = db.session.get(Election, world.election_id)
        winner, loser = (
            factories.CandidateFactory(election=election, status="registered", last_name=name).id
            for name in ("Әбенова", "Бекова")
        )
        for precinct_id, votes in ((world.precinct_a, (500, 250)), (world.precinct_b, (300, 100))):
            body = protocol_body(dict(zip((winner, loser), votes, strict=True)), invalid=5)
            ballot_services.save_protocol(db.session.get(Precinct, precinct_id), body, None)
        db.session.commit()
        version = result_services.certify(db.session.get(Election, world.election_id), None)
        db.session.commit()
        return type(
            "Certified",
            (),
            {"winner": winner, "loser": loser, "version": version.version, "world": world},
        )


@pytest.mark.parametrize("path", ["/results?lang=en", "/results/{election}?lang=en"])
def test_the_public_results_pages_show_the_head_as_of_their_render(app, client, certified, path):
    response = client.get(path.format(election=certified.world.election_id))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    head = client.get("/api/v1/audit/head").json
    assert f'data-audit-seq="{head["seq"]}"' in html
    assert f'data-audit-hash="{head["hash"]}"' in html
    assert f"Audit trail as of this page: event {head['seq']}, hash {head['hash'][:16]}…" in html
    assert 'href="/api/v1/audit/head"' in html


# --- audit verify --expect-head ----------------------------------------------------------------


def test_a_kept_head_that_the_chain_still_holds_verifies(app, cli):
    hashes = record_three(app)
    result = cli.invoke(args=["audit", "verify", "--expect-head", f"2:{hashes[1]}"])
    assert result.exit_code == 0, result.output
    assert f"holds event 2 with hash {hashes[1]}" in result.output


def test_a_cut_tail_with_the_head_rewound_fails_the_kept_head(app, cli):
    hashes = record_three(app)
    cut_tail(app, hashes, keep=1)
    plain = cli.invoke(args=["audit", "verify"])
    assert plain.exit_code == 0, "the chain alone cannot see it: that is why the head is kept"
    result = cli.invoke(args=["audit", "verify", "--expect-head", f"3:{hashes[2]}"])
    assert result.exit_code == 1, result.output
    assert "no longer holds event 3 (it ends at event 1): it was truncated" in result.output


def test_a_wiped_trail_fails_the_kept_head(app, cli):
    hashes = record_three(app)
    cut_tail(app, hashes, keep=0)
    result = cli.invoke(args=["audit", "verify", "--expect-head", f"3:{hashes[2]}"])
    assert result.exit_code == 1, result.output
    assert "no longer holds event 3" in result.output


def test_a_rewritten_tail_fails_the_kept_head(app, cli):
    hashes = record_three(app)
    cut_tail(app, hashes, keep=2)
    with app.app_context():  # a different event 3, chained properly
        audit.record(Action.ELECTION_CALLED, "election", 4, {"profile": "district-2023"})
        db.session.commit()
    assert cli.invoke(args=["audit", "verify"]).exit_code == 0
    result = cli.invoke(args=["audit", "verify", "--expect-head", f"3:{hashes[2]}"])
    assert result.exit_code == 1, result.output
    assert f"not the expected {hashes[2]}: the chain was rewritten" in result.output


def test_a_malformed_kept_head_is_refused(app, cli):
    result = cli.invoke(args=["audit", "verify", "--expect-head", "three:abc"])
    assert result.exit_code == 1
    assert "SEQ:HASH" in result.output


# --- the digests verify recomputes ------------------------------------------------------------


def test_a_certified_election_verifies(app, cli, certified):
    result = cli.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output


def test_a_changed_vote_figure_fails_verify_naming_the_version(app, cli, certified):
    precinct = certified.world.precinct_a
    run_sql(
        app,
        "UPDATE protocol_votes SET votes = votes + 50 WHERE candidate_id = :c AND version_id = "
        "(SELECT id FROM protocol_versions WHERE precinct_id = :p AND version = 1)",
        c=certified.loser,
        p=precinct,
    )
    result = cli.invoke(args=["audit", "verify"])
    assert result.exit_code == 1, result.output
    assert f"protocol version 1 of precinct {precinct}: its stored figures give digest" in (
        result.output
    )


def test_a_changed_figure_with_its_digest_recomputed_fails_against_the_chained_event(
    app, cli, certified
):
    precinct = certified.world.precinct_b
    with app.app_context():
        version = db.session.execute(
            select(ballot_services.ProtocolVersion).where(
                ballot_services.ProtocolVersion.precinct_id == precinct
            )
        ).scalar_one()
        version.invalid_ballots += 1
        version.ballots_in_boxes += 1
        figures = ballot_services.ProtocolFigures(
            votes=version.votes_by_candidate(),
            **{name: getattr(version, name) for name in ballot_services.FIGURE_FIELDS},
        )
        version.digest = ballot_services.figures_digest(figures)
        db.session.commit()
    result = cli.invoke(args=["audit", "verify"])
    assert result.exit_code == 1, result.output
    assert f"protocol version 1 of precinct {precinct}: its digest" in result.output
    assert "is not the" in result.output and "the audit recorded" in result.output


def test_a_tampered_result_digest_fails_verify_naming_the_version(app, cli, certified):
    election_id = certified.world.election_id
    run_sql(app, "UPDATE result_versions SET digest = :d", d="ab" * 32)
    result = cli.invoke(args=["audit", "verify"])
    assert result.exit_code == 1, result.output
    assert f"result version 1 of election {election_id}: its figures and protocols give" in (
        result.output
    )


def test_tampered_result_figures_fail_verify(app, cli, certified):
    election_id = certified.world.election_id
    with app.app_context():
        version = db.session.execute(select(result_services.ResultVersion)).scalar_one()
        figures = dict(version.figures)
        figures["against_all"] += 1
        version.figures = figures
        db.session.commit()
    result = cli.invoke(args=["audit", "verify"])
    assert result.exit_code == 1, result.output
    assert f"result version 1 of election {election_id}" in result.output


# --- the candidates' statuses at certification --------------------------------------------------


def test_certification_records_each_candidates_election_or_not(app, certified):
    election_id = certified.world.election_id
    assert audit_actions(app, "candidate", certified.winner)[-1] == (
        "candidate.elected",
        {"election_id": election_id, "status": "elected", "previous_status": "registered"},
    )
    assert audit_actions(app, "candidate", certified.loser)[-1] == (
        "candidate.not_elected",
        {"election_id": election_id, "status": "not_elected", "previous_status": "registered"},
    )
    with app.app_context():
        assert audit.verify().ok


# --- signed checkpoints ------------------------------------------------------------------------


@pytest.fixture
def signing(cli, tmp_path, monkeypatch):
    key = tmp_path / "keys" / "audit.key"
    key.parent.mkdir()
    made = cli.invoke(args=["audit", "keygen", str(key)])
    assert made.exit_code == 0, made.output
    checkpoints = tmp_path / "checkpoints.jsonl"
    monkeypatch.setenv("ELECTIONS_AUDIT_KEY_FILE", str(key))
    monkeypatch.setenv("ELECTIONS_AUDIT_CHECKPOINTS", str(checkpoints))
    return type(
        "Signing",
        (),
        {"key": key, "public": tmp_path / "keys" / "audit.key.pub", "file": checkpoints},
    )


def verify_checkpoints(cli, signing):
    return cli.invoke(
        args=[
            "audit",
            "verify",
            "--checkpoints",
            str(signing.file),
            "--public-key",
            str(signing.public),
        ]
    )


def test_keygen_writes_a_private_key_only_its_owner_reads_and_never_overwrites(cli, signing):
    assert stat.S_IMODE(os.stat(signing.key).st_mode) == 0o600
    assert b"PUBLIC KEY" in signing.public.read_bytes()
    again = cli.invoke(args=["audit", "keygen", str(signing.key)])
    assert again.exit_code == 1
    assert "never overwritten" in again.output


def test_checkpoints_are_signed_and_verify_while_the_chain_holds_them(app, cli, signing):
    assert cli.invoke(args=["audit", "checkpoint"]).exit_code == 0  # the empty chain
    hashes = record_three(app)
    made = cli.invoke(args=["audit", "checkpoint"])
    assert made.exit_code == 0, made.output
    lines = [json.loads(line) for line in signing.file.read_text().splitlines()]
    assert [(p["seq"], p["hash"]) for p in lines] == [(0, GENESIS), (3, hashes[2])]
    assert set(lines[1]) == {"seq", "hash", "at", "signature"}
    result = verify_checkpoints(cli, signing)
    assert result.exit_code == 0, result.output
    assert "2 signed checkpoints verified" in result.output


def test_a_checkpoint_the_chain_no_longer_holds_fails(app, cli, signing):
    hashes = record_three(app)
    assert cli.invoke(args=["audit", "checkpoint"]).exit_code == 0
    cut_tail(app, hashes, keep=2)
    result = verify_checkpoints(cli, signing)
    assert result.exit_code == 1, result.output
    assert "checkpoint on line 1" in result.output
    assert "no longer holds event 3" in result.output


def test_a_forged_checkpoint_fails(app, cli, signing, tmp_path, monkeypatch):
    record_three(app)
    assert cli.invoke(args=["audit", "checkpoint"]).exit_code == 0
    genuine = json.loads(signing.file.read_text())
    with app.app_context():  # the intruder rewrites the tail, then forges a checkpoint of it
        audit.record(Action.UNIT_CREATED, "unit", 5, {"kato": "120000000"})
        db.session.commit()
    other = tmp_path / "intruder.key"
    assert cli.invoke(args=["audit", "keygen", str(other)]).exit_code == 0
    monkeypatch.setenv("ELECTIONS_AUDIT_KEY_FILE", str(other))
    forged_by_key = cli.invoke(args=["audit", "checkpoint"])
    assert forged_by_key.exit_code == 0, forged_by_key.output
    edited = {**genuine, "seq": 4}  # a genuine signature over other content
    with signing.file.open("a") as file:
        file.write(json.dumps(edited) + "\n")
    result = verify_checkpoints(cli, signing)
    assert result.exit_code == 1, result.output
    assert "checkpoint on line 1" not in result.output
    assert "checkpoint on line 2 of" in result.output
    assert "checkpoint on line 3 of" in result.output
    assert result.output.count("the signature does not match") == 2


def test_checkpoint_needs_its_key(cli, monkeypatch):
    monkeypatch.delenv("ELECTIONS_AUDIT_KEY_FILE", raising=False)
    result = cli.invoke(args=["audit", "checkpoint"])
    assert result.exit_code == 1
    assert "ELECTIONS_AUDIT_KEY_FILE" in result.output
