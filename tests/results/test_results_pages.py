"""Public results pages (no login): the index, an election's page, and their HTTP caching."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import func, select

from elections.ballots.models import ProtocolVersion
from elections.core.extensions import db
from tests.results.support import certify


def page_of(client, election_id, query=""):
    response = client.get(f"/results/{election_id}{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response, response.get_data(as_text=True)


def reporting(text):
    match = re.search(r'data-reporting="(\d+)" data-total="(\d+)">([^<]*)<', text)
    assert match, "no reporting counter"
    return int(match.group(1)), int(match.group(2)), match.group(3)


def svg_of(text):
    match = re.search(r'<svg role="img"[^>]*>(.*?)</svg>', text, re.S)
    assert match, "no accessible SVG chart"
    svg = match.group(1)
    title = re.search(r"<title[^>]*>(.*?)</title>", svg, re.S)
    desc = re.search(r"<desc[^>]*>(.*?)</desc>", svg, re.S)
    assert title and title.group(1).strip(), "the chart has no title"
    assert desc, "the chart has no description"
    return html.unescape(desc.group(1))


def precinct_rows(text):
    table = re.search(r'<table class="precincts">(.*?)</table>', text, re.S)
    assert table, "no per-precinct table"
    body = table.group(1).split("<tbody>")[1]
    return re.findall(r"<tr>(.*?)</tr>", body, re.S)


# --- The index ---------------------------------------------------------------------------


def test_results_index_lists_the_election_with_its_status(client, world, counted, save, chair):
    def row_of(election_id):
        text = client.get("/results?lang=en").get_data(as_text=True)
        match = re.search(rf'<tr>\s*<td><a href="/results/{election_id}">(.*?)</tr>', text, re.S)
        assert match, f"election {election_id} is not listed"
        return match.group(1)

    row = row_of(world.election_id)
    assert counted.unit["ru"] in row  # English falls back to the Russian name
    assert "1 / 2" in row
    assert "unofficial" in row
    assert "no results yet" in row_of(world.other_election_id)

    save(world.precinct_b, {counted.c1: 1, counted.c2: 2})
    assert certify(client, chair, world.election_id).status_code == 200
    row = row_of(world.election_id)
    assert "2 / 2" in row
    assert 'class="badge ok"' in row and "certified" in row


def test_results_index_needs_no_login(client, world):
    response = client.get("/results")
    assert response.status_code == 200
    assert f'href="/results/{world.election_id}"' in response.get_data(as_text=True)


# --- An election's page ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "lang", "name"),
    [("", "kk", "kk"), ("?lang=ru", "ru", "ru"), ("?lang=en", "en", "ru")],
)
def test_election_page_shows_the_headline_chart_table_and_downloads_in_each_language(
    client, world, counted, query, lang, name
):
    _response, text = page_of(client, world.election_id, query)

    assert f'<html lang="{lang}">' in text
    assert counted.unit[name] in re.search(r"<h1>(.*?)</h1>", text, re.S).group(1)
    n, m, words = reporting(text)
    assert (n, m) == (1, 2)
    assert "1" in words and "2" in words
    assert 'data-status="unofficial_partial"' in text
    assert 'data-outcome="pending"' in text
    assert "data-winner-id" not in text  # pending: nobody leads officially
    desc = svg_of(text)
    for cid, votes in ((counted.c1, 500), (counted.c2, 250)):
        assert f"{counted.names[cid]}: {votes} " in desc
    rows = precinct_rows(text)
    assert len(rows) == 2
    reported = next(r for r in rows if f"№ {counted.numbers[world.precinct_a]}<" in r)
    assert re.findall(r'<td class="num">(\d+)</td>', reported)[1:] == [
        "798",
        "8",
        "500",
        "250",
        "40",
    ]
    assert any(f"№ {counted.numbers[world.precinct_b]}<" in r for r in rows)
    # The download links: the CSV is always an attachment, JSON and NIST ask to be one.
    for href in ("results.csv", "results?download=1", "results/nist-err?download=1"):
        assert f'href="/api/v1/elections/{world.election_id}/{href}"' in text


def test_election_page_names_the_winner_once_every_precinct_reported(client, world, counted, save):
    save(world.precinct_b, {counted.c1: 100, counted.c2: 300}, invalid=2, against_all=10)

    _response, text = page_of(client, world.election_id, "?lang=en")

    assert reporting(text)[:2] == (2, 2)
    winner = re.search(r'data-winner-id="(\d+)"[^>]*>(.*?)</p>', text, re.S)
    assert winner and int(winner.group(1)) == counted.c1
    assert counted.names[counted.c1] in winner.group(2)
    desc = svg_of(text)
    assert f"{counted.names[counted.c1]}: 600 " in desc
    assert f"{counted.names[counted.c2]}: 550 " in desc
    assert ": 50 " in desc  # against all is a bar too


def test_election_page_shows_the_certified_digest(client, world, counted, save, chair):
    save(world.precinct_b, {counted.c1: 100, counted.c2: 300})
    digest = certify(client, chair, world.election_id).get_json()["digest"]

    _response, text = page_of(client, world.election_id, "?lang=en")

    assert 'data-status="certified"' in text
    assert re.search(rf'<code class="digest">{digest}</code>', text)
    assert f'data-winner-id="{counted.c1}"' in text


def test_election_page_of_an_unknown_election_is_404(client):
    assert client.get("/results/999999").status_code == 404


# --- HTTP caching ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/results/{id}", "/api/v1/elections/{id}/results", "/api/v1/elections/{id}/results.csv"],
)
def test_public_results_carry_an_etag_and_answer_304_to_if_none_match(client, world, counted, path):
    url = path.format(id=world.election_id)
    first = client.get(url)
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert etag
    assert "public" in first.headers["Cache-Control"]

    again = client.get(url, headers={"If-None-Match": etag})

    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.headers["ETag"] == etag


def test_a_protocol_save_changes_the_etag_and_the_page_shows_the_new_figures(
    client, world, counted, save
):
    response, text = page_of(client, world.election_id)
    etag = response.headers["ETag"]
    assert reporting(text)[:2] == (1, 2)

    save(world.precinct_b, {counted.c1: 100, counted.c2: 333}, invalid=2, against_all=10)

    stale = client.get(f"/results/{world.election_id}", headers={"If-None-Match": etag})
    assert stale.status_code == 200
    assert stale.headers["ETag"] != etag
    text = stale.get_data(as_text=True)
    assert reporting(text)[:2] == (2, 2)
    assert f"{counted.names[counted.c2]}: 583 " in svg_of(text)
    # A new version of a precinct already reported changes it as well.
    etag = stale.headers["ETag"]
    save(world.precinct_a, {counted.c1: 501, counted.c2: 250}, invalid=8, against_all=40)
    response, text = page_of(client, world.election_id)
    assert response.headers["ETag"] != etag
    assert f"{counted.names[counted.c1]}: 601 " in svg_of(text)


def test_the_json_results_are_never_stale_after_a_save(client, world, counted, save):
    url = f"/api/v1/elections/{world.election_id}/results"
    assert client.get(url).get_json()["precincts_reporting"] == 1
    save(world.precinct_b, {counted.c1: 1, counted.c2: 2})
    assert client.get(url).get_json()["precincts_reporting"] == 2


def test_a_save_that_commits_after_a_newer_id_still_changes_the_page(app, client, world, counted):
    """Two concurrent saves: the one that drew the lower id commits second. The page key
    must change all the same (a newest-id key would keep serving the page without it)."""
    with app.app_context():
        newest = db.session.execute(select(func.max(ProtocolVersion.id))).scalar_one()
        first = db.session.execute(
            select(ProtocolVersion).where(ProtocolVersion.precinct_id == world.precinct_a)
        ).scalar_one()
        columns = {
            c.key: getattr(first, c.key) for c in ProtocolVersion.__table__.c if c.key != "id"
        }
        late = ProtocolVersion(**columns)
        late.precinct_id, late.id = world.precinct_b, newest + 5
        db.session.add(late)
        db.session.commit()
    response, text = page_of(client, world.election_id)
    assert reporting(text)[:2] == (2, 2)
    etag = response.headers["ETag"]

    with app.app_context():
        earlier = ProtocolVersion(**columns)
        earlier.id, earlier.is_current, earlier.version = newest + 3, False, 9
        db.session.add(earlier)
        db.session.commit()

    again = client.get(f"/results/{world.election_id}", headers={"If-None-Match": etag})
    assert again.status_code == 200
    assert again.headers["ETag"] != etag


def test_a_new_precinct_changes_the_page_at_once(client, world, counted, token_for):
    response, text = page_of(client, world.election_id)
    assert reporting(text)[:2] == (1, 2)

    added = client.post(
        f"/api/v1/elections/{world.election_id}/precincts",
        json={"number": 999, "unit_kato": world.village_a, "voters_on_list": 10, "address": "x"},
        headers=token_for(world.users["cec_admin"]),
    )
    assert added.status_code == 201, added.get_data(as_text=True)

    response, text = page_of(client, world.election_id)
    assert reporting(text)[:2] == (1, 3)


def test_languages_have_their_own_etag(client, world, counted):
    kk = client.get(f"/results/{world.election_id}").headers["ETag"]
    ru = client.get(f"/results/{world.election_id}?lang=ru").headers["ETag"]
    assert kk != ru
    # The language cookie (set by the switcher) picks the same page as ?lang=.
    client.set_cookie("lang", "ru")
    response = client.get(f"/results/{world.election_id}")
    assert '<html lang="ru">' in response.get_data(as_text=True)


def test_a_signed_in_readers_page_is_not_shared_with_anonymous_readers(
    app, client, world, counted, login
):
    username = world.usernames["territorial_chair"]
    login(world.users["territorial_chair"])
    personal = client.get(f"/results/{world.election_id}")
    assert personal.status_code == 200
    assert username in personal.get_data(as_text=True)
    assert "public" not in personal.headers["Cache-Control"]

    anonymous = app.test_client().get(f"/results/{world.election_id}")

    assert anonymous.status_code == 200
    assert username not in anonymous.get_data(as_text=True)
    assert "public" in anonymous.headers["Cache-Control"]
    # ... nor the other way round: an anonymous page cached first is not served to them.
    again = client.get(f"/results/{world.election_id}")
    assert username in again.get_data(as_text=True)
