"""Re-binding an election to the corrected version of its profile (domain.md, "Rule profiles":
"the commission may re-bind an election that has not reached election day to the corrected
version (audited)")."""

from __future__ import annotations

import copy
import json
from datetime import datetime, time, timedelta
from html import unescape
from zoneinfo import ZoneInfo

from elections.core.audit import AuditEvent
from elections.core.extensions import db
from elections.rules import load_profile
from elections.territory.models import Election, ElectionDecision

ALMATY = ZoneInfo("Asia/Almaty")
REASON = "Version 2 of rural-2023 corrects the nomination deadline (25 days, not 15)."


def outdated(app, election_id: int) -> dict:
    """Give the election an older snapshot of its profile: version 1 with nomination closing
    15 days before and the term limit marked confirmed. Returns the shipped file's data."""
    with app.app_context():
        election = db.session.get(Election, election_id)
        shipped = load_profile(election.profile_key).data
        old = copy.deepcopy(shipped)
        old["version"] = shipped["version"] - 1
        old["rules"]["nomination_closes_days_before"]["value"] = 15
        old["rules"]["max_consecutive_terms"]["confirmed"] = True
        election.profile_snapshot = old
        db.session.commit()
        return shipped


def rebind(client, headers, election_id, **body):
    body.setdefault("reason", REASON)
    return client.post(
        f"/api/v1/elections/{election_id}/rebind-profile", json=body, headers=headers
    )


def at_local(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=ALMATY)


def election_day(app, election_id):
    with app.app_context():
        return db.session.get(Election, election_id).election_day


def codes(response) -> list[str]:
    return [item["code"] for item in response.json["errors"]]


def test_the_chair_rebinds_to_the_corrected_version_with_a_decision_and_an_audit_event(
    app, client, world, token_for
):
    shipped = outdated(app, world.election_id)
    response = rebind(client, token_for(world.users["territorial_chair"]), world.election_id)
    assert response.status_code == 200, response.json
    assert response.json["id"] == world.election_id
    assert response.json["profile"] == "rural-2023"

    with app.app_context():
        election = db.session.get(Election, world.election_id)
        assert election.profile_snapshot == shipped
        assert election.profile.nomination_closes_days_before == 25
        decision = db.session.query(ElectionDecision).filter_by(election_id=election.id).one()
        assert decision.kind == "profile_rebound"
        assert decision.reason == REASON
        assert decision.actor == world.usernames["territorial_chair"]
        assert decision.data["profile"] == "rural-2023"
        assert decision.data["from_version"] == shipped["version"] - 1
        assert decision.data["to_version"] == shipped["version"]
        assert sorted(decision.data["changed"], key=lambda c: c["rule"]) == [
            {
                "rule": "max_consecutive_terms",
                "old": {"value": 2, "confirmed": True},
                "new": {"value": 2, "confirmed": False},
            },
            {
                "rule": "nomination_closes_days_before",
                "old": {"value": 15, "confirmed": True},
                "new": {"value": 25, "confirmed": True},
            },
        ]
        event = (
            db.session.query(AuditEvent)
            .filter_by(entity_type="election", entity_id=str(election.id))
            .order_by(AuditEvent.seq.desc())
            .first()
        )
        assert event.action == "election.profile_rebound"
        payload = json.loads(event.payload)
        assert payload["decision"] == decision.id
        assert payload["to_version"] == shipped["version"]
        assert payload["reason"] == REASON

    client.set_cookie("lang", "en")
    page = unescape(client.get(f"/elections/{world.election_id}/rules").get_data(as_text=True))
    assert 'data-decision="profile_rebound"' in page
    assert REASON in page
    assert f"version {shipped['version']}" in page


def test_a_cec_administrator_may_rebind_too(app, client, world, token_for):
    outdated(app, world.election_id)
    response = rebind(client, token_for(world.users["cec_admin"]), world.election_id)
    assert response.status_code == 200, response.json


def test_an_election_with_the_latest_version_is_current(app, client, world, token_for):
    response = rebind(client, token_for(world.users["territorial_chair"]), world.election_id)
    assert response.status_code == 409
    assert codes(response) == ["profile_current"]
    with app.app_context():
        assert db.session.query(ElectionDecision).count() == 0


