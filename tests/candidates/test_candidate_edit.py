"""Changing a nomination until the decision: PATCH /api/v1/candidates/{id} and the edit page.

A nomination taken in with the special check ``pending`` could never be registered before:
nothing could change it. These tests take that path to registration, through the API and
through the pages, and check the audit trail, the refusals and the closed page after a
decision.
"""

from __future__ import annotations

import html
import json
import re

import pytest

from elections.candidates.models import Candidate
from elections.core import audit
from elections.core.audit import AuditEvent
from elections.core.extensions import db
from tests.factories import fresh_iin


def patch(client, headers, candidate_id, body, lang="en"):
    return client.patch(
        f"/api/v1/candidates/{candidate_id}",
        json=body,
        headers=headers,
        query_string={"lang": lang},
    )


def decide(client, headers, candidate_id, decision="register"):
    return client.post(
        f"/api/v1/candidates/{candidate_id}/decision",
        json={"decision": decision},
        headers=headers,
    )


def codes(response) -> list[str]:
    return [item["code"] for item in response.json["errors"]]


def violations(response) -> list[str]:
    return [v["code"] for v in response.json["eligibility"]["violations"]]


def update_events(app, candidate_id) -> list[dict]:
    with app.app_context():
        events = (
            db.session.query(AuditEvent)
            .filter_by(entity_id=str(candidate_id), action="candidate.updated")
            .order_by(AuditEvent.seq)
        )
        return [json.loads(event.payload) for event in events]


def stored(app, candidate_id) -> Candidate:
    with app.app_context():
        found = db.session.get(Candidate, candidate_id)
        db.session.expunge(found)
        return found


def chain_holds(app) -> bool:
    with app.app_context():
        return audit.verify().ok


# --- the API -----------------------------------------------------------------------------------


def test_a_pending_special_check_changed_to_passed_lets_the_candidate_be_registered(
    app, client, world, member, add_candidate
):
    candidate = add_candidate(world.election_id, special_check="pending")
    refused = decide(client, member, candidate.id)

    changed = patch(client, member, candidate.id, {"special_check": "passed"})
    registered = decide(client, member, candidate.id)

    assert refused.status_code == 409
    assert "special_check_pending" in codes(refused)
    assert changed.status_code == 200, changed.json
    assert changed.json["status"] == "submitted"
    assert changed.json["eligibility"] == {"eligible": True, "violations": []}
    assert registered.status_code == 200, registered.json
    assert registered.json["status"] == "registered"
    assert stored(app, candidate.id).special_check == "passed"


def test_patch_is_partial_and_recomputes_eligibility(app, client, world, member, add_candidate):
    candidate = add_candidate(world.election_id)

    response = patch(
        client, member, candidate.id, {"documents": {"biography": False}, "deposit_paid": False}
    )

    assert response.status_code == 200, response.json
    assert sorted(violations(response)) == ["deposit_unpaid", "documents_missing"]
    assert response.json["documents"] == {
        "application": True,
        "biography": False,
        "declarations": True,
        "party_decision": True,
        "tax_certificate": True,
        "signature_check_protocol": False,
    }
    after = stored(app, candidate.id)
    assert after.last_name.startswith("Ахметова")  # untouched fields stay
    assert after.special_check == "passed"


def test_a_nomination_of_the_same_type_merges_and_another_type_replaces_it(
    app, client, world, member, add_candidate
):
    candidate = add_candidate(world.election_id)
    party_id = stored(app, candidate.id).party_id

    not_member = patch(client, member, candidate.id, {"nomination": {"party_member": False}})
    self_nominee = patch(
        client,
        member,
        candidate.id,
        {"nomination": {"type": "self", "signatures_valid": 20, "settlements_covered": 1}},
    )

    assert not_member.status_code == 200, not_member.json
    assert not_member.json["nomination"]["party_id"] == party_id
    assert "party_membership_required" in violations(not_member)
    assert self_nominee.status_code == 200, self_nominee.json
    assert self_nominee.json["nomination"] == {
        "type": "self",
        "signatures_valid": 20,
        "settlements_covered": 1,
        "signatures_source": "typed",
    }
    after = stored(app, candidate.id)
    assert (after.party_id, after.party_member) == (None, None)


