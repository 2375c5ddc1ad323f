"""A precinct secretary enters the count protocol, in Chromium: the control relations are
checked live in the page and again by the server, every save is a new version, and typed
figures outlive a dropped connection until the server confirms them.

Each test sets up what it needs through the pages themselves, so any one runs alone: the
protocol's version numbers are read from the form (``data-base-version``), not assumed.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from elections.candidates.models import ON_BALLOT, Candidate
from elections.core.extensions import db
from tests.e2e.helpers import (
    count_under_way,
    decide,
    expect_status,
    nominate,
    person,
    rural_election,
    submit,
)

CHAIR = "zerendi-chair"  # territorial chair of the commission organising the rural election
SECRETARY = "precinct-401"  # secretary of the rural election's precinct 401
PROTOCOL_URL = re.compile(r"/precincts/(\d+)/protocol(\?.*)?$")
SAVED_URL = re.compile(r"/precincts/\d+/protocol\?saved=\d+$")
LINES = (
    "voters_on_list",
    "ballots_received",
    "ballots_issued",
    "ballots_cancelled",
    "ballots_in_boxes",
    "invalid_ballots",
)
RELATIONS = (
    "received_equals_issued_plus_cancelled",
    "issued_not_above_list",
    "in_boxes_not_above_issued",
    "in_boxes_equals_invalid_plus_votes",
)
LINE_2_IS_3_PLUS_4 = RELATIONS[0]


@pytest.fixture(scope="module")
def rural(live_server):
    return rural_election(live_server.app)


def register_candidate(page: Page, rural, last_name: str) -> None:
    """Nominate an eligible self-nominee through the pages and register them."""
    number = nominate(page, person(last_name, rural.born_aged(45)), rural)
    decide(page, number, "register")
    expect_status(page, "registered")


def on_ballot(app, election_id: int) -> int:
    with app.app_context():
        return db.session.execute(
            select(func.count(Candidate.id)).where(
                Candidate.election_id == election_id, Candidate.status.in_(ON_BALLOT)
            )
        ).scalar_one()


def open_my_precinct(page: Page) -> int:
    """/precinct, the secretary's home, links their precinct's protocol; returns its id."""
    page.goto("/precinct")
    page.locator("main a[href$='/protocol']").first.click()
    page.wait_for_url(PROTOCOL_URL)
    return int(PROTOCOL_URL.search(page.url).group(1))


def base_version(page: Page) -> int:
    return int(page.locator("#protocol-form").get_attribute("data-base-version"))


def figures(page: Page, cancelled: int = 300, invalid: int = 10) -> dict[str, int]:
    """A whole protocol for the candidates the form shows: every relation holds when
    ``cancelled`` is 300, and moving votes between ``invalid`` and against-all keeps them."""
    votes = page.locator("#protocol-form input[name^='votes-']")
    names = [votes.nth(i).get_attribute("name") for i in range(votes.count())]
    assert names, "the form shows no candidate's line"
    lines = dict(zip(LINES, (1240, 1000, 700, cancelled, 690, invalid), strict=True))
    against_all = 30 - invalid
    others = {name: 7 for name in names[1:]}
    first = 690 - invalid - against_all - sum(others.values())
    return {**lines, names[0]: first, **others, "against_all": against_all}


def type_figures(page: Page, values: dict[str, int]) -> None:
    for name, value in values.items():
        page.fill(f"#protocol-form input[name='{name}']", str(value))


def expect_figures(page: Page, values: dict[str, int]) -> None:
    for name, value in values.items():
        expect(page.locator(f"#protocol-form input[name='{name}']")).to_have_value(str(value))


def relation(page: Page, name: str):
    """The live check of one relation, in the form's list (not the server's error list)."""
    return page.locator(f"#relations li[data-relation={name}]")


def draft(page: Page, precinct_id: int) -> str | None:
    return page.evaluate("key => localStorage.getItem(key)", f"draft:protocol-{precinct_id}")


def post_protocol(page: Page) -> int:
    """Submit the protocol form; returns the status of the server's answer."""
    with page.expect_response(
        lambda response: (
            response.request.method == "POST" and PROTOCOL_URL.search(response.url) is not None
        )
    ) as posted:
        submit(page)
    return posted.value.status


