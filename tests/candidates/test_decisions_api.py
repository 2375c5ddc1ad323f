"""Registration decisions: register, refuse, withdraw, cancel; history and audit."""

from __future__ import annotations

from datetime import datetime

import pytest

from elections.candidates.models import Candidate
from elections.core import audit
from elections.core.audit import AuditEvent
from elections.core.extensions import db
from tests.foundation.support import names_a_source


def decide(client, headers, candidate_id, lang="en", **body):
    return client.post(
        f"/api/v1/candidates/{candidate_id}/decision",
        json=body,
        headers=headers,
        query_string={"lang": lang},
    )


def withdraw(client, headers, candidate_id, reason="The candidate asked in writing."):
    return client.post(
        f"/api/v1/candidates/{candidate_id}/withdraw", json={"reason": reason}, headers=headers
    )


def cancel(client, headers, candidate_id, grounds=("bribery_or_defamation",), note=None):
    return client.post(
        f"/api/v1/candidates/{candidate_id}/cancel-registration",
        json={"grounds": list(grounds), "note": note},
        headers=headers,
    )


def show(client, headers, candidate_id, lang="en"):
    response = client.get(
        f"/api/v1/candidates/{candidate_id}", headers=headers, query_string={"lang": lang}
    )
    assert response.status_code == 200, response.json
    return response.json


def codes(response) -> list[str]:
    return [item["code"] for item in response.json["errors"]]


def audit_actions(app, candidate_id) -> list[str]:
    with app.app_context():
        events = (
            db.session.query(AuditEvent)
            .filter_by(entity_type="candidate", entity_id=str(candidate_id))
            .order_by(AuditEvent.seq)
        )
        return [event.action for event in events]


def chain_holds(app) -> bool:
    with app.app_context():
        return audit.verify().ok


# --- register ----------------------------------------------------------------------------------


def test_register_an_eligible_candidate_is_200_registered_with_history(
    client, world, member, add_candidate
):
    candidate = add_candidate(world.election_id)

    response = decide(client, member, candidate.id, decision="register", note="Documents checked")

    assert response.status_code == 200, response.json
    assert response.json["status"] == "registered"
    history = response.json["history"]
    assert [event["status"] for event in history] == ["submitted", "registered"]
    last = history[-1]
    assert set(last) >= {"status", "at", "actor", "reason"}
    assert last["actor"] == world.usernames["territorial_member"]
    assert last["reason"] == "Documents checked"
    assert datetime.fromisoformat(last["at"]).utcoffset().total_seconds() == 5 * 3600
    assert show(client, member, candidate.id)["status"] == "registered"


def test_register_an_ineligible_candidate_is_409_ineligible_listing_every_violation(
    client, world, member, add_candidate
):
    candidate = add_candidate(
        world.election_id,
        citizenship="RU",
        special_check="failed",
        deposit_paid=False,
        consecutive_terms_in_post=2,
    )

    response = decide(client, member, candidate.id, decision="register")

    assert response.status_code == 409
    errors = response.json["errors"]
    assert errors[0]["code"] == "ineligible"
    assert [e["code"] for e in errors[1:]] == [
        "not_citizen",
        "special_check_failed",
        "deposit_unpaid",
    ]  # two terms served: no source confirms a term limit, so no refusal
    for error in errors[1:]:
        assert error["message"]
        assert names_a_source(error["legal_basis"])
    assert show(client, member, candidate.id)["status"] == "submitted"


def test_register_a_self_nominee_short_of_signatures_is_409(client, world, member, add_candidate):
    candidate = add_candidate(world.election_id, self_nominated=True, signatures_valid=19)

    response = decide(client, member, candidate.id, decision="register")

    assert response.status_code == 409
    assert codes(response) == ["ineligible", "signatures_insufficient"]


def test_register_twice_is_409(client, world, member, add_candidate):
    candidate = add_candidate(world.election_id)
    assert decide(client, member, candidate.id, decision="register").status_code == 200

    again = decide(client, member, candidate.id, decision="register")

    assert again.status_code == 409
    assert codes(again) == ["invalid_status"]


def test_register_a_refused_candidate_is_409(client, world, member, add_candidate):
    candidate = add_candidate(world.election_id, status="refused", grounds=["deposit_unpaid"])

    response = decide(client, member, candidate.id, decision="register")

    assert response.status_code == 409
    assert codes(response) == ["invalid_status"]
    assert show(client, member, candidate.id)["status"] == "refused"