def test_rebinding_stops_at_midnight_of_election_day_local_time(
    app, client, world, token_for, clock
):
    outdated(app, world.election_id)
    day = election_day(app, world.election_id)
    chair = token_for(world.users["territorial_chair"])
    clock(at_local(day, 0, 5))  # 19:05 UTC the evening before: in Almaty it is election day
    response = rebind(client, chair, world.election_id)
    assert response.status_code == 409
    assert codes(response) == ["election_day_reached"]
    clock(at_local(day + timedelta(days=3), 12))
    assert codes(rebind(client, chair, world.election_id)) == ["election_day_reached"]
    clock(at_local(day - timedelta(days=1), 23, 55))
    assert rebind(client, chair, world.election_id).status_code == 200


def test_an_election_no_longer_open_keeps_its_profile(app, client, world, token_for):
    outdated(app, world.election_id)
    with app.app_context():
        db.session.get(Election, world.election_id).state = "invalid"
        db.session.commit()
    response = rebind(client, token_for(world.users["territorial_chair"]), world.election_id)
    assert response.status_code == 409
    assert codes(response) == ["election_not_open"]


def test_only_the_chair_of_the_organising_commission_rebinds(app, client, world, token_for):
    shipped = outdated(app, world.election_id)
    member = rebind(client, token_for(world.users["territorial_member"]), world.election_id)
    assert member.status_code == 403
    other = rebind(client, token_for(world.users["other_member"]), world.election_id)
    assert other.status_code == 404
    secretary = rebind(client, token_for(world.users["precinct_secretary"]), world.election_id)
    assert secretary.status_code == 403
    assert rebind(client, {}, world.election_id).status_code == 401
    with app.app_context():
        assert db.session.get(Election, world.election_id).profile_snapshot != shipped


def test_a_reason_is_required(app, client, world, token_for):
    outdated(app, world.election_id)
    chair = token_for(world.users["territorial_chair"])
    response = rebind(client, chair, world.election_id, reason="   ")
    assert response.status_code == 422
    assert [item["field"] for item in response.json["errors"]] == ["reason"]


def test_a_commission_that_called_with_the_wrong_profile_names_another_of_the_same_kind(
    app, client, world, token_for
):
    chair = token_for(world.users["territorial_chair"])
    wrong_kind = rebind(client, chair, world.election_id, profile="district-2023")
    assert wrong_kind.status_code == 422
    assert codes(wrong_kind) == ["profile_kind_mismatch"]
    unknown = rebind(client, chair, world.election_id, profile="rural-2026")
    assert unknown.status_code == 422
    assert unknown.json["errors"][0]["field"] == "profile"

    response = rebind(client, chair, world.election_id, profile="rural-2021")
    assert response.status_code == 200, response.json
    assert response.json["profile"] == "rural-2021"
    with app.app_context():
        election = db.session.get(Election, world.election_id)
        assert election.profile_snapshot == load_profile("rural-2021").data
        decision = db.session.query(ElectionDecision).filter_by(election_id=election.id).one()
        assert decision.data["from_profile"] == "rural-2023"
        assert decision.data["profile"] == "rural-2021"


def test_the_commission_rules_page_offers_the_rebinding_to_the_chair(app, client, world, login):
    outdated(app, world.election_id)
    login(world.users["territorial_member"])
    page = client.get(f"/commission/elections/{world.election_id}/rules").get_data(as_text=True)
    assert 'id="rebind"' in page and "rebind-submit" not in page
    client.post("/logout")
    login(world.users["territorial_chair"])
    page = client.get(f"/commission/elections/{world.election_id}/rules").get_data(as_text=True)
    assert "rebind-submit" in page
    empty = client.post(f"/commission/elections/{world.election_id}/rebind", data={"reason": ""})
    assert empty.status_code == 422
    assert 'id="reason-error"' in empty.get_data(as_text=True)
    done = client.post(f"/commission/elections/{world.election_id}/rebind", data={"reason": REASON})
    assert done.status_code == 302
    page = client.get(f"/commission/elections/{world.election_id}/rules").get_data(as_text=True)
    assert 'id="rebind"' not in page
    assert 'data-decision="profile_rebound"' in page


def test_on_election_day_the_page_says_the_profile_stays(app, client, world, login, clock):
    outdated(app, world.election_id)
    clock(at_local(election_day(app, world.election_id), 9))
    login(world.users["territorial_chair"])
    page = client.get(f"/commission/elections/{world.election_id}/rules").get_data(as_text=True)
    assert 'id="rebind"' in page and "rebind-submit" not in page
    refused = client.post(
        f"/commission/elections/{world.election_id}/rebind", data={"reason": REASON}
    )
    assert refused.status_code == 409
    with app.app_context():
        assert db.session.query(ElectionDecision).count() == 0
