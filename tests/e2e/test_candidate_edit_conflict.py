"""Two commission members edit one application at once, in Chromium: a colleague's change to
another field stands; a field both changed is refused with the value saved meanwhile shown
beside it, nothing typed lost. In Kazakh on a phone (390x844) and in Russian on a desktop.

Each test takes in its own nomination in the demo's rural election (shared demo data is only
added to). Screenshots go to artifacts/screenshots/.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import MEMBER, overflow, rural_election, snap, switch_language
from tests.e2e.test_candidate_edit_and_status import (
    DESKTOP,
    PHONE,
    open_edit_page,
    save,
    self_nominee,
    take_in,
)


@pytest.fixture(scope="module")
def rural(live_server):
    return rural_election(live_server.app)


def colleague_sets(page: Page, number: int, select: str, value: str) -> None:
    page.goto(f"/commission/candidates/{number}/edit")
    page.select_option(select, value)
    save(page)
    page.wait_for_url(re.compile(rf"/commission/candidates/{number}$"))


def test_a_clash_is_shown_in_kazakh_on_a_phone_and_saved_after_a_look(signed_in, rural):
    member = signed_in(MEMBER, **PHONE)
    colleague = signed_in(MEMBER, **DESKTOP)
    number = take_in(member, self_nominee(rural, "Жақсыбеков"), rural)
    open_edit_page(member, number)  # A opens the form: special check pending

    colleague_sets(colleague, number, "#special_check", "passed")
    member.select_option("#special_check", "failed")
    member.fill("#first_name", "Ерлан")
    save(member)

    expect(member.locator("html")).to_have_attribute("lang", "kk")
    expect(member.locator("main form .errors").first).to_contain_text("басқа біреу өзгертті")
    expect(member.locator("#special_check-error")).to_have_text("Осы уақытта сақталғаны: өтті")
    expect(member.locator("#special_check")).to_have_value("failed")  # kept as typed
    expect(member.locator("#first_name")).to_have_value("Ерлан")
    expect(member.locator("main > p > a").first).to_contain_text("Ержан")  # nothing saved
    assert overflow(member, 390) is None
    snap(member, "candidates-edit-conflict-kk")

    save(member)  # having seen the saved value, A keeps their own
    member.wait_for_url(re.compile(rf"/commission/candidates/{number}$"))
    expect(member.locator("main [data-violation=special_check_failed]")).to_be_visible()


def test_a_colleagues_change_to_another_field_stands_in_russian_on_a_desktop(signed_in, rural):
    member = signed_in(MEMBER, **DESKTOP)
    switch_language(member, "ru")
    colleague = signed_in(MEMBER, **DESKTOP)
    number = take_in(member, self_nominee(rural, "Сапарова"), rural)
    open_edit_page(member, number)

    colleague_sets(colleague, number, "#special_check", "passed")
    member.fill("#first_name", "Сауле")
    save(member)

    member.wait_for_url(re.compile(rf"/commission/candidates/{number}$"))
    expect(member.locator("html")).to_have_attribute("lang", "ru")
    expect(member.locator("main [data-violation=special_check_pending]")).to_have_count(0)
    expect(member.locator("main h1")).to_contain_text("Сауле")
    snap(member, "candidates-edit-merged-ru")