@pytest.mark.parametrize("status", ["withdrawn", "registration_cancelled"])
def test_register_a_candidate_no_longer_standing_is_409(
    client, world, member, add_candidate, status
):
    candidate = add_candidate(world.election_id, status=status)

    response = decide(client, member, candidate.id, decision="register")

    assert response.status_code == 409
    assert codes(response) == ["invalid_status"]


def test_unknown_decision_is_422(client, world, member, add_candidate):
    candidate = add_candidate(world.election_id)

    response = decide(client, member, candidate.id, decision="approve")

    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "decision"


def test_decision_on_an_unknown_candidate_is_404(client, world, member):
    assert decide(client, member, 999_999, decision="register").status_code == 404


# --- refuse ------------------------------------------------------------------------------------


def test_refuse_without_grounds_takes_the_current_violations(client, world, member, add_candidate):
    candidate = add_candidate(world.election_id, deposit_paid=False, special_check="pending")

    response = decide(client, member, candidate.id, decision="refuse", note="See the file")

    assert response.status_code == 200, response.json
    assert response.json["status"] == "refused"
    grounds = response.json["grounds"]
    assert [g["code"] for g in grounds] == ["special_check_pending", "deposit_unpaid"]
    assert all(names_a_source(g["legal_basis"]) and g["message"] for g in grounds)
    last = response.json["history"][-1]
    assert last["status"] == "refused"
    assert last["reason"] == "See the file"
    assert last["grounds"] == ["special_check_pending", "deposit_unpaid"]


def test_refuse_with_an_empty_grounds_list_takes_the_current_violations(
    client, world, member, add_candidate
):
    candidate = add_candidate(world.election_id, education="primary")

    response = decide(client, member, candidate.id, decision="refuse", grounds=[])

    assert response.status_code == 200, response.json
    assert [g["code"] for g in response.json["grounds"]] == ["education_insufficient"]


def test_refuse_an_eligible_candidate_without_grounds_is_422(client, world, member, add_candidate):
    candidate = add_candidate(world.election_id)

    response = decide(client, member, candidate.id, decision="refuse")

    assert response.status_code == 422
    assert response.json["errors"][0]["code"] == "grounds_required"
    assert response.json["errors"][0]["field"] == "grounds"
    assert show(client, member, candidate.id)["status"] == "submitted"


def test_refuse_with_explicit_grounds_stores_and_shows_those_grounds(
    client, world, member, add_candidate
):
    # The candidate also has a violation: named grounds replace it.
    candidate = add_candidate(world.election_id, deposit_paid=False)

    response = decide(
        client, member, candidate.id, decision="refuse", grounds=["early_campaigning"]
    )

    assert response.status_code == 200, response.json
    shown = show(client, member, candidate.id)
    assert shown["status"] == "refused"
    assert shown["grounds"] == [
        {
            "code": "early_campaigning",
            "message": "The candidate campaigned before registration closed.",
            "legal_basis": 'Constitutional Law "On Elections in the Republic of Kazakhstan", '
            "art. 113-5",
        }
    ]
    assert shown["history"][-1]["grounds"] == ["early_campaigning"]


def test_refuse_citing_an_eligibility_code_explains_it_with_the_profile_basis(
    client, world, member, add_candidate
):
    candidate = add_candidate(world.election_id)

    response = decide(
        client, member, candidate.id, decision="refuse", grounds=["experience_insufficient"]
    )

    assert response.status_code == 200
    [ground] = response.json["grounds"]
    assert ground["code"] == "experience_insufficient"
    assert "at least 2 years of work experience" in ground["message"]
    assert "no source gives a number" in ground["legal_basis"]


def test_refuse_with_an_unknown_ground_is_422(client, world, member, add_candidate):
    candidate = add_candidate(world.election_id)

    response = decide(client, member, candidate.id, decision="refuse", grounds=["bad_haircut"])

    assert response.status_code == 422
    assert response.json["errors"][0]["field"].startswith("grounds")


def test_refuse_a_registered_candidate_is_409(client, world, member, add_candidate):
    candidate = add_candidate(world.election_id, status="registered")

    response = decide(client, member, candidate.id, decision="refuse", grounds=["abuse_of_office"])

    assert response.status_code == 409
    assert codes(response) == ["invalid_status"]


