"""The public status lookup: GET /api/v1/status and the /status page; one 404; rate limits."""

from __future__ import annotations

import re

import pytest

ALERT = re.compile(r'<div class="errors" role="alert">.*?</div>', re.DOTALL)


def lookup(client, application_number, iin, **params):
    return client.get(
        "/api/v1/status",
        query_string={"application_number": application_number, "iin": iin, **params},
    )


def page(client, application_number, iin, lang="en"):
    return client.get(
        "/status",
        query_string={"application_number": application_number, "iin": iin, "lang": lang},
    )


def other_iin(iin: str) -> str:
    """A different 12-digit string (an IIN the applicant did not give)."""
    return iin[:-1] + str((int(iin[-1]) + 1) % 10)


@pytest.fixture
def lower_rate(app):
    previous = app.config["STATUS_LOOKUP_RATE"]
    app.config["STATUS_LOOKUP_RATE"] = (3, 60)
    yield
    app.config["STATUS_LOOKUP_RATE"] = previous


# --- API -----------------------------------------------------------------------------------------


def test_status_lookup_returns_status_election_and_history(client, world, member, add_candidate):
    candidate = add_candidate(world.election_id)
    client.post(
        f"/api/v1/candidates/{candidate.id}/decision",
        json={"decision": "register", "note": "All documents in order"},
        headers=member,
    )

    response = lookup(client, candidate.application_number, candidate.iin)

    assert response.status_code == 200, response.json
    body = response.json
    assert body["application_number"] == candidate.application_number
    assert body["status"] == "registered"
    assert body["election"]["id"] == world.election_id
    assert set(body["election"]["unit"]) == {"kk", "ru"}
    assert [event["status"] for event in body["history"]] == ["submitted", "registered"]
    assert body["history"][-1]["reason"] == "All documents in order"
    assert all(set(event) == {"status", "at", "reason"} for event in body["history"])
    assert body["reasons"] == []


def test_status_lookup_is_public_and_needs_no_token(client, world, add_candidate):
    candidate = add_candidate(world.election_id)

    response = lookup(client, candidate.application_number, candidate.iin)

    assert response.status_code == 200
    assert response.json["status"] == "submitted"


def test_status_lookup_accepts_the_number_in_lower_case_with_spaces(client, world, add_candidate):
    candidate = add_candidate(world.election_id)

    response = lookup(client, f"  {candidate.application_number.lower()} ", f" {candidate.iin}")

    assert response.status_code == 200
    assert response.json["application_number"] == candidate.application_number


def test_refusal_shows_its_grounds_as_reasons_with_legal_basis(
    client, world, member, add_candidate
):
    candidate = add_candidate(world.election_id, deposit_paid=False)
    client.post(
        f"/api/v1/candidates/{candidate.id}/decision",
        json={"decision": "refuse"},
        headers=member,
    )

    body = lookup(client, candidate.application_number, candidate.iin, lang="en").json

    assert body["status"] == "refused"
    assert [reason["code"] for reason in body["reasons"]] == ["deposit_unpaid"]
    assert "electoral deposit" in body["reasons"][0]["message"]
    assert "art. 113-4" in body["reasons"][0]["legal_basis"]
    assert body["history"][-1]["status"] == "refused"


def test_refusal_grounds_are_in_russian_with_lang_ru(client, world, add_candidate):
    candidate = add_candidate(
        world.election_id, status="refused", grounds=["early_campaigning", "deposit_unpaid"]
    )

    reasons = lookup(client, candidate.application_number, candidate.iin, lang="ru").json["reasons"]

    assert reasons[0]["message"] == "Агитация начата до окончания регистрации."
    assert "избирательный взнос" in reasons[1]["message"]


def test_refusal_grounds_are_in_kazakh_with_lang_kk(client, world, add_candidate):
    candidate = add_candidate(
        world.election_id, status="refused", grounds=["early_campaigning", "deposit_unpaid"]
    )

    reasons = lookup(client, candidate.application_number, candidate.iin, lang="kk").json["reasons"]

    assert reasons[0]["message"] == "Үгіт тіркеу аяқталғанға дейін басталды."
    assert "сайлау жарнасы" in reasons[1]["message"]


def test_refusal_grounds_follow_accept_language(client, world, add_candidate):
    candidate = add_candidate(world.election_id, status="refused", grounds=["abuse_of_office"])

    response = client.get(
        "/api/v1/status",
        query_string={"application_number": candidate.application_number, "iin": candidate.iin},
        headers={"Accept-Language": "ru-RU,ru;q=0.9"},
    )

    assert "должностное" in response.json["reasons"][0]["message"]