def test_secretary_enters_a_protocol_checked_live_and_by_the_server(
    signed_in, pages, rural, live_server
):
    # No protocol without a ballot: the commission registers a candidate first.
    register_candidate(signed_in(CHAIR), rural, "Нұрғалиев")

    # Before the polls close the secretary sees when the count starts, and no save button.
    page = signed_in(SECRETARY)
    open_my_precinct(page)
    expect(page.locator("[data-code=counting_not_started]")).to_be_visible()
    expect(page.locator("#protocol-form button[type=submit]")).to_have_count(0)

    with count_under_way(live_server.app, rural.election_day):
        page.reload()
        precinct_id = open_my_precinct(page)
        saving = base_version(page) + 1  # 1 on a fresh server
        expect(page.locator("#draft-note")).to_be_hidden()

        # Line 2 (1000) != line 3 + line 4 (700 + 290): the page says so before any save.
        wrong = figures(page, cancelled=290)
        type_figures(page, wrong)
        expect(relation(page, LINE_2_IS_3_PLUS_4)).to_have_class("bad")
        for name in RELATIONS[1:]:
            expect(relation(page, name)).to_have_class("ok")

        # The server refuses it too, names the relation, and keeps every typed figure.
        assert post_protocol(page) == 422
        errors = page.locator("#server-errors")
        expect(errors.locator(f"[data-relation={LINE_2_IS_3_PLUS_4}]")).to_have_count(1)
        expect(errors.locator("[data-relation]")).to_have_count(1)
        expect(errors.locator("[data-relation]")).to_have_attribute("data-code", "relation_failed")
        expect(page.locator("[data-saved-version]")).to_have_count(0)
        expect_figures(page, wrong)
        expect(relation(page, LINE_2_IS_3_PLUS_4)).to_have_class("bad")

        # Fixed in the page, the live check agrees before the save.
        right = figures(page)
        page.fill("#ballots_cancelled", str(right["ballots_cancelled"]))
        for name in RELATIONS:
            expect(relation(page, name)).to_have_class("ok")
        assert post_protocol(page) == 302
        page.wait_for_url(SAVED_URL)
        expect(page.locator("[data-saved-version]")).to_have_attribute(
            "data-saved-version", str(saving)
        )
        expect(page.locator("#server-errors")).to_have_count(0)
        expect_figures(page, right)
        # One list of relations: the server's, on the saved figures, kept live by the page.
        expect(page.locator("#relations ul")).to_have_count(1)
        for name in RELATIONS:
            expect(relation(page, name)).to_have_class("ok")

        page.locator(f"main a[href$='/precincts/{precinct_id}/protocol/versions']").click()
        page.wait_for_url(re.compile(rf"/precincts/{precinct_id}/protocol/versions$"))
        saved_row = page.locator(f"main tr[data-version='{saving}']")
        expect(saved_row).to_have_attribute("data-current", "true")
        expect(page.locator("main tr[data-current=true]")).to_have_count(1)
        assert pages.csp_violations == []


def test_typed_figures_survive_a_reload_until_the_server_saves_them(
    signed_in, pages, rural, live_server
):
    if on_ballot(live_server.app, rural.id) == 0:
        register_candidate(signed_in(CHAIR), rural, "Жақыпов")
    with count_under_way(live_server.app, rural.election_day):
        page = signed_in(SECRETARY)
        precinct_id = open_my_precinct(page)
        saving = base_version(page) + 1
        typed = figures(page, invalid=12)
        type_figures(page, typed)
        expect(page.locator("#draft-note")).to_be_hidden()

        # The connection drops before the save: reloading brings the typed figures back.
        page.reload()
        expect(page.locator("#draft-note")).to_be_visible()
        expect_figures(page, typed)
        for name in RELATIONS:
            expect(relation(page, name)).to_have_class("ok")

        assert post_protocol(page) == 302
        page.wait_for_url(SAVED_URL)
        expect(page.locator("[data-saved-version]")).to_have_attribute(
            "data-saved-version", str(saving)
        )
        expect(page.locator("#draft-note")).to_be_hidden()
        assert draft(page, precinct_id) is None

        # A correction typed on the confirmation page is a new draft: a reload keeps it too.
        corrected = figures(page, invalid=13)
        type_figures(page, corrected)
        page.reload()
        expect(page.locator("#draft-note")).to_be_visible()
        expect_figures(page, corrected)

        assert post_protocol(page) == 302
        page.wait_for_url(SAVED_URL)
        expect(page.locator("[data-saved-version]")).to_have_attribute(
            "data-saved-version", str(saving + 1)
        )

        # Saved, the draft is gone: the protocol shows the server's figures, with no note.
        assert draft(page, precinct_id) is None
        open_my_precinct(page)
        expect(page.locator("#draft-note")).to_be_hidden()
        assert base_version(page) == saving + 1
        expect_figures(page, corrected)
        assert draft(page, precinct_id) is None
        assert pages.csp_violations == []
