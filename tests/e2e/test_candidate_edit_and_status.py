"""Issue 11, defects 4 and 10 in Chromium: the commission completes an application taken in
with the special check pending (the edit page), and the candidate follows it with a lookup
form that posts. In Kazakh on a phone (390x844) and in Russian on a desktop (1280x800).

Each test takes in its own nomination in the demo's rural election, so the shared demo data
is only added to. Screenshots go to artifacts/screenshots/.
"""

from __future__ import annotations

import logging
import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import (
    MEMBER,
    Person,
    RuralElection,
    application_number,
    candidate_id,
    expect_status,
    overflow,
    person,
    rural_election,
    snap,
    status_badge,
    submit,
    switch_language,
)

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}


@pytest.fixture(scope="module")
def rural(live_server):
    return rural_election(live_server.app)


def self_nominee(rural: RuralElection, last_name: str) -> Person:
    """Eligible but for the check: a self-nominee, so that no demo party's one nominee is taken
    (the other browser tests nominate one per party)."""
    return person(last_name, rural.born_aged(45))


def take_in(page: Page, who: Person, rural: RuralElection) -> int:
    """Fill in and save the nomination form with the special check still pending."""
    page.goto(f"/commission/elections/{rural.id}/candidates/new")
    page.fill("#iin", who.iin)
    page.fill("#last_name", who.last_name)
    page.fill("#first_name", who.first_name)
    page.fill("#birth_date", who.birth_date.isoformat())
    page.select_option("#education", who.education)
    page.fill("#work_experience_years", who.experience)
    page.check("input[name=nomination_type][value=self]")
    page.fill("#signatures_valid", str(rural.signatures_needed))
    page.fill("#settlements_covered", str(rural.settlements_needed))
    for document in (
        "#doc_application",
        "#doc_biography",
        "#doc_declarations",
        "#doc_tax_certificate",
        "#doc_signature_check_protocol",
    ):
        page.check(document)
    page.check("#deposit_paid")
    page.select_option("#special_check", "pending")
    page.check("input[name=qualification_met][value=yes]")
    page.fill("#qualification_note", "Диплом, еңбек кітапшасы")
    submit(page)
    page.wait_for_url(re.compile(r"/commission/candidates/\d+$"))
    return candidate_id(page)


def open_edit_page(page: Page, number: int) -> None:
    page.locator(f"main a[href$='/candidates/{number}/edit']").click()
    page.wait_for_url(re.compile(rf"/commission/candidates/{number}/edit$"))


def save(page: Page) -> None:
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def register(page: Page, number: int) -> None:
    page.locator(f"main a[href$='/candidates/{number}/register']").click()
    page.wait_for_url(re.compile(rf"/commission/candidates/{number}/register$"))
    page.check("#confirm")
    submit(page)
    page.wait_for_url(re.compile(rf"/commission/candidates/{number}$"))


def look_up(page: Page, number: str, iin: str, *, here: bool = False) -> None:
    """Fill in the lookup form (of the page already open when ``here``) and send it."""
    if not here:
        page.goto("/status")
    page.fill("#application_number", number)
    page.fill("#iin", iin)
    page.locator("main form:has(#iin) button[type=submit]").click()
    page.wait_for_load_state()


def spaced(iin: str) -> str:
    return f"{iin[:6]} {iin[6:9]} {iin[9:]}"


