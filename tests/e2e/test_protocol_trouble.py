"""The protocol form when something goes wrong, in Chromium against the live server: a
refused save marks its lines and takes the focus to the error summary; a connection that
drops while saving is said in the page, with the figures kept; and a save whose answer
never came is found out after a reload, without a second version.

Each journey runs in Kazakh on a phone (390x844) and in Russian on a desktop (1280x800),
as the secretary of the demo's rural precinct 401, an hour into the count. Version numbers
are read from the form, never assumed, so any test runs alone.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, Route, expect
from sqlalchemy import func, select

from elections.auth.models import User
from elections.ballots.models import ProtocolVersion
from elections.candidates.models import ON_BALLOT, Candidate
from elections.core.extensions import db
from elections.territory.models import Election
from tests import factories
from tests.e2e.helpers import count_under_way, rural_election, snap, switch_language
from tests.e2e.test_protocol_entry import (
    RELATIONS,
    SECRETARY,
    base_version,
    draft,
    expect_figures,
    figures,
    relation,
    type_figures,
)

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
JOURNEYS = [pytest.param("kk", PHONE, id="kk-phone"), pytest.param("ru", DESKTOP, id="ru-desktop")]
PROTOCOL_POST = re.compile(r"/precincts/\d+/protocol$")
SAVED_URL = re.compile(r"/precincts/\d+/protocol\?saved=(\d+)$")
# What the page says, by language: enough words to know the message is the right one.
# The form asks again after the server's pause (ask_again_after, 4 s): room for it.
RECHECK_WAIT = 15_000
SAYS = {
    "kk": {"landed": "серверге жетті", "dropped": "байланыс үзілді", "again": "Қайта жіберу"},
    "ru": {"landed": "дошло до сервера", "dropped": "связь прервалась", "again": "Отправить снова"},
}


@pytest.fixture(scope="module")
def rural(live_server):
    """The demo's rural election with at least one registered candidate on its ballot (added
    straight into the live database when none is: these tests are about the protocol)."""
    rural = rural_election(live_server.app)
    with live_server.app.app_context():
        standing = db.session.execute(
            select(func.count(Candidate.id)).where(
                Candidate.election_id == rural.id, Candidate.status.in_(ON_BALLOT)
            )
        ).scalar_one()
        if standing == 0:
            factories.CandidateFactory(
                election=db.session.get(Election, rural.id),
                self_nominated=True,
                last_name="Тоқтаров",
                first_name="Асқар",
                status="registered",
            )
            db.session.commit()
    return rural


def open_protocol(page: Page, app) -> int:
    """The secretary's protocol form, by its address; returns the precinct id."""
    with app.app_context():
        precinct_id = db.session.execute(
            select(User.precinct_id).where(User.username == SECRETARY)
        ).scalar_one()
    page.goto(f"/precincts/{precinct_id}/protocol")
    expect(page.locator("#protocol-form button[type=submit]")).to_be_visible()
    return precinct_id


def versions(app, precinct_id: int) -> int:
    with app.app_context():
        return db.session.execute(
            select(func.count(ProtocolVersion.id)).where(ProtocolVersion.precinct_id == precinct_id)
        ).scalar_one()


def pending(page: Page, precinct_id: int) -> str | None:
    return page.evaluate("key => localStorage.getItem(key)", f"pending:protocol-{precinct_id}")


def secretary_page(signed_in, language: str, device: dict) -> Page:
    page = signed_in(SECRETARY, **device)
    if language != "kk":
        switch_language(page, language)
    return page


def send(page: Page) -> None:
    page.locator("#protocol-form button[type=submit]").click()


@pytest.mark.parametrize(("language", "device"), JOURNEYS)
def test_a_refused_save_marks_its_lines_and_takes_the_focus_to_the_summary(
    signed_in, pages, rural, live_server, language, device
):
    page = secretary_page(signed_in, language, device)
    with count_under_way(live_server.app, rural.election_day):
        precinct_id = open_protocol(page, live_server.app)
        before = versions(live_server.app, precinct_id)
        wrong = figures(page, cancelled=290)  # line 2 (1000) != line 3 + line 4 (700 + 290)
        type_figures(page, wrong)
        send(page)

        summary = page.locator("#server-errors")
        expect(summary).to_be_focused()
        expect(summary).to_have_attribute("role", "alert")
        expect(summary.locator("[data-relation]")).to_have_count(1)
        for name in ("ballots_received", "ballots_issued", "ballots_cancelled"):
            field = page.locator(f"#{name}")
            expect(field).to_have_attribute("aria-invalid", "true")
            row = page.locator("tr", has=field)
            expect(row.locator(".mark")).to_be_visible()
            expect(row.locator(".field-error")).to_be_visible()
        for name in ("voters_on_list", "ballots_in_boxes", "invalid_ballots"):
            expect(page.locator(f"#{name}")).not_to_have_attribute("aria-invalid", "true")
        expect_figures(page, wrong)
        assert draft(page, precinct_id) is not None
        # One list of relations, the live one, showing the typed figures.
        expect(page.locator("#relations ul")).to_have_count(1)
        expect(page.locator(".server-relations, [data-server-relation]")).to_have_count(0)
        expect(relation(page, RELATIONS[0])).to_have_class("bad")
        snap(page, f"protocol-refused-{language}")

        # The summary's link takes the cursor to the line; correcting it clears the marks.
        summary.locator("a").click()
        expect(page.locator("#ballots_received")).to_be_focused()
        page.fill("#ballots_cancelled", "300")
        expect(relation(page, RELATIONS[0])).to_have_class("ok")
        expect(page.locator("[aria-invalid=true]")).to_have_count(0)
        expect(page.locator("tr.has-error")).to_have_count(0)

        # A figure that is not a whole number: its line is marked, with the server's words.
        page.fill("#invalid_ballots", "1O")
        send(page)
        expect(summary).to_be_focused()
        expect(summary.locator("a[href='#invalid_ballots']")).to_have_count(1)
        expect(page.locator("#invalid_ballots")).to_have_attribute("aria-invalid", "true")
        expect(page.locator("#invalid_ballots")).to_have_value("1O")
        expect(
            page.locator("tr", has=page.locator("#invalid_ballots")).locator(".field-error")
        ).to_be_visible()
        expect(page.locator("[aria-invalid=true]")).to_have_count(1)
        snap(page, f"protocol-not-a-number-{language}")
        assert versions(live_server.app, precinct_id) == before
    assert pages.csp_violations == []


