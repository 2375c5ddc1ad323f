"""Every page a role opens fits the screen: on a phone (390x844, Kazakh) and on a desktop
(1280x800, Russian) the page is never wider than the window (``scrollWidth <= innerWidth``).

For each demo role the crawler (tests/e2e/crawl.py) follows the links and GET forms
from the landing page, as the user would click; a few pages are opened directly as
well, so that the sweep also covers them while no link leads there. To stay quick it
opens up to three pages of each kind on the phone (``/results/3``, ``/results/4``...)
and the first of each kind again on the desktop. A wide table may scroll inside its
own box: that does not widen the page, so it passes here.

Each page is photographed at 390 px (artifacts/screenshots/phone-<role>-<slug>-kk.png).
Every page that does not fit is collected into one assertion message per role.
"""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from elections.core.extensions import db
from elections.territory.models import Election
from elections.web.i18n import COOKIE
from tests.e2e import helpers
from tests.e2e.crawl import crawl, pattern

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
HEADER_SHARE = 0.25  # the site header takes well under a quarter of the first screen
SNAP_HEIGHT = 5000  # px of a long page kept in its screenshot
PER_KIND = 3  # pages of one kind (/results/<n>) on the phone; one of each on the desktop

# The demo's users, one of each role, and the two secretaries (one whose count is open).
ROLES = [
    "anonymous",
    "cec-admin",
    "zerendi-member",
    "zerendi-chair",
    "precinct-401",
    "precinct-702",
    "observer-701b",
]


def election_ids(app) -> list[int]:
    with app.app_context():
        return list(db.session.execute(select(Election.id).order_by(Election.id)).scalars())


def direct_pages(role: str, elections: list[int]) -> list[str]:
    """Pages the sweep opens even if no link leads there (the crawl starts there too)."""
    if role.startswith("precinct-"):
        return ["/precinct"]
    if role.startswith("zerendi-"):
        return [
            page
            for election in elections
            for page in (
                f"/commission/elections/{election}/protocols",
                f"/commission/elections/{election}/results",
            )
        ]
    return []


def snap_top(page, name: str) -> None:
    """The whole page, or its first SNAP_HEIGHT pixels when it is longer (the API
    reference is 40,000 px tall: photographing it all takes seconds)."""
    height = page.evaluate("document.documentElement.scrollHeight")
    if height <= SNAP_HEIGHT:
        helpers.snap(page, name)
        return
    helpers.SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    clip = {"x": 0, "y": 0, "width": page.viewport_size["width"], "height": SNAP_HEIGHT}
    page.screenshot(path=str(helpers.SCREENSHOTS / f"{name}.png"), full_page=True, clip=clip)