def test_a_pending_check_is_completed_and_followed_in_kazakh_on_a_phone(
    signed_in, pages, rural, live_server, caplog
):
    member = signed_in(MEMBER, **PHONE)
    who = self_nominee(rural, "Төлеуов")
    number = take_in(member, who, rural)
    expect(member.locator("html")).to_have_attribute("lang", "kk")
    expect_status(member, "submitted")
    expect(member.locator("main [data-violation=special_check_pending]")).to_be_visible()
    applied = application_number(member)
    # What the commission checks, each with its source; the unconfirmed rules marked.
    expect(member.locator("main [data-check=qualification]")).to_contain_text("36-2")
    expect(member.locator("main [data-check][data-unconfirmed]")).to_have_count(3)
    snap(member, "candidates-checks-kk")
    problems = [overflow(member, 390)]

    # The edit page opens filled in with what was taken in.
    open_edit_page(member, number)
    expect(member.locator("#iin")).to_have_value(who.iin)
    expect(member.locator("#special_check")).to_have_value("pending")
    expect(member.locator("input[name=nomination_type][value=self]")).to_be_checked()
    expect(member.locator("#signatures_valid")).to_have_value(str(rural.signatures_needed))
    problems.append(overflow(member, 390))
    snap(member, "candidates-edit-kk")

    # A bad value is refused at its field, in Kazakh, and nothing is saved.
    member.fill("#last_name", "")
    member.fill("#citizenship", "K1")
    save(member)
    expect(member.locator("#citizenship-error")).to_have_text("Екі әріп, мысалы KZ.")
    expect(member.locator("#last_name-error")).to_be_visible()
    expect(member.locator("#last_name")).to_have_attribute("aria-invalid", "true")
    problems.append(overflow(member, 390))
    snap(member, "candidates-edit-error-kk")

    # The check has come back passed: the candidate becomes eligible and is registered.
    member.fill("#last_name", who.last_name)
    member.fill("#citizenship", "KZ")
    member.select_option("#special_check", "passed")
    save(member)
    member.wait_for_url(re.compile(rf"/commission/candidates/{number}$"))
    expect(member.locator("main .flash")).to_contain_text(applied)
    expect(member.locator("main [data-violation]")).to_have_count(0)
    expect(member.locator("main p.ok")).to_be_visible()
    register(member, number)
    expect_status(member, "registered")
    expect(member.locator(f"main a[href$='/candidates/{number}/edit']")).to_have_count(0)

    # After the decision the edit page says why it is closed and shows no form.
    member.goto(f"/commission/candidates/{number}/edit")
    expect(member.locator("main [data-closed=registered]")).to_be_visible()
    expect(member.locator("main form")).to_have_count(0)
    problems.append(overflow(member, 390))
    snap(member, "candidates-edit-closed-kk")

    # The candidate, on their own phone, types the number in lower case and the IIN spaced.
    page = pages.open(**PHONE)
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        look_up(page, applied.lower().replace("-", " "), spaced(who.iin))
        expect(page.locator("html")).to_have_attribute("lang", "kk")
        expect(page.locator("main section.card h2")).to_contain_text(applied)
        expect(status_badge(page)).to_have_attribute("data-status", "registered")
        expect(page.locator("main [data-next-step=registered]")).to_contain_text(
            "сайлау бюллетенінде болады"
        )
        assert who.iin not in page.url and "iin" not in page.url
        assert who.iin not in page.content()
        problems.append(overflow(page, 390))
        snap(page, "status-registered-kk")

        # A wrong IIN: one message, nothing shown.
        look_up(page, applied, "000000000000")
        expect(page.locator("main .errors[role=alert]")).to_be_visible()
        expect(page.locator("main [data-status]")).to_have_count(0)
        snap(page, "status-not-found-kk")
    logged = [record.getMessage() for record in caplog.records if record.name == "werkzeug"]
    assert any("POST /status" in line for line in logged), logged
    assert not [line for line in logged if who.iin in line or "iin=" in line]

    assert [problem for problem in problems if problem] == []
    assert pages.csp_violations == []


def test_a_pending_check_that_fails_ends_in_a_refusal_in_russian_on_a_desktop(
    signed_in, pages, rural
):
    member = signed_in(MEMBER, **DESKTOP)
    switch_language(member, "ru")
    who = self_nominee(rural, "Байжанов")
    number = take_in(member, who, rural)
    applied = application_number(member)

    open_edit_page(member, number)
    expect(member.locator("html")).to_have_attribute("lang", "ru")
    member.fill("#work_experience_years", "")
    member.fill("#citizenship", "Казахстан")
    save(member)
    expect(member.locator("#citizenship-error")).to_have_text("Две буквы, например KZ.")
    expect(member.locator("#work_experience_years-error")).to_be_visible()
    snap(member, "candidates-edit-error-ru")

    member.fill("#work_experience_years", who.experience)
    member.fill("#citizenship", "KZ")
    member.select_option("#special_check", "failed")
    snap(member, "candidates-edit-ru")
    save(member)
    member.wait_for_url(re.compile(rf"/commission/candidates/{number}$"))
    expect(member.locator("main [data-violation=special_check_failed]")).to_be_visible()

    # The refusal takes the failed check as its ground.
    member.locator(f"main a[href$='/candidates/{number}/refuse']").click()
    expect(member.locator("input[name=grounds][value=special_check_failed]")).to_be_checked()
    member.check("#confirm")
    submit(member)
    member.wait_for_url(re.compile(rf"/commission/candidates/{number}$"))
    expect_status(member, "refused")

    # An old bookmark with the IIN in its address shows nothing and drops the IIN.
    page = pages.open(**DESKTOP)
    page.goto(f"/status?application_number={applied}&iin={who.iin}&lang=ru")
    assert page.url.endswith("/status?lang=ru"), page.url
    expect(page.locator("main .flash")).to_contain_text("ИИН больше не принимается")
    expect(page.locator("main [data-status]")).to_have_count(0)
    assert who.iin not in page.content()
    snap(page, "status-old-link-ru")

    # The form of that page keeps its language through the post and the answer.
    look_up(page, f" {applied.lower()} ", spaced(who.iin), here=True)
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(status_badge(page)).to_have_attribute("data-status", "refused")
    expect(page.locator("main [data-ground=special_check_failed]")).to_be_visible()
    expect(page.locator("main [data-next-step=refused]")).to_contain_text(
        "можно обжаловать в вышестоящую избирательную комиссию или в суд"
    )
    snap(page, "status-refused-ru")

    # The same answer in Kazakh after the switch; then taken off the screen.
    switch_language(page, "kk")
    expect(status_badge(page)).to_have_attribute("data-status", "refused")
    expect(page.locator("main [data-next-step=refused]")).to_contain_text("шағым жасауға болады")
    page.locator("main section.card form button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("main [data-status]")).to_have_count(0)
    assert pages.csp_violations == []