def test_a_patch_is_audited_with_old_and_new_values_in_its_transaction(
    app, client, world, member, add_candidate
):
    candidate = add_candidate(world.election_id, special_check="pending")

    patch(client, member, candidate.id, {"special_check": "passed", "first_name": "Дана"})

    events = update_events(app, candidate.id)
    assert len(events) == 1
    assert events[0]["application_number"] == candidate.application_number
    assert events[0]["changes"] == {
        "first_name": {"old": "Динара", "new": "Дана"},
        "special_check": {"old": "pending", "new": "passed"},
    }
    assert chain_holds(app)


def test_a_changed_iin_is_audited_without_either_value(app, client, world, member, add_candidate):
    candidate = add_candidate(world.election_id)
    new_iin, new_birth_date = fresh_iin("female")

    response = patch(
        client,
        member,
        candidate.id,
        {"iin": new_iin, "birth_date": new_birth_date.isoformat()},
    )

    assert response.status_code == 200, response.json
    assert response.json["iin"] == new_iin
    [event] = update_events(app, candidate.id)
    assert event["changes"] == {"birth_date": {"changed": True}, "iin": {"changed": True}}
    with app.app_context():
        payload = db.session.query(AuditEvent).filter_by(action="candidate.updated").one().payload
    assert candidate.iin not in payload
    assert new_iin not in payload
    assert new_birth_date.isoformat() not in payload


def test_an_iin_is_checked_against_the_stored_birth_date(app, client, world, member, add_candidate):
    candidate = add_candidate(world.election_id)
    other_iin, _other_birth_date = fresh_iin("female")

    response = patch(client, member, candidate.id, {"iin": other_iin})

    assert response.status_code == 422
    assert [e["field"] for e in response.json["errors"]] == ["birth_date"]
    assert stored(app, candidate.id).iin == candidate.iin


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"special_check": "maybe"}, "special_check"),
        ({"work_experience_years": -1}, "work_experience_years"),
        ({"iin": "12345"}, "iin"),
        ({"last_name": ""}, "last_name"),
        ({"documents": {"biography": "perhaps"}}, "documents.biography"),
        ({"nomination": {"type": "self"}}, "nomination.signatures_valid"),
        ({"shoe_size": 42}, "shoe_size"),
        ({"birth_date": "not a date"}, "birth_date"),
    ],
)
def test_bad_values_are_422_field_errors_and_change_nothing(
    app, client, world, member, add_candidate, body, field
):
    candidate = add_candidate(world.election_id)
    before = stored(app, candidate.id)

    response = patch(client, member, candidate.id, body)

    assert response.status_code == 422, response.json
    assert field in [e.get("field") for e in response.json["errors"]]
    after = stored(app, candidate.id)
    assert (after.iin, after.last_name, after.special_check, after.documents) == (
        before.iin,
        before.last_name,
        before.special_check,
        before.documents,
    )
    assert update_events(app, candidate.id) == []


def test_field_errors_come_in_the_readers_language(client, world, member, add_candidate):
    candidate = add_candidate(world.election_id)

    response = patch(client, member, candidate.id, {"iin": "123456789012"}, lang="ru")

    assert response.status_code == 422
    [error] = response.json["errors"]
    assert error["field"] == "iin"
    assert re.search("[а-яА-Я]", error["message"]), error


def test_a_body_that_is_not_json_is_400(client, world, member, add_candidate):
    candidate = add_candidate(world.election_id)

    response = client.patch(
        f"/api/v1/candidates/{candidate.id}", data="special_check=passed", headers=member
    )

    assert response.status_code == 400
    assert codes(response) == ["bad_request"]


@pytest.mark.parametrize("status", ["registered", "refused", "withdrawn"])
def test_after_a_decision_a_patch_is_409_already_decided(
    app, client, world, member, add_candidate, status
):
    candidate = add_candidate(world.election_id, status=status, special_check="pending")

    response = patch(client, member, candidate.id, {"special_check": "passed"})

    assert response.status_code == 409
    assert codes(response) == ["already_decided"]
    assert stored(app, candidate.id).special_check == "pending"
    assert update_events(app, candidate.id) == []


def test_an_empty_patch_changes_nothing_and_writes_no_event(
    app, client, world, member, add_candidate
):
    candidate = add_candidate(world.election_id)

    response = patch(client, member, candidate.id, {})

    assert response.status_code == 200
    assert response.json["id"] == candidate.id
    assert update_events(app, candidate.id) == []


