"""A candidate's way through the commission's pages and the public status lookup, in Chromium.

Each test sets up what it needs through the pages themselves, so any one runs alone.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import CSP_MARK
from tests.e2e.helpers import (
    INELIGIBLE_CODES,
    MEMBER,
    application_number,
    decide,
    eligible,
    expect_status,
    ineligible,
    nominate,
    overflow,
    rural_election,
    status_badge,
    submit,
    switch_language,
)


@pytest.fixture(scope="module")
def rural(live_server):
    return rural_election(live_server.app)


def look_up(page: Page, number: str, iin: str) -> None:
    """The form posts; the answer comes back on /status, with no IIN in any address."""
    page.goto("/status")
    page.fill("#application_number", number)
    page.fill("#iin", iin)
    page.locator("main form[action$='/status'] button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("main section.card, main .errors[role=alert]").first).to_be_visible()
    assert iin not in page.url


def test_member_nominates_an_ineligible_candidate_and_sees_why(signed_in, pages, rural):
    page = signed_in(MEMBER)
    who = ineligible(rural)

    nominate(page, who, rural)

    expect(page.locator("html")).to_have_attribute("lang", "kk")
    expect_status(page, "submitted")
    expect(page.locator("main [data-violation]")).to_have_count(len(INELIGIBLE_CODES))
    for code in INELIGIBLE_CODES:
        violation = rural.describe(code)
        item = page.locator(f"main [data-violation={code}]")
        expect(item).to_contain_text(violation.message["kk"])
        expect(item).to_contain_text(violation.basis["kk"])  # the page cites it in Kazakh
    assert pages.csp_violations == []


def test_member_refuses_the_ineligible_candidate_with_grounds(signed_in, pages, rural):
    page = signed_in(MEMBER)
    number = nominate(page, ineligible(rural), rural)
    page.locator(f"main a[href$='/candidates/{number}/refuse']").click()
    page.wait_for_url(re.compile(rf"/commission/candidates/{number}/refuse$"))

    # The candidate's current violations come ticked as the grounds.
    expect(page.locator("input[name=grounds]:checked")).to_have_count(len(INELIGIBLE_CODES))
    for code in INELIGIBLE_CODES:
        expect(page.locator(f"input[name=grounds][value={code}]")).to_be_checked()

    # Nothing is decided until the decision is confirmed.
    submit(page)
    expect(page.locator("#confirm")).to_have_attribute("aria-invalid", "true")
    assert page.url.endswith(f"/candidates/{number}/refuse")

    page.fill("#note", "Талаптарға сай емес")
    page.check("#confirm")
    submit(page)
    page.wait_for_url(re.compile(rf"/commission/candidates/{number}$"))

    expect_status(page, "refused")
    expect(page.locator("main [data-ground]")).to_have_count(len(INELIGIBLE_CODES))
    for code in INELIGIBLE_CODES:
        expect(page.locator(f"main [data-ground={code}]")).to_contain_text(
            rural.describe(code).basis["kk"]
        )
    expect(page.locator("main table tbody tr")).to_have_count(2)  # submitted, then refused
    expect(page.locator("main table tbody tr").last).to_contain_text("Талаптарға сай емес")
    expect(page.locator("main a[href$='/register']")).to_have_count(0)
    assert pages.csp_violations == []


def test_member_registers_an_eligible_party_candidate(signed_in, pages, rural):
    page = signed_in(MEMBER)
    who = eligible(rural, party="AMANAT")
    number = nominate(page, who, rural)
    expect_status(page, "submitted")
    expect(page.locator("main [data-violation]")).to_have_count(0)
    expect(page.locator("main p.ok")).to_be_visible()
    applied = application_number(page)

    decide(page, number, "register")

    expect_status(page, "registered")
    expect(page.locator("main table tbody tr")).to_have_count(2)  # submitted, then registered
    page.goto(f"/commission/elections/{rural.id}/candidates?status=registered")
    row = page.locator("main tbody tr").filter(has_text=applied)
    expect(row.locator("[data-status]")).to_have_attribute("data-status", "registered")
    assert pages.csp_violations == []


def test_candidates_follow_their_applications_in_kazakh_and_russian(signed_in, pages, rural):
    member = signed_in(MEMBER)
    registered = eligible(rural, party="Ak Zhol")
    decide(member, nominate(member, registered, rural), "register")
    registered_number = application_number(member)
    refused = ineligible(rural)
    decide(member, nominate(member, refused, rural), "refuse")
    refused_number = application_number(member)

    # The registered candidate, in a browser of their own.
    page = pages.open()
    look_up(page, registered_number, registered.iin)
    expect(page.locator("html")).to_have_attribute("lang", "kk")
    expect(page.locator("main section.card h2")).to_contain_text(registered_number)
    expect(status_badge(page)).to_have_attribute("data-status", "registered")
    expect(page.locator("main [data-ground]")).to_have_count(0)
    switch_language(page, "ru")
    # The language switch came back to the same answer (kept by the server, not in the URL).
    expect(page.locator("main section.card h2")).to_contain_text(registered_number)
    expect(status_badge(page)).to_have_attribute("data-status", "registered")

    # The refused candidate sees the grounds, with their legal basis, in both languages.
    page = pages.open()
    look_up(page, refused_number.lower(), refused.iin)  # typed in lower case: still found
    expect(page.locator("html")).to_have_attribute("lang", "kk")
    expect(status_badge(page)).to_have_attribute("data-status", "refused")
    for language in ("kk", "ru"):
        if language == "ru":
            switch_language(page, "ru")
            expect(status_badge(page)).to_have_attribute("data-status", "refused")
        expect(page.locator("main [data-ground]")).to_have_count(len(INELIGIBLE_CODES))
        for code in INELIGIBLE_CODES:
            ground = rural.describe(code)
            item = page.locator(f"main [data-ground={code}]")
            expect(item).to_contain_text(ground.message[language])
            expect(item).to_contain_text(ground.basis[language])

    # A wrong IIN finds nothing and says so, without showing any application.
    page = pages.open()
    look_up(page, registered_number, refused.iin)
    expect(page.locator("main .errors[role=alert]")).to_be_visible()
    expect(page.locator("main [data-status]")).to_have_count(0)
    assert pages.csp_violations == []


def test_pages_fit_a_phone_screen(signed_in, pages, rural):
    width = 375
    phone = {"viewport": {"width": width, "height": 740}, "is_mobile": True, "has_touch": True}
    member = signed_in(MEMBER, **phone)
    who = eligible(rural, party="Auyl")
    number = nominate(member, who, rural)
    decide(member, number, "register", note="Барлық құжаттар тапсырылды")
    registered_number = application_number(member)
    problems = [overflow(member, width)]  # the candidate page, with its history table
    for path in (
        "/",
        "/commission/",
        f"/commission/elections/{rural.id}/candidates",
        f"/commission/elections/{rural.id}/candidates/new",
        f"/commission/candidates/{number}/withdraw",
    ):
        member.goto(path)
        problems.append(overflow(member, width))

    page = pages.open(**phone)
    look_up(page, registered_number, who.iin)
    expect(status_badge(page)).to_have_attribute("data-status", "registered")
    problems.append(overflow(page, width))

    assert [problem for problem in problems if problem] == []
    assert pages.csp_violations == []


def test_the_csp_watch_catches_a_violation(pages):
    """The checks above mean something only if a blocked inline script is noticed."""
    page = pages.open()
    page.goto("/status")
    # Waits for the report itself (bounded by the context's timeout), not a fixed pause.
    with page.expect_console_message(lambda message: CSP_MARK in message.text):
        page.evaluate(
            "() => { const s = document.createElement('script');"
            " s.textContent = 'window.injected = true'; document.body.append(s); }"
        )
    assert page.evaluate("() => window.injected") is None
    assert pages.csp_violations, "an inline script ran or went unreported"
