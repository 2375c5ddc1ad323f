"""The results in Chromium: the public page of a certified election, for anyone, in Kazakh
and Russian, on a phone and on paper; and the commission's dashboard, which refuses to
certify while precincts have not reported.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from elections.ballots import services as protocols
from elections.demo import PAST_PRECINCTS
from elections.extensions import db
from elections.territory.models import Election, Unit
from tests.e2e.helpers import overflow, rural_election, switch_language

CHAIR = "zerendi-chair"  # territorial chair of the Zerendi district commission
CERTIFIED_KATO = "115645000"  # the demo's past rural election, counted and certified
PHONE = {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True}


@pytest.fixture(scope="module")
def certified_id(live_server) -> int:
    with live_server.app.app_context():
        return db.session.execute(
            select(Election.id)
            .join(Unit, Election.unit_id == Unit.id)
            .where(Unit.kato == CERTIFIED_KATO)
        ).scalar_one()


@pytest.fixture(scope="module")
def rural(live_server):
    return rural_election(live_server.app)


def missing_precincts(app, election_id: int) -> list[tuple[int, int]]:
    """(id, number) of the election's precincts without a protocol, as the database has it."""
    with app.app_context():
        election = db.session.get(Election, election_id)
        return [(p.id, p.number) for p, version in protocols.progress(election) if version is None]


def expect_certified_result(page: Page, winner_id: int) -> None:
    headline = page.locator("main section.headline")
    expect(headline).to_have_attribute("data-status", "certified")
    expect(headline).to_have_attribute("data-outcome", "winner")
    expect(headline.locator("[data-winner-id]")).to_have_attribute("data-winner-id", str(winner_id))
    reporting = headline.locator("[data-reporting]")
    expect(reporting).to_have_attribute("data-reporting", str(len(PAST_PRECINCTS)))
    expect(reporting).to_have_attribute("data-total", str(len(PAST_PRECINCTS)))
    expect(page.locator("main figure.chart svg[role=img]")).to_be_visible()


def test_anyone_reads_the_certified_result_in_kazakh_and_russian(pages, certified_id):
    page = pages.open()
    answer = page.request.get(f"/api/v1/elections/{certified_id}/results")
    assert answer.ok, answer.status
    data = answer.json()
    assert data["status"] == "certified"
    most = max(data["candidates"], key=lambda row: row["votes"])

    page.goto(f"/results/{certified_id}")
    expect(page.locator("html")).to_have_attribute("lang", "kk")
    expect_certified_result(page, most["candidate_id"])

    switch_language(page, "ru")
    assert page.url.endswith(f"/results/{certified_id}")  # back to the same result
    expect_certified_result(page, most["candidate_id"])

    # On paper: the site's header (navigation, languages, account) is left out.
    expect(page.locator("header.site-header")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator("header.site-header")).to_be_hidden()
    expect(page.locator("main figure.chart svg[role=img]")).to_be_visible()
    assert pages.csp_violations == []


def test_the_result_fits_a_phone_screen(pages, certified_id):
    width = PHONE["viewport"]["width"]
    page = pages.open(**PHONE)
    page.goto(f"/results/{certified_id}")
    expect(page.locator("main [data-winner-id]")).to_be_visible()
    problems = [overflow(page, width)]
    switch_language(page, "ru")
    expect(page.locator("main [data-winner-id]")).to_be_visible()
    problems.append(overflow(page, width))
    assert [problem for problem in problems if problem] == []
    assert pages.csp_violations == []


def test_chair_cannot_certify_while_precincts_are_missing(signed_in, pages, rural, live_server):
    missing = missing_precincts(live_server.app, rural.id)
    assert missing, "every precinct of the open election has reported"
    page = signed_in(CHAIR)
    dashboard = f"/commission/elections/{rural.id}/results"
    page.goto(dashboard)

    listed = page.locator("main ul.missing li[data-precinct]")
    expect(listed).to_have_count(len(missing))
    for precinct_id, number in missing:
        expect(page.locator(f"main ul.missing li[data-precinct='{precinct_id}']")).to_contain_text(
            str(number)
        )
    expect(page.locator("main section.headline")).not_to_have_attribute("data-status", "certified")

    page.check("#certify-confirm")
    with page.expect_response(
        lambda response: response.request.method == "POST" and response.url.endswith(dashboard)
    ) as posted:
        page.locator("main button[name=action][value=certify]").click()
    assert posted.value.status == 409
    refusal = page.locator("main form .errors[role=alert]")
    expect(refusal).to_contain_text(", ".join(str(number) for _id, number in missing))

    # Nothing was certified: the same precincts are missing and certifying is still offered.
    expect(listed).to_have_count(len(missing))
    expect(page.locator("main section.headline")).not_to_have_attribute("data-status", "certified")
    expect(page.locator("main button[name=action][value=certify]")).to_be_visible()
    assert re.search(rf"{re.escape(dashboard)}$", page.url)
    assert missing_precincts(live_server.app, rural.id) == missing
    assert pages.csp_violations == []