def test_another_commission_gets_404_and_others_no_access(client, world, token_for, add_candidate):
    candidate = add_candidate(world.election_id, special_check="pending")
    body = {"special_check": "passed"}

    outside = patch(client, token_for(world.users["other_member"]), candidate.id, body)
    secretary = patch(client, token_for(world.users["precinct_secretary"]), candidate.id, body)
    anonymous = client.patch(f"/api/v1/candidates/{candidate.id}", json=body)
    missing = patch(client, token_for(world.users["territorial_chair"]), 10**9, body)

    assert outside.status_code == 404
    assert secretary.status_code == 403
    assert anonymous.status_code == 401
    assert missing.status_code == 404


def test_the_iin_of_another_nominee_of_the_election_is_409(client, world, member, add_candidate):
    first = add_candidate(world.election_id)
    second = add_candidate(world.election_id)
    first_birth_date = client.get(f"/api/v1/candidates/{first.id}", headers=member).json[
        "birth_date"
    ]

    # The IIN carries the birth date, so the commission changes both.
    response = patch(client, member, second.id, {"iin": first.iin, "birth_date": first_birth_date})

    assert response.status_code == 409
    assert codes(response) == ["already_nominated"]


def test_moving_to_a_party_that_already_nominated_is_409(app, client, world, member, add_candidate):
    first = add_candidate(world.election_id)
    second = add_candidate(world.election_id)
    party_of_first = stored(app, first.id).party_id

    response = patch(client, member, second.id, {"nomination": {"party_id": party_of_first}})
    unknown = patch(client, member, second.id, {"nomination": {"party_id": 10**6}})

    assert response.status_code == 409
    assert codes(response) == ["party_already_nominated"]
    assert unknown.status_code == 422
    assert [e["field"] for e in unknown.json["errors"]] == ["nomination.party_id"]


# --- the edit page -----------------------------------------------------------------------------


@pytest.fixture
def staff(world, login):
    client = login(world.users["territorial_member"])
    client.get("/lang/en")
    return client


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def form_of(page_html: str) -> dict:
    """The edit form's values, as a browser would post them untouched."""
    values = {}
    for tag in re.findall(r"<input[^>]+>", page_html):
        name = re.search(r'name="([^"]+)"', tag)
        if not name:
            continue
        kind = re.search(r'type="([^"]+)"', tag)
        kind = kind.group(1) if kind else "text"
        value = re.search(r'value="([^"]*)"', tag)
        value = html.unescape(value.group(1)) if value else ""
        if kind in ("checkbox", "radio"):
            if " checked" in tag:
                values[name.group(1)] = value
        else:
            values[name.group(1)] = value
    for select in re.findall(r"<select[^>]*>.*?</select>", page_html, re.DOTALL):
        name = re.search(r'name="([^"]+)"', select).group(1)
        chosen = re.search(r'<option selected value="([^"]*)"', select) or re.search(
            r'<option[^>]*value="([^"]*)"[^>]*selected', select
        )
        if chosen:
            values[name] = chosen.group(1)
    for name, inner in re.findall(
        r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', page_html, re.DOTALL
    ):
        values[name] = html.unescape(inner.removeprefix("\n"))
    return values


def test_the_candidate_page_links_to_the_edit_page_until_the_decision(staff, world, add_candidate):
    waiting = add_candidate(world.election_id)
    decided = add_candidate(world.election_id, status="registered")

    waiting_page = text(staff.get(f"/commission/candidates/{waiting.id}"))
    decided_page = text(staff.get(f"/commission/candidates/{decided.id}"))

    assert f'href="/commission/candidates/{waiting.id}/edit"' in waiting_page
    assert "/edit" not in decided_page


def test_the_edit_page_opens_filled_in_and_saves_a_passed_check(app, staff, world, add_candidate):
    candidate = add_candidate(world.election_id, special_check="pending")
    url = f"/commission/candidates/{candidate.id}/edit"

    opened = staff.get(url)
    values = form_of(opened.get_data(as_text=True))
    saved = staff.post(url, data={**values, "special_check": "passed"})
    shown = text(staff.get(saved.headers["Location"]))

    assert opened.status_code == 200
    assert values["iin"] == candidate.iin
    assert values["special_check"] == "pending"
    assert values["nomination_type"] == "party"
    assert values["doc_party_decision"] == "y"
    assert saved.status_code == 302
    assert saved.headers["Location"].endswith(f"/commission/candidates/{candidate.id}")
    assert f"Changes to application {candidate.application_number} saved." in shown
    assert "The candidate meets every requirement." in shown
    [event] = update_events(app, candidate.id)
    assert event["changes"] == {"special_check": {"old": "pending", "new": "passed"}}

    registered = staff.post(
        f"/commission/candidates/{candidate.id}/register", data={"confirm": "y"}
    )
    assert registered.status_code == 302
    assert stored(app, candidate.id).status == "registered"


