"""The public status lookup: GET and POST /api/v1/status and the /status page; one 404; rate
limits; the IIN kept out of addresses; what happens next for each status."""

from __future__ import annotations

import re

import pytest

ALERT = re.compile(r'<div class="errors" role="alert">.*?</div>', re.DOTALL)


def lookup(client, application_number, iin, **params):
    return client.get(
        "/api/v1/status",
        query_string={"application_number": application_number, "iin": iin, **params},
    )


def post_lookup(client, application_number, iin, **params):
    return client.post(
        "/api/v1/status",
        json={"application_number": application_number, "iin": iin},
        query_string=params,
    )


def page(client, application_number, iin, lang="en"):
    """Post the page's form as a browser does and follow the answer back to /status."""
    client.get("/lang/" + lang)
    return client.post(
        "/status",
        data={"application_number": application_number, "iin": iin},
        follow_redirects=True,
    )


def other_iin(iin: str) -> str:
    """A different 12-digit string (an IIN the applicant did not give)."""
    return iin[:-1] + str((int(iin[-1]) + 1) % 10)


@pytest.fixture
def higher_rate(app):
    previous = app.config["STATUS_LOOKUP_RATE"]
    app.config["STATUS_LOOKUP_RATE"] = (100, 60)
    yield
    app.config["STATUS_LOOKUP_RATE"] = previous


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
    response = client.post("/status", data={"application_number": "ABCD-EFGH"})

    assert response.status_code == 422
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


# --- POST /api/v1/status: the IIN in the body -------------------------------------------------


def test_post_lookup_answers_as_the_get_does(client, world, add_candidate):
    candidate = add_candidate(world.election_id, status="registered")

    posted = post_lookup(client, candidate.application_number, candidate.iin)
    got = lookup(client, candidate.application_number, candidate.iin)

    assert posted.status_code == 200, posted.json
    assert posted.json == got.json
    assert posted.json["status"] == "registered"


@pytest.mark.parametrize("ask", [post_lookup, lookup], ids=["POST", "GET"])
def test_lookup_ignores_case_and_spaces_anywhere(client, world, add_candidate, ask):
    candidate = add_candidate(world.election_id)
    number, iin = candidate.application_number, candidate.iin
    typed_number = f" {number[:2].lower()} {number[2:7]} {number[7:].lower()} "  # "ab cd-e fgh"
    typed_iin = f"{iin[:6]} {iin[6:9]}\u00a0{iin[9:]}"  # as printed: 850101 300 123

    response = ask(client, typed_number, typed_iin)

    assert response.status_code == 200, response.json
    assert response.json["application_number"] == number


def test_lookup_takes_the_number_without_its_dash_or_with_a_long_one(client, world, add_candidate):
    candidate = add_candidate(world.election_id)
    number = candidate.application_number

    plain = post_lookup(client, number.replace("-", "").lower(), candidate.iin)
    dashed = post_lookup(client, number.replace("-", "\u2013"), candidate.iin)

    assert plain.status_code == dashed.status_code == 200


def test_post_lookup_gives_one_404_for_a_wrong_number_or_iin(client, world, add_candidate):
    candidate = add_candidate(world.election_id)
    other = add_candidate(world.election_id)

    wrong_number = post_lookup(client, other.application_number, candidate.iin)
    wrong_iin = post_lookup(client, candidate.application_number, other_iin(candidate.iin))

    assert wrong_number.status_code == wrong_iin.status_code == 404
    assert wrong_number.get_data() == wrong_iin.get_data()
    assert wrong_number.json["errors"][0]["code"] == "not_found"


def test_post_lookup_refuses_a_bad_body_in_the_envelope(client, world):
    missing = client.post("/api/v1/status", json={"application_number": "ABCD-EFGH"})
    unknown = client.post("/api/v1/status", json={"application_number": "A", "iin": "1", "x": 1})
    not_json = client.post("/api/v1/status", data="iin=1", content_type="text/plain")

    assert missing.status_code == 422
    assert [e["field"] for e in missing.json["errors"]] == ["iin"]
    assert unknown.status_code == 422
    assert [e["field"] for e in unknown.json["errors"]] == ["x"]
    assert not_json.status_code == 400
    assert not_json.json["errors"][0]["code"] == "bad_request"


def test_post_and_get_lookups_share_one_rate_limit(client, world, add_candidate, lower_rate):
    candidate = add_candidate(world.election_id)
    number, iin = candidate.application_number, candidate.iin

    answers = [
        post_lookup(client, number, iin),
        lookup(client, number, iin),
        post_lookup(client, number, iin),
        post_lookup(client, number, iin),
    ]

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[-1].json["errors"][0]["code"] == "too_many_requests"
    assert "Retry-After" in answers[-1].headers


# --- the page posts; the IIN stays out of addresses ---------------------------------------------


def test_status_page_form_posts_with_a_csrf_token(guarded, world):
    client = guarded.test_client()

    html = client.get("/status").get_data(as_text=True)

    form = re.search(r'<form method="post" action="/status"[^>]*>(.*?)</form>', html, re.DOTALL)
    assert form, html
    assert 'name="csrf_token"' in form.group(1)
    assert 'name="iin"' in form.group(1)


def test_status_page_refuses_a_post_without_its_csrf_token(guarded, world, add_candidate):
    candidate = add_candidate(world.election_id)
    client = guarded.test_client()

    refused = client.post(
        "/status", data={"application_number": candidate.application_number, "iin": candidate.iin}
    )
    token = re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"',
        client.get("/status").get_data(as_text=True),
    ).group(1)
    accepted = client.post(
        "/status",
        data={
            "application_number": candidate.application_number,
            "iin": candidate.iin,
            "csrf_token": token,
        },
    )

    assert refused.status_code == 400
    assert accepted.status_code == 303


