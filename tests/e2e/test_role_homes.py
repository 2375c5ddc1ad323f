"""The chair finds the certification dashboard of the Викторовка election by clicking only.

From the public home page: the language link, "Sign in", the form, then the link the
chair's home offers. Kazakh on a phone through the list of what awaits certification,
Russian on a desktop through the election's own card. Nothing is certified: the shared
demo keeps its election night for the other tests.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from elections.core.extensions import db
from elections.territory.models import Election, Unit
from tests.e2e.helpers import overflow, snap, switch_language

CHAIR = "zerendi-chair"
NIGHT_KATO = "115651000"  # Викторовка: precinct 701 has reported, 702 has not
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
NAMES = {"kk": "Викторовка ауылы", "ru": "село Викторовка"}


def night_election(app) -> int:
    with app.app_context():
        return db.session.execute(
            select(Election.id)
            .join(Unit, Election.unit_id == Unit.id)
            .where(Unit.kato == NIGHT_KATO)
        ).scalar_one()


def sign_in_by_clicking(
    page: Page, password: str, language: str, username: str = CHAIR, home: str = "/commission/"
) -> None:
    page.goto("/")
    if language != "kk":  # Kazakh is the default
        switch_language(page, language)
    page.locator("header .account a[href^='/login']").click()
    page.fill("#username", username)
    page.fill("#password", password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(re.escape(home) + "$"))
    expect(page.locator(".account .who")).to_have_text(username)
    expect(page.locator("html")).to_have_attribute("lang", language)


@pytest.mark.parametrize(
    ("language", "context", "width"), [("kk", PHONE, 390), ("ru", DESKTOP, 1280)], ids=["kk", "ru"]
)
def test_the_chair_clicks_from_sign_in_to_the_certification_dashboard(
    pages, live_server, language, context, width
):
    election = night_election(live_server.app)
    dashboard = f"/commission/elections/{election}/results"
    page = pages.open(**context)
    sign_in_by_clicking(page, live_server.passwords[CHAIR], language)

    awaiting = page.locator(f"[data-awaits=certification] [data-election='{election}']")
    expect(awaiting).to_contain_text(NAMES[language])
    expect(awaiting).to_contain_text("1")  # one of two precincts has reported
    missing = page.locator(f"[data-awaits=protocols] [data-election='{election}']")
    expect(missing.locator("a[href$='/protocol']")).to_have_count(1)  # precinct 702
    assert overflow(page, width) is None
    snap(page, f"homes-chair-commission-{language}")

    if language == "kk":  # the list of what awaits certification
        awaiting.locator(f"a[href='{dashboard}']").click()
    else:  # the election's card
        page.locator(f"article[data-election='{election}'] a[href='{dashboard}']").click()
    page.wait_for_url(re.compile(re.escape(dashboard) + "$"))

    expect(page.locator("h1")).to_contain_text(NAMES[language])
    expect(page.locator("ul.missing li")).to_have_count(1)
    certify = page.locator("button[name=action][value=certify]")
    expect(certify).to_be_visible()  # the chair may certify; the test does not
    assert overflow(page, width) is None
    snap(page, f"homes-chair-dashboard-{language}")


@pytest.mark.parametrize(
    ("language", "context", "width"), [("kk", PHONE, 390), ("ru", DESKTOP, 1280)], ids=["kk", "ru"]
)
def test_a_secretary_lands_on_the_precinct_and_clicks_to_the_form(
    pages, live_server, language, context, width
):
    page = pages.open(**context)
    sign_in_by_clicking(
        page, live_server.passwords["precinct-702"], language, "precinct-702", "/precinct"
    )
    expect(page.locator("[data-state=missing]")).to_be_visible()
    expect(page.locator("header nav a[href='/precinct']")).to_be_visible()
    assert overflow(page, width) is None
    snap(page, f"homes-secretary-precinct-{language}")
    page.locator("main a.button[href$='/protocol']").click()
    page.wait_for_url(re.compile(r"/precincts/\d+/protocol$"))
    expect(page.locator("#protocol-form")).to_be_visible()


def test_before_the_count_the_secretary_home_says_when_it_opens(pages, live_server):
    page = pages.open(**PHONE)
    sign_in_by_clicking(
        page, live_server.passwords["precinct-401"], "kk", "precinct-401", "/precinct"
    )
    expect(page.locator("[data-code=counting_not_started]")).to_contain_text("20:00")
    assert overflow(page, 390) is None
    snap(page, "homes-secretary-before-count-kk")
