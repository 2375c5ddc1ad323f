"""The printed documents are reproducible, kept once rendered, named by a strong ETag, cached by
browsers as far as they can be, limited per client address, and print the names they are given
as written."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import force_locale, gettext
from markupsafe import escape
from sqlalchemy import select

from elections.auth.models import User
from elections.ballots.models import ProtocolVersion
from elections.core.extensions import db
from elections.printing import cache, pdf
from elections.results import services as result_services
from elections.results.models import ResultVersion
from elections.territory.models import Election
from tests import factories
from tests.printing.support import pdf_of, text_of


@pytest.fixture(autouse=True)
def _fresh_pdf_cache():
    cache.clear()
    yield
    cache.clear()


def protocol_url(entered, version: int = 1) -> str:
    return f"/precincts/{entered.world.precinct_a}/protocol/versions/{version}.pdf"


def result_url(certified, version: int = 1) -> str:
    return f"/results/{certified.world.election_id}/versions/{version}.pdf"


def ballot_url(entered) -> str:
    return f"/elections/{entered.world.election_id}/ballot.pdf"


def fresh(client, url: str) -> bytes:
    """The document rendered anew, nothing kept from before."""
    cache.clear()
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.data


# -- reproducible -----------------------------------------------------------------------------


def test_each_document_renders_to_the_same_bytes_whenever_it_is_printed(
    client, login, certified, clock
):
    login(certified.world.users["territorial_chair"])
    for url in (protocol_url(certified), result_url(certified), ballot_url(certified)):
        clock(factories.count_night())
        first = fresh(client, url)
        clock(factories.count_night() + timedelta(days=3, minutes=17))  # printed later
        assert fresh(client, url) == first, url


def test_the_pdf_dates_are_those_of_what_it_prints(app, client, login, certified):
    world = certified.world
    with app.app_context():
        entered_at = db.session.execute(
            select(ProtocolVersion.created_at).where(
                ProtocolVersion.precinct_id == world.precinct_a, ProtocolVersion.version == 1
            )
        ).scalar_one()
        certified_at = db.session.execute(
            select(ResultVersion.certified_at).where(ResultVersion.election_id == world.election_id)
        ).scalar_one()

    def utc(moment: datetime) -> datetime:
        return (moment.replace(tzinfo=moment.tzinfo or UTC)).astimezone(UTC).replace(microsecond=0)

    result = pdf_of(client.get(result_url(certified))).metadata
    assert result.creation_date.astimezone(UTC) == utc(certified_at)
    assert result.modification_date.astimezone(UTC) == utc(certified_at)
    login(world.users["precinct_secretary"])
    protocol = pdf_of(client.get(protocol_url(certified))).metadata
    assert protocol.creation_date.astimezone(UTC) == utc(entered_at)


# -- kept once rendered, named by its digest ----------------------------------------------------


def test_a_document_is_rendered_once_and_served_again_with_its_strong_etag(client, entered):
    before = pdf.renders
    first = client.get(ballot_url(entered))
    second = client.get(ballot_url(entered))
    assert pdf.renders == before + 1
    assert second.data == first.data
    etag = first.headers["ETag"]
    assert etag.startswith('"') and etag == second.headers["ETag"]  # strong, not W/"..."
    assert first.headers["Cache-Control"] == "public, max-age=60"


def test_a_public_document_sent_to_a_signed_in_reader_is_kept_by_their_browser_only(
    client, login, entered
):
    login(entered.world.users["territorial_chair"])
    response = client.get(ballot_url(entered))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, max-age=60"


def test_what_the_ballot_prints_changing_changes_its_etag_and_bytes(app, client, entered):
    first = client.get(ballot_url(entered))
    with app.app_context():
        factories.CandidateFactory(
            election=db.session.get(Election, entered.world.election_id),
            status="registered",
            last_name="Ізбасаров",
            first_name="Жандос",
            patronymic=None,
        )
        db.session.commit()
    second = client.get(ballot_url(entered), headers={"If-None-Match": first.headers["ETag"]})
    assert second.status_code == 200
    assert second.headers["ETag"] != first.headers["ETag"]
    assert "Ізбасаров Жандос" in text_of(pdf_of(second))


def test_if_none_match_answers_304_without_rendering(client, certified):
    first = client.get(result_url(certified))
    cache.clear()
    before = pdf.renders
    again = client.get(result_url(certified), headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    assert pdf.renders == before
    weak_etag = "W/" + first.headers["ETag"]
    weak = client.get(result_url(certified), headers={"If-None-Match": weak_etag})
    assert weak.status_code == 304
    other = client.get(result_url(certified), headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200 and other.data == first.data


def test_a_replaced_result_version_is_immutable_and_the_current_one_revalidates(
    app, client, certified
):
    current = client.get(result_url(certified))
    assert current.headers["Cache-Control"] == "public, max-age=60"
    world = certified.world
    with app.app_context():
        election = db.session.get(Election, world.election_id)
        chair = db.session.get(User, world.users["territorial_chair"])
        result_services.open_correction(election, "Учаске хаттамасындағы қате", chair)
        db.session.commit()
        result_services.certify(db.session.get(Election, world.election_id), chair)
        db.session.commit()
    replaced = client.get(result_url(certified))
    assert replaced.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert replaced.headers["ETag"] != current.headers["ETag"]  # it now says it was replaced
    text = text_of(pdf_of(replaced))
    assert "оны 2-нұсқа ауыстырды" in text and "её заменила версия 2" in text
    assert client.get(result_url(certified, 2)).headers["Cache-Control"] == "public, max-age=60"


def test_the_protocol_stays_private_and_is_never_served_outside_its_scope(
    app, client, login, entered
):
    world = entered.world
    login(world.users["precinct_secretary"])
    mine = client.get(protocol_url(entered))
    assert mine.status_code == 200
    assert mine.headers["Cache-Control"] == "private, no-store"
    etag = mine.headers["ETag"]
    assert client.get(protocol_url(entered), headers={"If-None-Match": etag}).status_code == 304
    # The document is kept now; the secretary of another precinct still gets nothing of it,
    # neither the bytes nor a 304 that would confirm the ETag.
    for who in ("other_secretary", "other_member"):
        login(world.users[who])
        for headers in ({}, {"If-None-Match": etag}):
            refused = client.get(protocol_url(entered), headers=headers)
            assert refused.status_code == 404, who
            assert b"%PDF" not in refused.data and "ETag" not in refused.headers
    client.post("/logout")
    with app.test_client() as anonymous:
        answer = anonymous.get(protocol_url(entered), headers={"If-None-Match": etag})
        assert answer.status_code == 302 and "/login" in answer.headers["Location"]


def test_the_cache_is_bounded_by_entries_and_bytes(monkeypatch):
    html = "<p style=\"font-family: '{f}'\">Қазақ {n}</p>"
    monkeypatch.setattr(cache, "MAX_ENTRIES", 3)
    keys = [cache.key("ballot", n, None, html.format(f=pdf.FAMILY, n=n)) for n in range(5)]
    for n, k in enumerate(keys):
        cache.pdf_for(k, html.format(f=pdf.FAMILY, n=n))
    count, size = cache.size()
    assert count == 3
    before = pdf.renders
    cache.pdf_for(keys[-1], "")  # the newest is kept: not rendered again
    assert pdf.renders == before
    monkeypatch.setattr(cache, "MAX_BYTES", size // 3 * 2 - 100)  # room for one of these
    cache.pdf_for(keys[0], html.format(f=pdf.FAMILY, n=0))
    count, size = cache.size()
    assert count == 1 and size <= cache.MAX_BYTES
    before = pdf.renders
    cache.pdf_for(keys[0], "")  # the newest stays, the oldest went
    assert pdf.renders == before


def test_a_flood_of_requests_for_one_new_document_renders_it_once():
    html = "<p>Бір құжат</p>"
    k = cache.key("ballot", 1, None, html)
    before = pdf.renders
    bodies: list[bytes] = []
    threads = [
        threading.Thread(target=lambda: bodies.append(cache.pdf_for(k, html))) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert pdf.renders == before + 1
    assert len(bodies) == 8 and len(set(bodies)) == 1


# -- limited per client address ----------------------------------------------------------------


@pytest.fixture
def three_a_minute(app):
    previous = app.config["PRINT_RATE"]
    app.config["PRINT_RATE"] = (3, 60)
    yield
    app.config["PRINT_RATE"] = previous


def test_the_pdf_routes_are_rate_limited_per_address_with_retry_after(
    app, client, certified, three_a_minute
):
    urls = [ballot_url(certified), result_url(certified), ballot_url(certified)]
    assert [client.get(url).status_code for url in urls] == [200, 200, 200]
    limited = client.get(result_url(certified))
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert limited.headers["Content-Type"].startswith("text/html")
    assert not limited.data.startswith(b"%PDF")
    page = limited.get_data(as_text=True)
    assert "<main" in page
    seconds = int(limited.headers["Retry-After"])
    with app.test_request_context("/?lang=kk"), force_locale("kk"):
        message = gettext("Too many downloads. Try again in %(seconds)d seconds.", seconds=seconds)
    assert message != f"Too many downloads. Try again in {seconds} seconds."  # translated
    assert str(escape(message)) in page  # in the page's language, Kazakh by default
    # Another address has its own window.
    other = client.get(ballot_url(certified), environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert other.status_code == 200


def test_the_default_rate_leaves_room_for_a_commissions_work(app, client, login, certified):
    limit, period = app.config["PRINT_RATE"]
    assert limit >= 60 and period <= 60
    login(certified.world.users["territorial_chair"])
    answers = [client.get(protocol_url(certified, 1 + n % 2)).status_code for n in range(40)]
    assert answers == [200] * 40


# -- names printed as written ------------------------------------------------------------------

AWKWARD = 'O\'Neil \\ "x"'


def test_a_unit_name_with_quotes_and_a_backslash_prints_literally_in_the_running_footer(
    app, client, certified
):
    with app.app_context():
        election = db.session.get(Election, certified.world.election_id)
        election.unit.name_kk = AWKWARD
        db.session.commit()
    ballot = pdf_of(client.get(ballot_url(certified)))
    assert len(ballot.pages) >= 2
    for page in ballot.pages:  # the footer of every page
        assert f"Бюллетень макеті / Макет бюллетеня · {AWKWARD}" in page.extract_text()
    result = pdf_of(client.get(result_url(certified)))
    footer = result.pages[-1].extract_text()
    assert f"{AWKWARD} · нұсқа / версия 1" in footer
    assert "&#39;" not in text_of(ballot) + text_of(result)