@pytest.mark.parametrize(("language", "device"), JOURNEYS)
def test_a_dropped_connection_is_said_in_the_page_and_the_figures_wait_to_be_sent_again(
    signed_in, pages, rural, live_server, language, device
):
    page = secretary_page(signed_in, language, device)
    with count_under_way(live_server.app, rural.election_day):
        precinct_id = open_protocol(page, live_server.app)
        before, saving = versions(live_server.app, precinct_id), base_version(page) + 1
        typed = figures(page, invalid=14)
        type_figures(page, typed)

        def drop(route: Route) -> None:
            if route.request.method == "POST":
                route.abort("internetdisconnected")
            else:
                route.continue_()

        page.route(PROTOCOL_POST, drop)
        send(page)

        problem = page.locator("#send-problem")
        expect(problem).to_be_visible()
        expect(problem).to_be_focused()
        expect(problem).to_contain_text(SAYS[language]["dropped"])
        expect(page.locator("#protocol-form button[type=submit]")).to_have_text(
            SAYS[language]["again"]
        )
        expect(page.locator("#protocol-form button[type=submit]")).to_be_enabled()
        assert PROTOCOL_POST.search(page.url.split("?")[0])  # still the form, no error page
        expect_figures(page, typed)
        assert draft(page, precinct_id) is not None
        assert pending(page, precinct_id) is not None
        assert versions(live_server.app, precinct_id) == before
        snap(page, f"protocol-not-sent-{language}")

        # The connection is back: sending again saves once.
        page.unroute(PROTOCOL_POST)
        send(page)
        page.wait_for_url(SAVED_URL)
        expect(page.locator("[data-saved-version]")).to_have_attribute(
            "data-saved-version", str(saving)
        )
        expect(page.locator("#send-problem")).to_be_hidden()
        expect_figures(page, typed)
        assert versions(live_server.app, precinct_id) == before + 1
        assert draft(page, precinct_id) is None
        assert pending(page, precinct_id) is None
    assert pages.csp_violations == []


def land_but_lose_the_answer(route: Route) -> None:
    """The save reaches the server and is stored; the browser never hears back."""
    if route.request.method == "POST":
        route.fetch(max_redirects=0)
        route.abort("connectionreset")
    else:
        route.continue_()


@pytest.mark.parametrize(("language", "device"), JOURNEYS)
def test_after_a_reload_the_page_says_the_unheard_save_landed_and_makes_no_second_version(
    signed_in, pages, rural, live_server, language, device
):
    page = secretary_page(signed_in, language, device)
    with count_under_way(live_server.app, rural.election_day):
        precinct_id = open_protocol(page, live_server.app)
        before, saving = versions(live_server.app, precinct_id), base_version(page) + 1
        typed = figures(page, invalid=15)
        type_figures(page, typed)

        page.route(PROTOCOL_POST, land_but_lose_the_answer)
        send(page)
        expect(page.locator("#send-problem")).to_be_visible()
        assert versions(live_server.app, precinct_id) == before + 1  # it did land
        assert pending(page, precinct_id) is not None
        page.unroute(PROTOCOL_POST)

        page.reload()
        last_send = page.locator("#last-send")
        expect(last_send).to_contain_text(SAYS[language]["landed"])
        expect(last_send).to_contain_text(str(saving))
        assert pending(page, precinct_id) is None
        assert draft(page, precinct_id) is None
        expect(page.locator("#draft-note")).to_be_hidden()
        assert base_version(page) == saving
        expect_figures(page, typed)
        for name in RELATIONS:
            expect(relation(page, name)).to_have_class("ok")
        snap(page, f"protocol-landed-after-reload-{language}")
        assert versions(live_server.app, precinct_id) == before + 1
    assert pages.csp_violations == []