def test_wrong_number_and_wrong_iin_give_byte_identical_404s(client, world, add_candidate):
    candidate = add_candidate(world.election_id)
    other = add_candidate(world.election_id)

    wrong_number = lookup(client, other.application_number, candidate.iin)
    wrong_iin = lookup(client, candidate.application_number, other_iin(candidate.iin))
    unknown_number = lookup(client, "ZZZZ-ZZZZ", candidate.iin)

    assert wrong_number.status_code == wrong_iin.status_code == unknown_number.status_code == 404
    assert wrong_number.get_data() == wrong_iin.get_data() == unknown_number.get_data()
    assert wrong_number.json["errors"][0]["code"] == "not_found"


def test_status_lookup_without_the_iin_is_422(client, world):
    response = client.get("/api/v1/status", query_string={"application_number": "ABCD-EFGH"})

    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "iin"


def test_status_lookup_is_rate_limited_with_retry_after(client, world, add_candidate):
    candidate = add_candidate(world.election_id)

    answers = [lookup(client, "ZZZZ-ZZZZ", candidate.iin).status_code for _ in range(10)]
    limited = lookup(client, candidate.application_number, candidate.iin)

    assert answers == [404] * 10
    assert limited.status_code == 429
    assert limited.json["errors"][0]["code"] == "too_many_requests"
    assert 1 <= int(limited.headers["Retry-After"]) <= 60


def test_rate_limit_follows_the_configured_rate(client, world, add_candidate, lower_rate):
    candidate = add_candidate(world.election_id)

    answers = [lookup(client, candidate.application_number, candidate.iin) for _ in range(4)]

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert "Retry-After" in answers[-1].headers


def test_rate_limit_starts_fresh_in_each_test(client, world, add_candidate):
    # Earlier tests used up the limit: the autouse reset gives this one a whole window.
    candidate = add_candidate(world.election_id)

    assert lookup(client, candidate.application_number, candidate.iin).status_code == 200


# --- the public page -------------------------------------------------------------------------


def test_status_page_without_input_shows_the_form(client, world):
    response = client.get("/status", query_string={"lang": "en"})

    assert response.status_code == 200
    assert 'name="application_number"' in response.get_data(as_text=True)


def test_status_page_opened_with_only_a_language_shows_no_field_errors(client, world):
    response = client.get("/status", query_string={"lang": "ru"})

    assert response.status_code == 200
    assert "field-error" not in response.get_data(as_text=True)


def test_status_page_with_only_the_number_asks_for_the_iin(client, world):
    response = client.get("/status", query_string={"application_number": "ABCD-EFGH"})

    assert response.status_code == 200
    assert 'id="iin-error"' in response.get_data(as_text=True)
    assert 'id="application_number-error"' not in response.get_data(as_text=True)


def test_status_page_finds_an_application_and_shows_its_status(client, world, add_candidate):
    candidate = add_candidate(world.election_id, status="registered")

    response = page(client, candidate.application_number, candidate.iin)

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert candidate.application_number in html
    assert '<strong class="badge"' in html
    assert ">registered</strong>" in html


def test_status_page_shows_refusal_grounds_in_the_readers_language(client, world, add_candidate):
    candidate = add_candidate(world.election_id, status="refused", grounds=["early_campaigning"])

    russian = page(client, candidate.application_number, candidate.iin, lang="ru")
    kazakh = page(client, candidate.application_number, candidate.iin, lang="kk")

    assert "Агитация начата до окончания регистрации." in russian.get_data(as_text=True)
    assert "Үгіт тіркеу аяқталғанға дейін басталды." in kazakh.get_data(as_text=True)


def test_status_page_shows_the_same_message_for_a_wrong_number_or_iin(client, world, add_candidate):
    candidate = add_candidate(world.election_id)
    other = add_candidate(world.election_id)

    wrong_number = page(client, other.application_number, candidate.iin)
    wrong_iin = page(client, candidate.application_number, other_iin(candidate.iin))

    assert wrong_number.status_code == wrong_iin.status_code == 404
    problems = [ALERT.search(r.get_data(as_text=True)).group(0) for r in (wrong_number, wrong_iin)]
    assert problems[0] == problems[1]
    assert "No application matches this number and IIN." in problems[0]


def test_status_page_is_rate_limited_too(client, world, add_candidate, lower_rate):
    candidate = add_candidate(world.election_id)

    answers = [page(client, candidate.application_number, candidate.iin) for _ in range(4)]

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert "Retry-After" in answers[-1].headers