def test_saving_the_form_untouched_changes_nothing(app, staff, world, add_candidate):
    candidate = add_candidate(world.election_id, self_nominated=True)
    url = f"/commission/candidates/{candidate.id}/edit"

    values = form_of(staff.get(url).get_data(as_text=True))
    saved = staff.post(url, data=values, follow_redirects=True)

    assert saved.status_code == 200
    assert "Nothing was changed." in text(saved)
    assert update_events(app, candidate.id) == []


@pytest.mark.parametrize(
    ("language", "expected"),
    [("ru", "Две буквы, например KZ."), ("kk", "Екі әріп, мысалы KZ.")],
)
def test_bad_values_get_field_messages_in_the_pages_language(
    app, staff, world, add_candidate, language, expected
):
    candidate = add_candidate(world.election_id)
    url = f"/commission/candidates/{candidate.id}/edit"
    values = form_of(staff.get(url).get_data(as_text=True))
    staff.get(f"/lang/{language}")

    response = staff.post(
        url, data={**values, "citizenship": "K1", "last_name": "", "signatures_valid": "-3"}
    )

    page_html = text(response)
    assert response.status_code == 422
    assert f'lang="{language}"' in page_html
    citizenship = re.search(r'id="citizenship-error">([^<]+)<', page_html)
    assert citizenship and citizenship.group(1) == expected
    last_name = re.search(r'id="last_name-error">([^<]+)<', page_html)
    assert last_name and re.search("[а-яәғқңөұүһі]", last_name.group(1).lower())
    assert "This field is required" not in page_html
    summary = re.search(r"<div[^>]*data-error-summary.*?</div>", page_html, re.DOTALL).group(0)
    assert {"#citizenship", "#last_name", "#signatures_valid"} == set(
        re.findall(r'href="(#[a-z_]+)"', summary)
    )
    assert stored(app, candidate.id).citizenship == "KZ"


def test_an_iin_that_disagrees_with_the_birth_date_is_shown_at_the_field(
    staff, world, add_candidate
):
    candidate = add_candidate(world.election_id)
    url = f"/commission/candidates/{candidate.id}/edit"
    values = form_of(staff.get(url).get_data(as_text=True))
    other_iin, _birth = fresh_iin("female")

    response = staff.post(url, data={**values, "iin": other_iin})

    assert response.status_code == 422
    assert 'id="birth_date-error"' in response.get_data(as_text=True)


def test_after_the_decision_the_edit_page_says_why_and_has_no_form(staff, world, add_candidate):
    candidate = add_candidate(world.election_id, status="refused", grounds=["deposit_unpaid"])
    url = f"/commission/candidates/{candidate.id}/edit"

    opened = staff.get(url)
    posted = staff.post(url, data={"special_check": "passed"})

    for response, status in ((opened, 200), (posted, 409)):
        page_html = text(response)
        assert response.status_code == status
        assert 'data-closed="refused"' in page_html
        assert "it can no longer be changed" in page_html
        assert 'name="iin"' not in page_html


def test_a_decision_made_while_the_form_was_open_wins(app, staff, world, member, add_candidate):
    candidate = add_candidate(world.election_id)
    url = f"/commission/candidates/{candidate.id}/edit"
    values = form_of(staff.get(url).get_data(as_text=True))
    staff.application.test_client().post(
        f"/api/v1/candidates/{candidate.id}/decision", json={"decision": "register"}, headers=member
    )

    response = staff.post(url, data={**values, "deposit_paid": ""})

    assert response.status_code == 409
    assert 'data-closed="registered"' in text(response)
    after = stored(app, candidate.id)
    assert (after.status, after.deposit_paid) == ("registered", True)


def test_the_edit_page_of_another_commission_is_404(client, world, login, add_candidate):
    candidate = add_candidate(world.other_election_id)
    own = add_candidate(world.election_id)
    other = login(world.users["territorial_member"])

    assert other.get(f"/commission/candidates/{own.id}/edit").status_code == 200
    assert other.get(f"/commission/candidates/{candidate.id}/edit").status_code == 404
    assert other.post(f"/commission/candidates/{candidate.id}/edit", data={}).status_code == 404