def slug(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"


def open_as(pages, live_server, role: str, language: str, **context_options):
    page = pages.open(**context_options)
    page.context.add_cookies([{"name": COOKIE, "value": language, "url": live_server.url}])
    if role != "anonymous":
        helpers.sign_in(page, role, live_server.passwords[role])
    return page


@pytest.mark.parametrize("role", ROLES)
def test_every_page_a_role_opens_fits_a_phone_and_a_desktop(pages, live_server, role):
    width = PHONE["viewport"]["width"]
    header_limit = PHONE["viewport"]["height"] * HEADER_SHARE
    problems: list[str] = []

    def check_phone(page, path: str) -> None:
        if page.locator("html").get_attribute("lang") != "kk":
            problems.append(f"{path}: not in Kazakh")
        reason = helpers.overflow(page, width)
        if reason:
            problems.append(f"phone: {reason}")
        header = page.locator("header.site-header").bounding_box()
        if header and header["height"] >= header_limit:
            problems.append(f"phone: {path}: header {header['height']:.0f}px tall")
        snap_top(page, f"phone-{role}-{slug(path)}-kk")

    phone = open_as(pages, live_server, role, "kk", **PHONE)
    visited = crawl(
        phone,
        live_server.url,
        "/",
        on_page=check_phone,
        also=direct_pages(role, election_ids(live_server.app)),
        per_pattern=PER_KIND,
    )
    assert len(visited) > 3, visited

    desktop = open_as(pages, live_server, role, "ru", **DESKTOP)
    for path in {pattern(path): path for path in reversed(visited)}.values():
        desktop.goto(path)
        reason = helpers.overflow(desktop, DESKTOP["viewport"]["width"])
        if reason:
            problems.append(f"desktop: {reason}")

    assert problems == [], "\n".join(
        [f"{role}: {len(problems)} problem(s) over {len(visited)} pages", *problems]
    )
    assert pages.csp_violations == []


def test_the_width_is_measured_with_the_stylesheet_applied(pages, live_server):
    """After a click the page's DOM is there before its stylesheet (the browser asks
    again for app.css): measured then, the result page's tables are out of their scroll
    boxes and the page seems 722 px wide on a 375 px phone. ``overflow`` waits for the
    stylesheet; here it is made slow on purpose, as on a phone's network."""
    app = live_server.app
    page = pages.open(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    page.goto("/results")
    static = app.view_functions["static"]

    def slow_static(**kwargs):
        time.sleep(1.0)
        return static(**kwargs)

    app.view_functions["static"] = slow_static
    try:
        page.locator("main table a[href^='/results/']").first.click()
        expect(page.locator("main section.headline")).to_be_visible()
        assert helpers.overflow(page, 375) is None
    finally:
        app.view_functions["static"] = static


def certified_result(app) -> int:
    with app.app_context():
        return db.session.execute(
            select(Election.id).where(Election.state == "certified").order_by(Election.id)
        ).scalar()


def right_edges(page, selector: str) -> list[float]:
    """Where each matching element ends on the screen, in CSS px from the left."""
    return page.locator(selector).evaluate_all(
        "(found) => found.map((el) => el.getBoundingClientRect().right)"
    )


def test_on_a_phone_what_one_reads_is_on_the_screen(pages, live_server):
    """At 390 px: the chart's names and figures keep a readable size, the results
    index shows each election's status, a wide table says it scrolls sideways, the
    protocol form shows its figures, the nomination form keeps each radio button beside
    its label, and the progress page shows each precinct's state."""
    width = PHONE["viewport"]["width"]
    page = open_as(pages, live_server, "anonymous", "kk", **PHONE)

    page.goto(f"/results/{certified_result(live_server.app)}")
    sizes = page.locator("main figure.chart svg text").evaluate_all(
        "(texts) => texts.map((t) => t.getBoundingClientRect().height)"
    )
    assert sizes and min(sizes) >= 14, f"chart text {min(sizes):.1f} px tall"
    assert max(right_edges(page, "main figure.chart svg text")) <= width
    wide = page.locator("main .table-scroll:has(table.precincts)")
    assert wide.evaluate("(box) => box.scrollWidth > box.clientWidth")
    expect(page.locator("main .scroll-hint + .table-scroll table.precincts")).to_have_count(1)

    page.goto("/results")
    badges = right_edges(page, "main table .badge")
    assert badges and max(badges) <= width, badges

    secretary = open_as(pages, live_server, "precinct-702", "kk", **PHONE)
    secretary.goto("/precinct")
    if "/protocol" not in secretary.url:  # the secretary's home links to the form
        secretary.locator("main a[href$='/protocol']").first.click()
        secretary.wait_for_url("**/protocol")
    figures = right_edges(secretary, "main .protocol-lines input")
    assert figures and max(figures) <= width, figures

    member = open_as(pages, live_server, "zerendi-member", "kk", **PHONE)
    elections = election_ids(live_server.app)
    member.goto(f"/commission/elections/{elections[0]}/candidates/new")
    for radio in member.locator("main input[type=radio]").all():
        label = member.locator(f"label[for='{radio.get_attribute('id')}']")
        box, text = radio.bounding_box(), label.bounding_box()
        assert abs((box["y"] + box["height"] / 2) - (text["y"] + text["height"] / 2)) < 8
        assert box["x"] < text["x"] <= box["x"] + box["width"] + 24

    member.goto(f"/commission/elections/{certified_result(live_server.app)}/protocols")
    states = right_edges(member, "main tr[data-status] .badge")
    assert states and max(states) <= width, states