# --- withdraw and cancel -----------------------------------------------------------------------


@pytest.mark.parametrize("status", ["submitted", "registered"])
def test_withdraw_a_standing_candidate_is_200_with_the_reason_in_history(
    client, world, member, add_candidate, status
):
    candidate = add_candidate(world.election_id, status=status)

    response = withdraw(client, member, candidate.id, reason="Family reasons")

    assert response.status_code == 200, response.json
    assert response.json["status"] == "withdrawn"
    assert response.json["history"][-1]["status"] == "withdrawn"
    assert response.json["history"][-1]["reason"] == "Family reasons"


def test_withdraw_without_a_reason_is_422(client, world, member, add_candidate):
    candidate = add_candidate(world.election_id)

    response = client.post(f"/api/v1/candidates/{candidate.id}/withdraw", json={}, headers=member)

    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "reason"


def test_withdraw_a_refused_candidate_is_409(client, world, member, add_candidate):
    candidate = add_candidate(world.election_id, status="refused")

    response = withdraw(client, member, candidate.id)

    assert response.status_code == 409
    assert codes(response) == ["invalid_status"]


def test_cancel_registration_of_a_registered_candidate_is_200(client, world, member, add_candidate):
    candidate = add_candidate(world.election_id, status="registered")

    response = cancel(client, member, candidate.id, grounds=["false_declaration"], note="Court")

    assert response.status_code == 200, response.json
    assert response.json["status"] == "registration_cancelled"
    assert [g["code"] for g in response.json["grounds"]] == ["false_declaration"]
    last = response.json["history"][-1]
    assert (last["status"], last["reason"], last["grounds"]) == (
        "registration_cancelled",
        "Court",
        ["false_declaration"],
    )


def test_cancel_registration_of_a_submitted_candidate_is_409(client, world, member, add_candidate):
    candidate = add_candidate(world.election_id)

    response = cancel(client, member, candidate.id)

    assert response.status_code == 409
    assert codes(response) == ["invalid_status"]


def test_cancel_registration_without_grounds_is_422(client, world, member, add_candidate):
    candidate = add_candidate(world.election_id, status="registered")

    response = cancel(client, member, candidate.id, grounds=())

    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "grounds"


# --- audit -------------------------------------------------------------------------------------


def test_every_decision_writes_an_audit_event_and_the_chain_holds(
    app, client, world, member, add_candidate
):
    registered = add_candidate(world.election_id)
    refused = add_candidate(world.election_id, deposit_paid=False)
    withdrawn = add_candidate(world.election_id)

    assert decide(client, member, registered.id, decision="register").status_code == 200
    assert cancel(client, member, registered.id).status_code == 200
    assert decide(client, member, refused.id, decision="refuse").status_code == 200
    assert withdraw(client, member, withdrawn.id).status_code == 200

    assert audit_actions(app, registered.id) == [
        "candidate.registered",
        "candidate.registration_cancelled",
    ]
    assert audit_actions(app, refused.id) == ["candidate.refused"]
    assert audit_actions(app, withdrawn.id) == ["candidate.withdrawn"]
    with app.app_context():
        refusal = db.session.query(AuditEvent).filter_by(action="candidate.refused").one()
        assert '"deposit_unpaid"' in refusal.payload
        assert refusal.actor == world.usernames["territorial_member"]
    assert chain_holds(app)


def test_refused_decision_writes_no_audit_event_and_changes_nothing(
    app, client, world, member, add_candidate
):
    candidate = add_candidate(world.election_id, deposit_paid=False)

    assert decide(client, member, candidate.id, decision="register").status_code == 409

    assert audit_actions(app, candidate.id) == []
    with app.app_context():
        found = db.session.get(Candidate, candidate.id)
        assert found.status == "submitted"
        assert [event.status for event in found.history] == ["submitted"]
    assert chain_holds(app)


def test_the_chair_may_decide_too(client, world, token_for, add_candidate):
    candidate = add_candidate(world.election_id)
    chair = token_for(world.users["territorial_chair"])

    response = decide(client, chair, candidate.id, decision="register")

    assert response.status_code == 200
    assert response.json["history"][-1]["actor"] == world.usernames["territorial_chair"]