def test_a_found_application_is_shown_after_a_redirect_with_no_iin_in_any_address(
    client, world, add_candidate
):
    candidate = add_candidate(world.election_id, status="registered")

    posted = client.post(
        "/status",
        data={"application_number": candidate.application_number, "iin": candidate.iin},
    )
    shown = client.get(posted.headers["Location"])

    assert posted.status_code == 303
    assert posted.headers["Location"] == "/status"
    html = shown.get_data(as_text=True)
    assert shown.status_code == 200
    assert candidate.application_number in html
    assert 'data-status="registered"' in html
    assert candidate.iin not in html  # not echoed back into the form, nor in the language links
    assert "iin=" not in html


def test_the_answer_survives_a_language_switch_and_can_be_taken_off(client, world, add_candidate):
    candidate = add_candidate(world.election_id, status="refused", grounds=["early_campaigning"])
    page(client, candidate.application_number, candidate.iin, lang="kk")

    russian = client.get("/lang/ru?next=/status", follow_redirects=True).get_data(as_text=True)
    client.post("/status/forget")
    after = client.get("/status").get_data(as_text=True)

    assert "Агитация начата до окончания регистрации." in russian
    assert 'data-status="refused"' in russian
    assert "data-status=" not in after
    assert candidate.application_number not in after


def test_the_old_lookup_by_address_reveals_nothing_and_drops_the_iin(client, world, add_candidate):
    candidate = add_candidate(world.election_id, status="registered")

    old = client.get(
        "/status",
        query_string={
            "application_number": candidate.application_number,
            "iin": candidate.iin,
            "lang": "ru",
        },
    )
    landed = client.get(old.headers["Location"])

    assert old.status_code == 303
    assert candidate.iin not in old.headers["Location"]
    assert "application_number" not in old.headers["Location"]
    assert candidate.iin not in old.get_data(as_text=True)
    html = landed.get_data(as_text=True)
    assert landed.status_code == 200
    assert "data-status=" not in html
    assert candidate.iin not in html
    assert 'lang="ru"' in html
    assert "ИИН больше не" in html  # says why the lookup was not made


def test_status_page_ignores_case_and_spaces(client, world, add_candidate):
    candidate = add_candidate(world.election_id, status="registered")
    number, iin = candidate.application_number, candidate.iin

    response = page(client, f" {number.lower().replace('-', ' - ')} ", f"{iin[:6]} {iin[6:]}")

    assert response.status_code == 200
    assert 'data-status="registered"' in response.get_data(as_text=True)


# --- what happens next, for each status ---------------------------------------------------------

NEXT_STEP = re.compile(r'<p class="next-step" data-next-step="([a-z_]+)">(.*?)</p>', re.DOTALL)


def test_the_page_says_what_happens_next_for_every_status_in_each_language(
    client, world, add_candidate, higher_rate
):
    from elections.candidates.models import STATUSES

    said: dict[str, dict[str, str]] = {}
    for status in STATUSES:
        grounds = ["deposit_unpaid"] if status in ("refused", "registration_cancelled") else []
        candidate = add_candidate(world.election_id, status=status, grounds=grounds)
        for language in ("kk", "ru", "en"):
            html = page(client, candidate.application_number, candidate.iin, lang=language)
            found = NEXT_STEP.search(html.get_data(as_text=True))
            assert found, (status, language)
            assert found.group(1) == status
            said.setdefault(language, {})[status] = found.group(2).strip()
            client.post("/status/forget")

    for language, texts in said.items():
        assert all(texts.values()), language
        assert len(set(texts.values())) == len(STATUSES), f"{language}: one text per status"
    for status in STATUSES:
        assert len({said[language][status] for language in said}) == 3, status


def test_a_lookup_from_a_page_opened_in_russian_answers_in_russian(client, world, add_candidate):
    candidate = add_candidate(world.election_id, status="registered")

    form = client.get("/status?lang=ru").get_data(as_text=True)
    posted = client.post(
        "/status?lang=ru",
        data={"application_number": candidate.application_number, "iin": candidate.iin},
    )
    shown = client.get(posted.headers["Location"]).get_data(as_text=True)

    assert 'action="/status?lang=ru"' in form
    assert posted.headers["Location"] == "/status?lang=ru"
    assert 'lang="ru"' in shown
    assert "Вы зарегистрированы" in shown


def test_a_failed_lookup_takes_the_last_answer_off_the_page(client, world, add_candidate):
    candidate = add_candidate(world.election_id, status="registered")
    page(client, candidate.application_number, candidate.iin)

    failed = client.post(
        "/status", data={"application_number": candidate.application_number, "iin": "1" * 12}
    )
    after = client.get("/status").get_data(as_text=True)

    assert failed.status_code == 404
    assert "data-status=" not in after


def test_an_application_left_undecided_after_registration_closed_says_so(
    client, dated_world, add_candidate, clock
):
    from tests.candidates.conftest import REGISTRATION_CLOSES

    candidate = add_candidate(dated_world.election_id)
    clock(REGISTRATION_CLOSES)

    html = page(client, candidate.application_number, candidate.iin).get_data(as_text=True)

    found = NEXT_STEP.search(html)
    assert found and found.group(1) == "submitted"
    assert "Registration closed on 30.08.2026 18:00" in found.group(2)