def test_sending_again_after_an_unheard_save_replays_it_instead_of_saving_twice(
    signed_in, pages, rural, live_server
):
    page = secretary_page(signed_in, "kk", PHONE)
    with count_under_way(live_server.app, rural.election_day):
        precinct_id = open_protocol(page, live_server.app)
        before, saving = versions(live_server.app, precinct_id), base_version(page) + 1
        typed = figures(page, invalid=16)
        type_figures(page, typed)

        page.route(PROTOCOL_POST, land_but_lose_the_answer)
        send(page)
        expect(page.locator("#send-problem")).to_be_visible()
        page.unroute(PROTOCOL_POST)
        assert versions(live_server.app, precinct_id) == before + 1

        send(page)  # the same form, the same Idempotency-Key
        page.wait_for_url(SAVED_URL)
        expect(page.locator("[data-saved-version]")).to_have_attribute(
            "data-saved-version", str(saving)
        )
        assert versions(live_server.app, precinct_id) == before + 1
        assert pending(page, precinct_id) is None
    assert pages.csp_violations == []


def test_after_a_reload_the_page_says_a_lost_save_did_not_arrive_and_sends_it_once(
    signed_in, pages, rural, live_server
):
    page = secretary_page(signed_in, "ru", DESKTOP)
    with count_under_way(live_server.app, rural.election_day):
        precinct_id = open_protocol(page, live_server.app)
        before, saving = versions(live_server.app, precinct_id), base_version(page) + 1
        typed = figures(page, invalid=17)
        type_figures(page, typed)

        page.route(PROTOCOL_POST, lambda route: route.abort("internetdisconnected"))
        send(page)
        expect(page.locator("#send-problem")).to_be_visible()
        page.unroute(PROTOCOL_POST)

        page.reload()
        last_send = page.locator("#last-send")
        # First "not received yet" (the send might still be on its way), then, asked once
        # more a few seconds later, "did not arrive: send again".
        expect(last_send).to_have_attribute("data-state", "not_received_yet")
        expect(last_send).to_contain_text("пока не получил")
        expect(last_send).to_have_attribute("data-state", "not_arrived", timeout=RECHECK_WAIT)
        expect(last_send).to_contain_text("не дошло до сервера")
        expect(page.locator("#protocol-form button[type=submit]")).to_have_text(SAYS["ru"]["again"])
        expect(page.locator("#draft-note")).to_be_visible()
        expect_figures(page, typed)
        snap(page, "protocol-lost-after-reload-ru")

        send(page)
        page.wait_for_url(SAVED_URL)
        expect(page.locator("[data-saved-version]")).to_have_attribute(
            "data-saved-version", str(saving)
        )
        assert versions(live_server.app, precinct_id) == before + 1
    assert pages.csp_violations == []


@pytest.mark.parametrize(("language", "device"), JOURNEYS)
def test_a_save_still_on_its_way_at_the_reload_is_found_by_the_second_ask(
    signed_in, pages, rural, live_server, language, device
):
    """The reload asks while the first send has not landed yet: the page says "not received
    yet", not "did not arrive"; the send lands meanwhile (the very request the browser made,
    with its key), and the second ask says it landed: nothing to send again, one version."""
    page = secretary_page(signed_in, language, device)
    with count_under_way(live_server.app, rural.election_day):
        precinct_id = open_protocol(page, live_server.app)
        before, saving = versions(live_server.app, precinct_id), base_version(page) + 1
        typed = figures(page, invalid=18)
        type_figures(page, typed)
        held = []

        def hold(route: Route) -> None:
            if route.request.method == "POST":
                held.append((route.request.url, route.request.post_data))
                route.abort("connectionreset")  # the browser hears nothing; the server nothing yet
            else:
                route.continue_()

        page.route(PROTOCOL_POST, hold)
        send(page)
        expect(page.locator("#send-problem")).to_be_visible()
        page.unroute(PROTOCOL_POST)
        assert len(held) == 1 and versions(live_server.app, precinct_id) == before

        page.reload()
        last_send = page.locator("#last-send")
        expect(last_send).to_have_attribute("data-state", "not_received_yet")
        expect(last_send).not_to_contain_text(SAYS[language]["landed"])
        snap(page, f"protocol-not-received-yet-{language}")
        # The first send arrives late, as sent (same cookies, same Idempotency-Key).
        url, body = held[0]
        landed = page.request.post(
            url,
            data=body,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            max_redirects=0,
        )
        assert landed.status == 302, landed.text()
        assert versions(live_server.app, precinct_id) == before + 1

        expect(last_send).to_have_attribute("data-state", "landed", timeout=RECHECK_WAIT)
        expect(last_send).to_contain_text(SAYS[language]["landed"])
        expect(last_send).to_contain_text(str(saving))
        assert pending(page, precinct_id) is None
        expect(page.locator("#protocol-form button[type=submit]")).not_to_have_text(
            SAYS[language]["again"]
        )
        snap(page, f"protocol-late-landing-{language}")
        assert versions(live_server.app, precinct_id) == before + 1
    assert pages.csp_violations == []
