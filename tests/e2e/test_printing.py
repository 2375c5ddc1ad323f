"""Printing what commissions sign, in Chromium: the download links of the ballot page, the
public result, the versions of a protocol and the commission's dashboard give PDFs that say
what the service stored. In Kazakh on a phone, in Russian on a desktop."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader
from sqlalchemy import select

from elections.ballots import services as protocols
from elections.core.extensions import db
from elections.results import services as results
from elections.territory.models import Election, Precinct, Unit
from tests.e2e.helpers import SCREENSHOTS, snap, switch_language

CERTIFIED_KATO = "115645000"  # Садовый: counted and certified ten days ago
NIGHT_PRECINCT = 701  # Викторовка: this precinct has reported
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
DOWNLOADS = SCREENSHOTS.parent / "pdf"


@pytest.fixture(scope="module")
def stored(live_server):
    """What the demo database holds for the documents these tests download."""
    with live_server.app.app_context():
        certified = db.session.execute(
            select(Election)
            .join(Unit, Election.unit_id == Unit.id)
            .where(Unit.kato == CERTIFIED_KATO)
        ).scalar_one()
        result = results.latest_version(certified)
        precinct = db.session.execute(
            select(Precinct).where(Precinct.number == NIGHT_PRECINCT)
        ).scalar_one()
        version = protocols.current_version(precinct)
        return {
            "certified_id": certified.id,
            "result_version": result.version,
            "result_digest": result.digest,
            "names": [c.full_name for c in protocols.ballot_candidates(certified)],
            "precinct_id": precinct.id,
            "protocol_version": version.version,
            "protocol_digest": version.digest,
        }


def download(page: Page, link, name: str) -> tuple[str, str]:
    """Click the link, keep the PDF under artifacts/pdf/; its suggested name and its text."""
    with page.expect_download() as started:
        link.click()
    got = started.value
    DOWNLOADS.mkdir(parents=True, exist_ok=True)
    target = DOWNLOADS / f"{name}.pdf"
    got.save_as(target)
    data = Path(target).read_bytes()
    assert data.startswith(b"%PDF-"), data[:40]
    reader = PdfReader(BytesIO(data))
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    return got.suggested_filename, text


def test_anyone_downloads_the_ballot_proof_and_the_result_protocol_in_kazakh_on_a_phone(
    pages, stored
):
    page = pages.open(**PHONE)
    election_id = stored["certified_id"]
    page.goto(f"/elections/{election_id}/ballot")
    expect(page.locator("html")).to_have_attribute("lang", "kk")
    link = page.locator("main a.print-pdf")
    expect(link).to_have_text("Бюллетень макеті (PDF)")
    snap(page, "printing-ballot-page-kk")
    filename, text = download(page, link, "printing-ballot-kk")
    assert filename == f"ballot-election-{election_id}.pdf"
    positions = [text.find(name) for name in [*stored["names"], "Барлығына қарсы / Против всех"]]
    assert -1 not in positions and positions == sorted(positions), positions

    page.goto(f"/results/{election_id}")
    link = page.locator(f"main a.print-pdf[href$='/versions/{stored['result_version']}.pdf']")
    expect(link).to_have_text("Қорытынды хаттама (PDF)")
    link.scroll_into_view_if_needed()
    snap(page, "printing-result-page-kk")
    filename, text = download(page, link, "printing-result-kk")
    assert filename == f"result-election-{election_id}-v{stored['result_version']}.pdf"
    assert stored["result_digest"] in text.replace(" ", "")
    assert "Сайланған әкім / Избранный аким:" in text
    assert pages.csp_violations == []


def test_the_commission_downloads_a_protocol_version_and_the_certified_result_in_russian(
    signed_in, pages, stored
):
    page = signed_in("zerendi-chair", **DESKTOP)
    page.goto(f"/precincts/{stored['precinct_id']}/protocol/versions")
    switch_language(page, "ru")
    row = page.locator(f"main tr[data-version='{stored['protocol_version']}']")
    link = row.locator("a.print-pdf")
    expect(link).to_have_text("Протокол (PDF)")
    snap(page, "printing-protocol-versions-ru")
    filename, text = download(page, link, "printing-protocol-ru")
    assert filename.endswith(f"-precinct-{NIGHT_PRECINCT}-v{stored['protocol_version']}.pdf")
    assert f"ПРОТОКОЛ участковой избирательной комиссии № {NIGHT_PRECINCT}" in text
    assert stored["protocol_digest"] in text.replace(" ", "")
    assert "Председатель участковой избирательной комиссии" in text

    page.goto(f"/commission/elections/{stored['certified_id']}/results")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    link = page.locator("main a.print-pdf").last
    expect(link).to_have_text("Протокол о результатах (PDF)")
    snap(page, "printing-dashboard-ru")
    filename, text = download(page, link, "printing-dashboard-result-ru")
    assert filename.startswith(f"result-election-{stored['certified_id']}-v")
    assert "ПРОТОКОЛ территориальной избирательной комиссии" in text
    assert pages.csp_violations == []


def test_a_signed_out_reader_of_a_protocol_pdf_is_sent_to_sign_in(pages, stored):
    page = pages.open(**DESKTOP)
    url = f"/precincts/{stored['precinct_id']}/protocol/versions/{stored['protocol_version']}.pdf"
    page.goto(url)
    assert "/login" in page.url
    expect(page.locator("main form #username")).to_be_visible()


def test_the_protocol_download_is_in_reach_on_a_phone_in_kazakh(signed_in, stored):
    page = signed_in("zerendi-member", **PHONE)
    page.goto(f"/precincts/{stored['precinct_id']}/protocol/versions")
    expect(page.locator("html")).to_have_attribute("lang", "kk")
    link = page.locator(f"main tr[data-version='{stored['protocol_version']}'] a.print-pdf")
    expect(link).to_have_text("Хаттама (PDF)")
    box = link.bounding_box()
    # In the table's first column: on screen without scrolling the table sideways.
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    snap(page, "printing-protocol-versions-kk")
    filename, text = download(page, link, "printing-protocol-kk")
    assert filename.endswith(f"-v{stored['protocol_version']}.pdf")
    assert stored["protocol_digest"] in text.replace(" ", "")
    assert "дауыс беру қорытындылары туралы ХАТТАМАСЫ" in text


def test_the_browser_keeps_the_public_pdfs_and_revalidates_them_for_nothing(pages, stored):
    """The ballot proof and the result protocol come the same byte for byte every time, under a
    strong ETag the browser may send back for a 304, and the result version is cached as its
    Cache-Control says."""
    page = pages.open(**DESKTOP)
    for url, cache_control in (
        (f"/elections/{stored['certified_id']}/ballot.pdf", "public, max-age=60"),
        (f"/results/{stored['certified_id']}/versions/{stored['result_version']}.pdf", None),
    ):
        first = page.request.get(url)
        assert first.status == 200 and first.body().startswith(b"%PDF-")
        etag = first.headers["etag"]
        assert etag.startswith('"'), etag
        if cache_control:
            assert first.headers["cache-control"] == cache_control
        else:
            assert first.headers["cache-control"].startswith("public, max-age=")
        again = page.request.get(url)
        assert again.body() == first.body() and again.headers["etag"] == etag
        held = page.request.get(url, headers={"If-None-Match": etag})
        assert held.status == 304 and held.body() == b""
