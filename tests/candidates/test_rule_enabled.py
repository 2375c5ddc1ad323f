"""The organising commission turns an unconfirmed rule on, naming its source, and eligibility
applies it (domain.md, "Verified and unverified rules": a rule without a source is never an
automatic refusal; the commission's decision with the source is what turns it on)."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from html import unescape

import pytest

from elections.core.audit import AuditEvent
from elections.core.extensions import db
from elections.rules import load_profile
from elections.territory.models import Election, ElectionDecision
from tests.factories import PASSWORD, nomination_body, party_nomination, self_nomination

BASIS = {
    "kk": "Зеренді аудандық сайлау комиссиясының 2026 жылғы 3 қазандағы № 5 шешімі",
    "ru": "Решение Зерендинской районной избирательной комиссии № 5 от 3 октября 2026 года",
    "en": "Decision of the Zerendi district commission no. 5 of 3 Oct 2026, citing art. 36-2",
}
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
REASON = "The regional court's ruling of 1 Oct 2026 confirms the limit of two terms."
# Facts that break each gated rule, and the refusal ground it then raises.
BREAKS = {
    "max_consecutive_terms": ({"consecutive_terms_in_post": 3}, "term_limit_reached"),
    "min_experience_years": ({"work_experience_years": 0}, "experience_insufficient"),
    "signature_settlement_share": (
        {"nomination": self_nomination(20, 0)},
        "settlements_insufficient",
    ),
}


@pytest.fixture
def chair(world, token_for):
    return token_for(world.users["territorial_chair"])


@pytest.fixture
def party(new_party):
    return new_party()


def decide_rule(client, headers, election_id, rule, **body):
    return client.post(f"/api/v1/elections/{election_id}/rules/{rule}", json=body, headers=headers)


def turn_on(client, headers, election_id, rule, basis=BASIS, reason=REASON):
    return decide_rule(client, headers, election_id, rule, enabled=True, basis=basis, reason=reason)


def nominate(client, headers, election_id, party_id, **overrides):
    nomination = overrides.pop("nomination", None) or party_nomination(party_id)
    body = nomination_body(nomination, **overrides)
    response = client.post(
        f"/api/v1/elections/{election_id}/candidates", json=body, headers=headers
    )
    assert response.status_code == 201, response.json
    return response.json["id"]


def violations(client, headers, candidate_id) -> list[str]:
    response = client.get(f"/api/v1/candidates/{candidate_id}", headers=headers)
    assert response.status_code == 200, response.json
    return [v["code"] for v in response.json["eligibility"]["violations"]]


def codes(response) -> list[str]:
    return [item["code"] for item in response.json["errors"]]


def snapshot_entry(app, election_id, rule) -> dict:
    with app.app_context():
        return db.session.get(Election, election_id).profile_snapshot["rules"][rule]


@pytest.mark.parametrize("rule", sorted(BREAKS))
def test_verified_and_unverified_rules_refuse_only_after_the_commission_names_a_source(
    client, world, member, chair, party, rule
):
    """domain.md, "Verified and unverified rules", through the API: with no commission
    decision the shipped profile refuses no one on the rule; once the chair turns it on
    with a source, the refusal ground appears for the same candidate."""
    facts, ground = BREAKS[rule]
    candidate = nominate(client, member, world.election_id, party, **facts)
    assert ground not in violations(client, member, candidate)

    response = turn_on(client, chair, world.election_id, rule)
    assert response.status_code == 200, response.json
    assert ground in violations(client, member, candidate)


def test_a_candidate_with_three_terms_is_refused_once_the_term_limit_is_on(
    app, client, world, member, chair, party
):
    candidate = nominate(client, member, world.election_id, party, consecutive_terms_in_post=3)
    assert violations(client, member, candidate) == []

    assert turn_on(client, chair, world.election_id, "max_consecutive_terms").status_code == 200
    registered = client.post(
        f"/api/v1/candidates/{candidate}/decision", json={"decision": "register"}, headers=member
    )
    assert registered.status_code == 409
    assert codes(registered) == ["ineligible", "term_limit_reached"]
    refused = client.post(
        f"/api/v1/candidates/{candidate}/decision", json={"decision": "refuse"}, headers=member
    )
    assert refused.status_code == 200, refused.json
    assert refused.json["status"] == "refused"
    with app.app_context():
        from elections.candidates.models import Candidate

        assert db.session.get(Candidate, candidate).grounds == ["term_limit_reached"]


def test_turning_a_rule_on_keeps_its_source_and_who_decided_and_records_the_decision(
    app, client, world, chair
):
    old = snapshot_entry(app, world.election_id, "max_consecutive_terms")
    response = turn_on(client, chair, world.election_id, "max_consecutive_terms")
    assert response.status_code == 200, response.json
    assert response.json["id"] == world.election_id

    entry = snapshot_entry(app, world.election_id, "max_consecutive_terms")
    assert entry["value"] == 2
    assert entry["basis"] == BASIS
    assert entry["confirmed"] is True
    with app.app_context():
        election = db.session.get(Election, world.election_id)
        assert entry["enabled_by"]["commission"] == election.organiser_id
        assert entry["enabled_by"]["user"] == world.usernames["territorial_chair"]
        assert entry["enabled_by"]["reason"] == REASON
        assert entry["enabled_by"]["at"]
        decision = db.session.query(ElectionDecision).filter_by(election_id=election.id).one()
        assert decision.kind == "rule_enabled"
        assert decision.reason == REASON
        assert decision.data == {
            "rule": "max_consecutive_terms",
            "enabled": True,
            "old": old,
            "new": entry,
        }
        event = (
            db.session.query(AuditEvent)
            .filter_by(entity_type="election", entity_id=str(election.id))
            .order_by(AuditEvent.seq.desc())
            .first()
        )
        assert event.action == "election.rule_enabled"
        assert json.loads(event.payload)["decision"] == decision.id

    client.set_cookie("lang", "en")
    page = unescape(client.get(f"/elections/{world.election_id}/rules").get_data(as_text=True))
    row = page.split('data-rule="max_consecutive_terms"')[1].split("</tr>")[0]
    assert '<strong class="commission-confirmed">confirmed by the commission</strong>' in row
    assert BASIS["en"] in row
    assert 'data-decision="rule_enabled"' in page and REASON in page


def test_turning_a_rule_off_restores_the_shipped_unconfirmed_entry(
    app, client, world, member, chair, party
):
    shipped = load_profile("rural-2023").data["rules"]["max_consecutive_terms"]
    candidate = nominate(client, member, world.election_id, party, consecutive_terms_in_post=3)
    assert turn_on(client, chair, world.election_id, "max_consecutive_terms").status_code == 200
    assert "term_limit_reached" in violations(client, member, candidate)

    off = decide_rule(
        client,
        chair,
        world.election_id,
        "max_consecutive_terms",
        enabled=False,
        reason="The ruling was overturned on appeal.",
    )
    assert off.status_code == 200, off.json
    assert snapshot_entry(app, world.election_id, "max_consecutive_terms") == shipped
    assert violations(client, member, candidate) == []
    with app.app_context():
        kinds = [
            (d.kind, d.data["enabled"])
            for d in db.session.query(ElectionDecision).order_by(ElectionDecision.id)
        ]
        assert kinds == [("rule_enabled", True), ("rule_enabled", False)]
    again = decide_rule(
        client, chair, world.election_id, "max_consecutive_terms", enabled=False, reason="x"
    )
    assert again.status_code == 409
    assert codes(again) == ["rule_not_enabled"]


def test_a_confirmed_rule_cannot_be_turned_on_and_an_unknown_one_is_404(client, world, chair):
    confirmed = turn_on(client, chair, world.election_id, "min_age")
    assert confirmed.status_code == 409
    assert codes(confirmed) == ["rule_confirmed"]
    assert turn_on(client, chair, world.election_id, "max_terms_ever").status_code == 404


def test_turning_on_needs_the_source_in_all_three_languages(app, client, world, chair):
    rule = "max_consecutive_terms"
    none = decide_rule(client, chair, world.election_id, rule, enabled=True, reason=REASON)
    assert none.status_code == 422
    assert [item["field"] for item in none.json["errors"]] == ["basis"]
    no_russian = turn_on(client, chair, world.election_id, rule, basis={**BASIS, "ru": None})
    assert no_russian.status_code == 422
    assert [item["field"] for item in no_russian.json["errors"]] == ["basis.ru"]
    no_kazakh = {"ru": BASIS["ru"], "en": BASIS["en"]}
    missing = turn_on(client, chair, world.election_id, rule, basis=no_kazakh)
    assert [item["field"] for item in missing.json["errors"]] == ["basis.kk"]
    blank = turn_on(client, chair, world.election_id, rule, basis={**BASIS, "en": "  "})
    assert [item["field"] for item in blank.json["errors"]] == ["basis.en"]
    no_reason = turn_on(client, chair, world.election_id, rule, reason="")
    assert [item["field"] for item in no_reason.json["errors"]] == ["reason"]
    flag = decide_rule(client, chair, world.election_id, rule, enabled="yes", reason=REASON)
    assert [item["field"] for item in flag.json["errors"]] == ["enabled"]
    with app.app_context():
        assert db.session.query(ElectionDecision).count() == 0
    assert snapshot_entry(app, world.election_id, rule)["confirmed"] is False


def test_the_rules_stay_as_they_are_once_registration_closes(app, client, world, chair, clock):
    with app.app_context():
        election = db.session.get(Election, world.election_id)
        closes = election.calendar().registration_closes
    clock(closes)
    response = turn_on(client, chair, world.election_id, "max_consecutive_terms")
    assert response.status_code == 409
    assert codes(response) == ["registration_closed"]
    clock(closes - timedelta(minutes=1))
    assert turn_on(client, chair, world.election_id, "max_consecutive_terms").status_code == 200


def test_only_the_chair_of_the_organising_commission_turns_a_rule_on(
    app, client, world, member, token_for
):
    rule = "max_consecutive_terms"
    assert turn_on(client, member, world.election_id, rule).status_code == 403
    other = token_for(world.users["other_member"])
    assert turn_on(client, other, world.election_id, rule).status_code == 404
    admin = token_for(world.users["cec_admin"])
    assert turn_on(client, admin, world.election_id, rule).status_code == 403
    assert turn_on(client, {}, world.election_id, rule).status_code == 401
    assert snapshot_entry(app, world.election_id, rule)["confirmed"] is False


def test_the_chair_turns_a_rule_on_and_off_with_the_commission_form(app, client, world, login):
    login(world.users["territorial_member"])
    page = client.get(f"/commission/elections/{world.election_id}/rules")
    assert page.status_code == 200
    link = f'/commission/elections/{world.election_id}/rules/max_consecutive_terms"'
    assert link not in page.get_data(as_text=True)
    assert client.get(link.rstrip('"')).status_code == 403
    client.post("/logout")

    login(world.users["territorial_chair"])
    home = client.get("/commission/").get_data(as_text=True)
    assert f'href="/commission/elections/{world.election_id}/rules"' in home
    page = client.get(f"/commission/elections/{world.election_id}/rules").get_data(as_text=True)
    assert link in page
    assert f'/commission/elections/{world.election_id}/rules/min_age"' not in page
    url = link.rstrip('"')
    assert client.get(f"/commission/elections/{world.election_id}/rules/min_age").status_code == 404

    partial = client.post(url, data={"basis_kk": BASIS["kk"], "basis_en": BASIS["en"]})
    assert partial.status_code == 422
    text = partial.get_data(as_text=True)
    assert 'id="basis_ru-error"' in text and 'id="reason-error"' in text
    assert 'id="basis_kk-error"' not in text

    done = client.post(
        url,
        data={
            "basis_kk": BASIS["kk"],
            "basis_ru": BASIS["ru"],
            "basis_en": BASIS["en"],
            "reason": REASON,
        },
    )
    assert done.status_code == 302
    assert snapshot_entry(app, world.election_id, "max_consecutive_terms")["basis"] == BASIS
    page = client.get(f"/commission/elections/{world.election_id}/rules").get_data(as_text=True)
    assert 'class="commission-confirmed"' in page

    off = client.post(url, data={"reason": "The ruling was overturned."})
    assert off.status_code == 302
    assert snapshot_entry(app, world.election_id, "max_consecutive_terms")["confirmed"] is False


def test_the_commission_pages_offer_no_rule_change_once_registration_closes(
    app, client, world, login, clock
):
    with app.app_context():
        closes = db.session.get(Election, world.election_id).calendar().registration_closes
    clock(closes + timedelta(hours=1))
    login(world.users["territorial_chair"])
    page = client.get(f"/commission/elections/{world.election_id}/rules").get_data(as_text=True)
    assert 'id="rules-closed"' in page
    assert f"/commission/elections/{world.election_id}/rules/max_consecutive_terms" not in page
    url = f"/commission/elections/{world.election_id}/rules/max_consecutive_terms"
    assert client.get(url).status_code == 409
    response = client.post(
        url,
        data={"basis_kk": "a", "basis_ru": "b", "basis_en": "c", "reason": REASON},
    )
    assert response.status_code == 409
    assert snapshot_entry(app, world.election_id, "max_consecutive_terms")["confirmed"] is False


def test_the_rules_form_needs_its_csrf_token(guarded, world):
    client = guarded.test_client()
    login_page = client.get("/login").get_data(as_text=True)
    token = CSRF.search(login_page).group(1)
    username = world.usernames["territorial_chair"]
    client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    url = f"/commission/elections/{world.election_id}/rules/max_consecutive_terms"
    form_page = client.get(url).get_data(as_text=True)
    fields = {"basis_kk": "a", "basis_ru": "b", "basis_en": "c", "reason": REASON}

    refused = client.post(url, data={**fields, "csrf_token": "forged"})
    assert refused.status_code == 400
    with guarded.app_context():
        election = db.session.get(Election, world.election_id)
        assert election.profile_snapshot["rules"]["max_consecutive_terms"]["confirmed"] is False
    accepted = client.post(url, data={**fields, "csrf_token": CSRF.search(form_page).group(1)})
    assert accepted.status_code == 302