def test_the_edit_form_needs_its_csrf_token(guarded, world, add_candidate):
    candidate = add_candidate(world.election_id)
    client = guarded.test_client()
    with guarded.app_context():
        from elections.auth.models import User

        username = db.session.get(User, world.users["territorial_member"]).username
    login_page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
    from tests.factories import PASSWORD

    client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    url = f"/commission/candidates/{candidate.id}/edit"
    edit_page = client.get(url).get_data(as_text=True)

    refused = client.post(url, data={**form_of(edit_page), "csrf_token": "forged"})
    accepted = client.post(url, data={**form_of(edit_page), "special_check": "failed"})

    form = re.search(r'<form method="post" class="form"[^>]*>(.*?)</form>', edit_page, re.DOTALL)
    assert form and 'name="csrf_token"' in form.group(1) and 'name="iin"' in form.group(1)
    assert refused.status_code == 400
    assert accepted.status_code == 302


# --- never a 500 -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {"nomination": "party"},
        {"nomination": None},
        {"documents": None},
        {"documents": ["application"]},
        {"iin": 123456789012},
        {"birth_date": None},
        {"consecutive_terms_in_post": True},
        {"work_experience_years": "many"},
        {"patronymic": "я" * 500},
        {"last_name": "\u0000"},
        {"nomination": {"type": "party", "party_id": "one"}},
        {"nomination": {"type": "robot"}},
        {"nomination": {"party_id": 10**30}},
        {"nomination": {"party_id": 2**31}},
        {"nomination": {"party_id": 0}},
        {"nomination": {"type": "self", "signatures_valid": 10**30, "settlements_covered": 1}},
        {"nomination": {"type": "self", "signatures_valid": 1, "settlements_covered": 10**30}},
        {"consecutive_terms_in_post": 10**30},
        {"work_experience_years": 10**30},
        {"last_name": "a\u202eb"},
        {"first_name": "a\x85b"},
        {"patronymic": "\ud800"},
    ],
)
def test_odd_api_bodies_are_refused_never_a_500(client, world, member, add_candidate, body):
    candidate = add_candidate(world.election_id)

    response = patch(client, member, candidate.id, body)

    assert response.status_code in (400, 409, 422), response.json
    assert response.json["errors"]


@pytest.mark.parametrize(
    "overrides",
    [
        {"party_id": "abc"},
        {"party_id": "999999"},
        {"work_experience_years": "many"},
        {"birth_date": "2026-13-45"},
        {"iin": "ABCDEFGHIJKL"},
        {"patronymic": "я" * 500},
        {"nomination_type": "robot"},
        {"education": "none"},
        {"special_check": "perhaps"},
        {"consecutive_terms_in_post": "-1"},
        {"nomination_type": "self", "signatures_valid": "", "settlements_covered": ""},
        {"party_id": "99999999999999999999"},
        {"party_id": "2147483648"},
        {"nomination_type": "self", "signatures_valid": "99999999999999999999"},
        {"nomination_type": "self", "settlements_covered": "99999999999999999999"},
        {"consecutive_terms_in_post": "99999999999999999999"},
        {"work_experience_years": "99999999999999999999"},
        {"last_name": "a\u202eb"},
        {"first_name": "a\x85b"},
    ],
)
def test_odd_form_posts_get_field_messages_never_a_500(staff, world, add_candidate, overrides):
    candidate = add_candidate(world.election_id)
    url = f"/commission/candidates/{candidate.id}/edit"
    values = form_of(staff.get(url).get_data(as_text=True))

    response = staff.post(url, data={**values, **overrides})

    assert response.status_code in (302, 422), response.status_code
    if response.status_code == 422:
        assert 'class="field-error"' in response.get_data(as_text=True)


def test_patch_records_the_qualification_finding_audited(app, client, world, member, add_candidate):
    candidate = add_candidate(world.election_id, qualification_met=None, qualification_note=None)

    pending = client.get(f"/api/v1/candidates/{candidate.id}", headers=member).json
    response = patch(
        client,
        member,
        candidate.id,
        {"qualification_met": True, "qualification_note": "Diploma No 123; employment record"},
    )

    assert [v["code"] for v in pending["eligibility"]["violations"]] == ["qualification_pending"]
    assert response.status_code == 200, response.json
    assert response.json["qualification_met"] is True
    assert response.json["eligibility"] == {"eligible": True, "violations": []}
    [event] = update_events(app, candidate.id)
    assert event["changes"] == {
        "qualification_met": {"old": None, "new": True},
        "qualification_note": {"old": None, "new": "Diploma No 123; employment record"},
    }
    refused = patch(client, member, candidate.id, {"qualification_met": False})
    assert [v["code"] for v in refused.json["eligibility"]["violations"]] == [
        "qualification_not_met"
    ]
