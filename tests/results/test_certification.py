"""Certification by the organising commission's chair, and corrections that reopen it."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from elections.candidates.models import Candidate, CandidateEvent
from elections.core import audit
from elections.core.audit import AuditEvent, canonical
from elections.core.extensions import db
from elections.results.models import ResultVersion
from elections.territory.models import Election, Precinct, Unit
from tests import factories
from tests.results.support import certify, errors_of, protocol_body, put_protocol, results_of

# The morning after the count of the factory elections, and two days later.
CERTIFIED_AT = factories.count_night().astimezone(UTC) + timedelta(hours=12, minutes=15)
CORRECTED_AT = CERTIFIED_AT + timedelta(days=1, hours=21, minutes=25)


@pytest.fixture
def reported(world, add_candidates, save):
    """world.election with three candidates and both precincts reported: the first one wins."""
    winner, second, third = add_candidates(world.election_id, 3)
    save(world.precinct_a, {winner: 500, second: 250, third: 10}, invalid=8, against_all=40)
    save(world.precinct_b, {winner: 100, second: 300, third: 5}, invalid=2, against_all=10)
    return SimpleNamespace(winner=winner, others=[second, third], all=[winner, second, third])


def statuses(app, candidate_ids):
    with app.app_context():
        return [db.session.get(Candidate, cid).status for cid in candidate_ids]


def history(app, candidate_id):
    with app.app_context():
        return [
            (e.status, e.actor, e.reason)
            for e in db.session.execute(
                select(CandidateEvent)
                .where(CandidateEvent.candidate_id == candidate_id)
                .order_by(CandidateEvent.id)
            ).scalars()
        ]


def election_state(app, election_id):
    with app.app_context():
        return db.session.get(Election, election_id).state


def correct(client, headers, election_id, reason="Recount ordered in precinct A"):
    body = {} if reason is None else {"reason": reason}
    return client.post(f"/api/v1/elections/{election_id}/corrections", json=body, headers=headers)


# --- Who may certify ---------------------------------------------------------------------


def test_certify_is_refused_with_precincts_missing_while_a_precinct_has_not_reported(
    app, client, world, add_candidates, save, chair
):
    c1, c2 = add_candidates(world.election_id, 2)
    save(world.precinct_a, {c1: 10, c2: 5})

    errors = errors_of(certify(client, chair, world.election_id), 409)

    assert [e["code"] for e in errors] == ["precincts_missing"]
    assert errors[0]["precinct_ids"] == [world.precinct_b]
    with app.app_context():
        number_b = db.session.get(Precinct, world.precinct_b).number
        assert db.session.execute(select(ResultVersion)).scalars().all() == []
    assert str(number_b) in errors[0]["message"]
    assert election_state(app, world.election_id) == "open"
    assert statuses(app, [c1, c2]) == ["registered", "registered"]


def test_certify_is_refused_with_no_precinct_reported_listing_them_all(
    client, world, add_candidates, chair
):
    add_candidates(world.election_id, 2)
    errors = errors_of(certify(client, chair, world.election_id), 409)
    assert errors[0]["code"] == "precincts_missing"
    assert sorted(errors[0]["precinct_ids"]) == sorted([world.precinct_a, world.precinct_b])


def test_certify_by_a_member_of_the_organising_commission_is_403(
    app, client, world, reported, token_for
):
    member = token_for(world.users["territorial_member"])
    errors = errors_of(certify(client, member, world.election_id), 403)
    assert errors[0]["code"] == "forbidden"
    assert election_state(app, world.election_id) == "open"


def test_certify_by_the_chair_of_another_commission_is_404(app, client, world, reported, token_for):
    with app.app_context():
        other = db.session.execute(
            select(Unit).where(Unit.kato == world.other_district)
        ).scalar_one()
        other_chair = factories.UserFactory(role="territorial_chair", commission=other).id
        db.session.commit()

    errors = errors_of(certify(client, token_for(other_chair), world.election_id), 404)

    assert errors[0]["code"] == "not_found"
    assert election_state(app, world.election_id) == "open"


def test_certify_by_a_cec_admin_is_403(app, client, world, reported, token_for):
    errors_of(certify(client, token_for(world.users["cec_admin"]), world.election_id), 403)
    assert election_state(app, world.election_id) == "open"


def test_certify_without_a_token_is_401(client, world, reported):
    errors_of(certify(client, {}, world.election_id), 401)


# --- Certifying --------------------------------------------------------------------------


def test_certify_freezes_version_one_with_a_digest(client, world, reported, chair, clock):
    clock(CERTIFIED_AT)
    draft = results_of(client, world.election_id)

    response = certify(client, chair, world.election_id)

    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["status"] == "certified"
    assert body["version"] == 1
    assert re.fullmatch(r"[0-9a-f]{64}", body["digest"])
    assert datetime.fromisoformat(body["as_of"]) == CERTIFIED_AT
    assert body["outcome"] == "winner"
    assert body["winner_candidate_id"] == reported.winner
    for key in ("voters_on_list", "ballots_in_boxes", "turnout", "candidates", "against_all"):
        assert body[key] == draft[key], key
    assert results_of(client, world.election_id) == body


def test_certified_protocols_are_locked(client, world, reported, chair, token_for):
    assert certify(client, chair, world.election_id).status_code == 200
    secretary = token_for(world.users["precinct_secretary"])
    body = protocol_body(
        dict.fromkeys(reported.all, 1), expected_version=1
    )  # a version 2 of precinct A

    for headers in (secretary, chair):
        errors = errors_of(
            put_protocol(client, headers, world.election_id, world.precinct_a, body), 409
        )
        assert [e["code"] for e in errors] == ["results_certified"]


def test_certify_elects_the_winner_and_records_the_others_not_elected(
    app, client, world, reported, chair
):
    assert certify(client, chair, world.election_id).status_code == 200

    assert statuses(app, reported.all) == ["elected", "not_elected", "not_elected"]
    chair_name = world.usernames["territorial_chair"]
    assert history(app, reported.winner)[-1] == ("elected", chair_name, None)
    for other in reported.others:
        assert history(app, other)[-1] == ("not_elected", chair_name, None)


def test_certify_records_an_audit_event_and_the_chain_holds(app, client, world, reported, chair):
    body = certify(client, chair, world.election_id).get_json()

    with app.app_context():
        events = (
            db.session.execute(
                select(AuditEvent).where(
                    AuditEvent.action == "result.certified",
                    AuditEvent.entity_id == str(world.election_id),
                )
            )
            .scalars()
            .all()
        )
        assert len(events) == 1
        assert events[0].actor_id == world.users["territorial_chair"]
        assert json.loads(events[0].payload) == {
            "version": 1,
            "digest": body["digest"],
            "outcome": "winner",
            "open_differences": [],
        }
        verdict = audit.verify()
        assert verdict.ok, verdict.problem


def test_a_tie_elects_nobody_and_requires_a_repeat_election(
    app, client, world, add_candidates, save, chair
):
    c1, c2 = add_candidates(world.election_id, 2)
    save(world.precinct_a, {c1: 300, c2: 100})
    save(world.precinct_b, {c1: 100, c2: 300})
    before = [history(app, c) for c in (c1, c2)]

    response = certify(client, chair, world.election_id)

    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert (body["status"], body["outcome"], body["winner_candidate_id"]) == (
        "certified",
        "tie",
        None,
    )
    assert election_state(app, world.election_id) == "repeat_required"
    assert statuses(app, [c1, c2]) == ["registered", "registered"]
    assert [history(app, c) for c in (c1, c2)] == before


def test_certify_twice_is_409(client, world, reported, chair):
    assert certify(client, chair, world.election_id).status_code == 200
    errors = errors_of(certify(client, chair, world.election_id), 409)
    assert errors[0]["code"] == "already_certified"
    assert results_of(client, world.election_id)["version"] == 1


# --- Corrections -------------------------------------------------------------------------


def test_a_correction_by_the_chair_unlocks_protocols_and_resets_statuses(
    app, client, world, reported, chair, token_for, clock
):
    clock(CERTIFIED_AT)
    assert certify(client, chair, world.election_id).status_code == 200
    clock(CORRECTED_AT)

    response = correct(client, chair, world.election_id, "Recount ordered in precinct A")

    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["after_version"] == 1
    assert body["reason"] == "Recount ordered in precinct A"
    assert body["opened_by"] == world.usernames["territorial_chair"]
    assert datetime.fromisoformat(body["opened_at"]) == CORRECTED_AT
    assert election_state(app, world.election_id) == "open"
    assert statuses(app, reported.all) == ["registered"] * 3
    assert history(app, reported.winner)[-1] == (
        "registered",
        world.usernames["territorial_chair"],
        "Recount ordered in precinct A",
    )
    # The protocols are writable again: version 2 of precinct A is accepted.
    secretary = token_for(world.users["precinct_secretary"])
    votes = {reported.winner: 450, reported.others[0]: 300, reported.others[1]: 10}
    saved = put_protocol(
        client,
        secretary,
        world.election_id,
        world.precinct_a,
        protocol_body(votes, invalid=8, against_all=40, expected_version=1),
    )
    assert saved.status_code == 200, saved.get_data(as_text=True)
    assert saved.get_json()["version"] == 2
    # The public result is the live draft again (the last certified version is named).
    live = results_of(client, world.election_id)
    assert live["status"] == "unofficial_complete"
    assert live["candidates"][0]["votes"] == 550


def test_the_certification_after_a_correction_is_version_two(
    app, client, world, reported, chair, save, clock
):
    clock(CERTIFIED_AT)
    first = certify(client, chair, world.election_id).get_json()
    clock(CORRECTED_AT)
    assert correct(client, chair, world.election_id, "Recount ordered").status_code == 200
    save(world.precinct_b, {reported.winner: 90, reported.others[0]: 320, reported.others[1]: 5})

    second = certify(client, chair, world.election_id)

    assert second.status_code == 200, second.get_data(as_text=True)
    body = second.get_json()
    assert body["version"] == 2
    assert body["digest"] != first["digest"]
    assert [row["votes"] for row in body["candidates"]] == [590, 570, 15]
    assert statuses(app, reported.all) == ["elected", "not_elected", "not_elected"]
    assert election_state(app, world.election_id) == "certified"


def test_versions_keep_version_one_readable_next_to_version_two_with_its_reason(
    client, world, reported, chair, save, clock
):
    clock(CERTIFIED_AT)
    first = certify(client, chair, world.election_id).get_json()
    clock(CORRECTED_AT)
    assert correct(client, chair, world.election_id, "Recount ordered").status_code == 200
    save(world.precinct_b, {reported.winner: 90, reported.others[0]: 320, reported.others[1]: 5})
    second = certify(client, chair, world.election_id).get_json()

    response = client.get(f"/api/v1/elections/{world.election_id}/results/versions")

    assert response.status_code == 200
    body = response.get_json()
    v1, v2 = body["versions"]
    assert (v1["version"], v2["version"]) == (1, 2)
    assert (v1["digest"], v2["digest"]) == (first["digest"], second["digest"])
    assert v1["correction_reason"] is None
    assert v2["correction_reason"] == "Recount ordered"
    assert datetime.fromisoformat(v1["certified_at"]) == CERTIFIED_AT
    assert v1["certified_by"] == world.usernames["territorial_chair"]
    # Version 1 still carries its own figures, not the corrected ones.
    assert [row["votes"] for row in v1["figures"]["candidates"]] == [600, 550, 15]
    assert [row["votes"] for row in v2["figures"]["candidates"]] == [590, 570, 15]
    assert v1["figures"]["winner_candidate_id"] == reported.winner
    # ... and the protocol versions they came from: precinct B moved to version 2.
    assert {(p["precinct_id"], p["version"]) for p in v1["protocols"]} == {
        (world.precinct_a, 1),
        (world.precinct_b, 1),
    }
    assert {(p["precinct_id"], p["version"]) for p in v2["protocols"]} == {
        (world.precinct_a, 1),
        (world.precinct_b, 2),
    }
    # Each digest is the hash of what is published with it.
    for v in (v1, v2):
        content = {"figures": v["figures"], "protocols": v["protocols"], "version": v["version"]}
        assert hashlib.sha256(canonical(content).encode()).hexdigest() == v["digest"]
    [correction] = body["corrections"]
    assert (correction["after_version"], correction["reason"]) == (1, "Recount ordered")


def test_the_public_page_shows_that_a_correction_happened_and_when(
    client, world, reported, chair, clock
):
    clock(CERTIFIED_AT)
    certify(client, chair, world.election_id)
    clock(CORRECTED_AT)
    correct(client, chair, world.election_id, "Recount ordered in precinct A")

    page = client.get(f"/results/{world.election_id}?lang=en").get_data(as_text=True)

    local = CORRECTED_AT.astimezone(ZoneInfo("Asia/Almaty")).strftime("%d.%m.%Y %H:%M")
    note = re.search(r'<section class="card correction-note">(.*?)</section>', page, re.S)
    assert note, page
    assert local in note.group(1)
    assert "Recount ordered in precinct A" in note.group(1)
    assert "version 1" in note.group(1)


def test_a_correction_of_a_tie_reopens_the_election(
    app, client, world, add_candidates, save, chair
):
    c1, c2 = add_candidates(world.election_id, 2)
    save(world.precinct_a, {c1: 300, c2: 100})
    save(world.precinct_b, {c1: 100, c2: 300})
    assert certify(client, chair, world.election_id).status_code == 200

    assert correct(client, chair, world.election_id).status_code == 200

    assert election_state(app, world.election_id) == "open"
    save(world.precinct_b, {c1: 100, c2: 299}, invalid=1)
    body = certify(client, chair, world.election_id).get_json()
    assert (body["version"], body["outcome"], body["winner_candidate_id"]) == (2, "winner", c1)


def test_a_correction_of_an_uncertified_result_is_409(app, client, world, reported, chair):
    errors = errors_of(correct(client, chair, world.election_id), 409)
    assert errors[0]["code"] == "not_certified"
    assert election_state(app, world.election_id) == "open"


def test_a_correction_without_a_reason_is_422(app, client, world, reported, chair):
    assert certify(client, chair, world.election_id).status_code == 200

    errors = errors_of(correct(client, chair, world.election_id, reason=None), 422)

    assert [e.get("field") for e in errors] == ["reason"]
    assert election_state(app, world.election_id) == "certified"


def test_a_correction_by_a_member_is_403(app, client, world, reported, chair, token_for):
    assert certify(client, chair, world.election_id).status_code == 200
    member = token_for(world.users["territorial_member"])
    errors_of(correct(client, member, world.election_id), 403)
    assert election_state(app, world.election_id) == "certified"


def test_an_election_without_precincts_cannot_be_certified(app, client, make_election, chair):
    election = make_election(candidates=2, precincts=0)

    errors = errors_of(certify(client, chair, election.id), 409)

    assert errors[0]["code"] == "no_precincts"
    assert election_state(app, election.id) == "open"
    assert results_of(client, election.id)["status"] == "no_results"
