"""The results in Chromium: the public page of a certified election, for anyone, in Kazakh
and Russian, on a phone and on paper; and the commission's dashboard, which refuses to
certify while precincts have not reported.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from sqlalchemy import select

from elections.ballots import services as protocols
from elections.core.extensions import db
from elections.demo.region import PAST_PRECINCTS
from elections.territory.models import Election, Unit
from tests.e2e import helpers
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


# --- Election night and open data (issue 11, defects 8 and 9) ------------------------------
#
# The demo's Викторовка election is being counted (precinct 701 reported, 702 not): these
# journeys read it and download its files; nothing here changes the demo.

NIGHT_KATO = "115651000"  # the village of Викторовка, counting since 20:00 yesterday
BOM = b"\xef\xbb\xbf"
PHONE_390 = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}


@pytest.fixture(scope="module")
def night_id(live_server) -> int:
    with live_server.app.app_context():
        return db.session.execute(
            select(Election.id)
            .join(Unit, Election.unit_id == Unit.id)
            .where(Unit.kato == NIGHT_KATO)
        ).scalar_one()


@dataclass
class Exchange:
    path: str
    if_none_match: str | None
    cache_control: str | None
    status: int
    etag: str | None


@contextmanager
def recorded(app) -> Iterator[list[Exchange]]:
    """What the live server receives and answers, at its WSGI door (no mock: the real app)."""
    exchanges: list[Exchange] = []
    inner = app.wsgi_app

    def recorder(environ, start_response):
        def start(status, headers, exc_info=None):
            etag = next((v for k, v in headers if k.lower() == "etag"), None)
            exchanges.append(
                Exchange(
                    environ.get("PATH_INFO", ""),
                    environ.get("HTTP_IF_NONE_MATCH"),
                    environ.get("HTTP_CACHE_CONTROL"),
                    int(status.split()[0]),
                    etag,
                )
            )
            return start_response(status, headers, exc_info)

        return inner(environ, start)

    app.wsgi_app = recorder
    try:
        yield exchanges
    finally:
        app.wsgi_app = inner


@contextmanager
def refreshing_every(app, seconds: int) -> Iterator[None]:
    app.config["RESULTS_REFRESH_SECONDS"] = seconds
    try:
        yield
    finally:
        app.config.pop("RESULTS_REFRESH_SECONDS", None)


def visits(exchanges: list[Exchange], path: str) -> list[Exchange]:
    return [e for e in exchanges if e.path == path]


def is_visit_to(path: str):
    return lambda request: urlsplit(request.url).path == path


def wait_for_visits(page: Page, exchanges, path: str, count: int, timeout_s: float = 15) -> None:
    """Until the server has answered ``path`` ``count`` times: each wait lasts until the
    browser's next request for it has finished (a refresh, event-driven, no fixed sleep),
    within one overall bound."""
    deadline = time.monotonic() + timeout_s
    while len(visits(exchanges, path)) < count:
        left_ms = (deadline - time.monotonic()) * 1000
        assert left_ms > 0, f"{len(visits(exchanges, path))} of {count} visits: {exchanges}"
        with contextlib.suppress(PlaywrightTimeout):
            page.wait_for_event("requestfinished", is_visit_to(path), timeout=left_ms)


def expect_no_visit(page: Page, path: str, within_ms: int) -> None:
    """No request for ``path`` leaves the page within ``within_ms``: the wait ends (and the
    test fails) the moment one does."""
    with pytest.raises(PlaywrightTimeout):
        page.wait_for_event("request", is_visit_to(path), timeout=within_ms)


def test_a_counting_page_refreshes_itself_and_gets_304(pages, live_server, night_id):
    """What Chromium really sends on <meta http-equiv="refresh">, and what the server answers."""
    path = f"/results/{night_id}"
    with refreshing_every(live_server.app, 2), recorded(live_server.app) as exchanges:
        page = pages.open()
        page.goto(path)
        expect(page.locator("meta[http-equiv=refresh]")).to_have_attribute("content", "2")
        wait_for_visits(page, exchanges, path, 3)
        first, *refreshes = visits(exchanges, path)
        assert first.status == 200 and first.etag
        for refresh in refreshes:
            # A reload: "max-age=0" with the ETag the page came with; nothing changed: 304.
            assert refresh.if_none_match == first.etag, refresh
            assert refresh.cache_control == "max-age=0", refresh
            assert refresh.status == 304, refresh
        expect(page.locator("main section.headline")).to_be_visible()  # the kept copy shows

        # The page changes (here its interval: part of what the page shows): the next
        # refresh gets it whole, with a new ETag.
        seen = len(visits(exchanges, path))
        live_server.app.config["RESULTS_REFRESH_SECONDS"] = 3
        wait_for_visits(page, exchanges, path, seen + 1)
        changed = visits(exchanges, path)[seen]
        assert changed.if_none_match == first.etag
        assert changed.status == 200 and changed.etag != first.etag
        expect(page.locator("meta[http-equiv=refresh]")).to_have_attribute("content", "3")
    assert pages.csp_violations == []


def test_a_certified_page_does_not_refresh(pages, live_server, certified_id):
    path = f"/results/{certified_id}"
    with refreshing_every(live_server.app, 1), recorded(live_server.app) as exchanges:
        page = pages.open()
        page.goto(path)
        expect(page.locator("main section.headline")).to_have_attribute("data-status", "certified")
        expect(page.locator("meta[http-equiv=refresh]")).to_have_count(0)
        expect(page.locator("main .refresh-note")).to_have_count(0)
        helpers.snap(page, "results-certified-desktop-kk")
        # Three refresh intervals with no request for the page, and the server saw it once.
        expect_no_visit(page, path, within_ms=3000)
        assert len(visits(exchanges, path)) == 1, visits(exchanges, path)
        expect(page.locator("meta[http-equiv=refresh]")).to_have_count(0)


def expect_night_figures(page: Page, night: dict) -> None:
    """The headline and the turnout table of the Викторовка count, as the API has it."""
    headline = page.locator("main section.headline")
    expect(headline).to_have_attribute("data-status", "unofficial_partial")
    most = max(night["candidates"], key=lambda row: row["votes"])
    leader = headline.locator("p.leader")
    expect(leader).to_have_attribute("data-standing", "leading")
    expect(leader).to_have_attribute("data-leader-id", str(most["candidate_id"]))
    expect(leader).to_contain_text(most["name"])
    expect(headline.locator("[data-winner-id]")).to_have_count(0)
    expect(headline.locator("[data-turnout-scope]")).to_have_attribute(
        "data-turnout-scope", "reporting"
    )
    expect(headline.locator("[data-as-of]")).to_contain_text("(UTC+5, ")
    rows = page.locator("main table.turnout tbody tr")
    expect(rows).to_have_count(night["precincts_total"])
    expect(page.locator("main table.turnout tr[data-reported=yes]")).to_have_count(
        night["precincts_reporting"]
    )
    reported = page.locator("main table.turnout tr[data-reported=yes]").first
    turnout = f"{night['turnout'] * 100:.2f}%"  # one precinct reported: its turnout is the total
    expect(reported.locator("td").nth(3)).to_have_text(turnout)
    expect(page.locator("main .refresh-note")).to_be_visible()
    expect(page.locator("meta[http-equiv=refresh]")).to_have_attribute("content", "60")


def download(page: Page, link_selector: str):
    with page.expect_download() as event:
        page.locator(link_selector).click()
    return event.value


def check_csv(file, night_id: int, night: dict) -> None:
    assert file.suggested_filename == f"election-{night_id}-results.csv"
    body = Path(file.path()).read_bytes()
    assert body.startswith(BOM) and not body.startswith(BOM * 2)
    header, *rows = csv.reader(io.StringIO(body[len(BOM) :].decode("utf-8"), newline=""))
    assert header[0] == "precinct_number"
    assert len(rows) == night["precincts_total"]
    assert [row[2] for row in rows].count("yes") == night["precincts_reporting"]


def night_result(page: Page, night_id: int) -> dict:
    answer = page.request.get(f"/api/v1/elections/{night_id}/results")
    assert answer.ok, answer.status
    assert "content-disposition" not in answer.headers  # the API answers inline
    return answer.json()


def test_a_voter_on_a_phone_follows_election_night_in_kazakh(pages, live_server, night_id):
    page = pages.open(**PHONE_390)
    night = night_result(page, night_id)
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "kk")
    card = page.locator("main article").filter(has=page.locator(f"a[href='/results/{night_id}']"))
    card.locator(f"a[href='/results/{night_id}']").click()
    page.wait_for_url(re.compile(rf"/results/{night_id}$"))

    expect_night_figures(page, night)
    headline = page.locator("main section.headline")
    expect(headline.locator("p.leader")).to_contain_text("Алда келе жатыр")
    expect(headline).not_to_contain_text("Жеңімпаз")
    expect(headline.locator("[data-turnout-scope]")).to_contain_text(
        "Хаттама тапсырған учаскелердегі сайлаушылардың қатысуы"
    )
    expect(headline.locator("[data-as-of]")).to_contain_text("Қазақстан уақыты")
    expect(page.locator("main .refresh-note")).to_contain_text("60 секунд")
    expect(page.locator("main table.turnout tr[data-reported=no]")).to_contain_text(
        "хаттама әлі түскен жоқ"
    )
    helpers.snap(page, "results-night-kk")
    page.locator("main table.turnout").scroll_into_view_if_needed()
    helpers.snap(page, "results-night-turnout-kk")

    check_csv(download(page, "main ul.downloads a[href$='results.csv']"), night_id, night)
    assert pages.csp_violations == []


def test_a_journalist_on_a_desktop_reads_and_downloads_election_night_in_russian(
    pages, live_server, night_id
):
    page = pages.open(**DESKTOP)
    night = night_result(page, night_id)
    page.goto("/")
    switch_language(page, "ru")
    page.locator("header nav.main-nav a[href='/results']").click()
    page.wait_for_url(re.compile(r"/results$"))
    expect(page.locator("main .refresh-note")).to_contain_text("каждые 60 секунд")
    expect(page.locator("meta[http-equiv=refresh]")).to_have_attribute("content", "60")
    helpers.snap(page, "results-night-index-ru")
    page.locator(f"main table a[href='/results/{night_id}']").click()
    page.wait_for_url(re.compile(rf"/results/{night_id}$"))

    expect_night_figures(page, night)
    headline = page.locator("main section.headline")
    expect(headline.locator("p.leader")).to_contain_text("Лидирует")
    expect(headline).not_to_contain_text("Победитель")
    expect(headline.locator("[data-turnout-scope]")).to_contain_text(
        "Явка избирателей на участках, передавших протоколы"
    )
    expect(headline.locator("[data-as-of]")).to_contain_text("(UTC+5, Казахстан)")
    helpers.snap(page, "results-night-ru")

    check_csv(download(page, "main ul.downloads a[href$='results.csv']"), night_id, night)
    json_file = download(page, "main ul.downloads a[href*='/results?download=1']")
    assert json_file.suggested_filename == f"election-{night_id}-results.json"
    assert json.loads(Path(json_file.path()).read_text("utf-8")) == night
    nist_file = download(page, "main ul.downloads a[href*='nist-err?download=1']")
    assert nist_file.suggested_filename == f"election-{night_id}-nist-err.json"
    report = json.loads(Path(nist_file.path()).read_text("utf-8"))
    assert report["Status"] == "unofficial-partial"
    assert page.url.endswith(f"/results/{night_id}")  # the downloads left the page in place
    assert pages.csp_violations == []
