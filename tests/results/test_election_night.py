"""Election night for the public (issue 11, defect 8): pages that refresh themselves while the
count goes on and cost one query when nothing changed, who leads while precincts are missing,
turnout of the reporting precincts and of each precinct, times with their zone, and no
"preliminary" heading once the result is certified.
"""

from __future__ import annotations

import html
import re
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from elections.web import page_cache
from tests import factories
from tests.results.support import certify
from tests.results.test_query_counts import counted as statements_of

ALMATY = ZoneInfo("Asia/Almaty")
# Chromium reloads a page on <meta http-equiv="refresh"> with these (measured in
# tests/e2e/test_results_pages.py::test_a_counting_page_refreshes_itself_and_gets_304).
REVALIDATE = {"Cache-Control": "max-age=0"}


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response, response.get_data(as_text=True)


def meta_refresh(text):
    match = re.search(r'<meta http-equiv="refresh" content="(\d+)">', text)
    return int(match.group(1)) if match else None


def refresh_note(text):
    match = re.search(r'<p class="refresh-note meta" data-refresh="([^"]+)">(.*?)</p>', text, re.S)
    return (match.group(1), " ".join(html.unescape(match.group(2)).split())) if match else None


def headline(text):
    match = re.search(r'<section class="card headline".*?</section>', text, re.S)
    assert match, "no headline"
    return match.group(0)


def plain(fragment):
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def election_day_at(hour, minute=0):
    return datetime.combine(factories.default_election_day(), time(hour, minute), tzinfo=ALMATY)


# --- Refreshing while the count goes on -----------------------------------------------------


def test_a_page_being_counted_announces_its_refresh_and_when_it_was_updated(client, world, counted):
    _response, text = page(client, f"/results/{world.election_id}?lang=en")

    assert meta_refresh(text) == 60
    state, note = refresh_note(text)
    assert state == "60"
    assert "refreshes itself every 60 seconds" in note
    # Precinct A's protocol came in at 21:00 Almaty, the clock of these tests, with its zone.
    day = factories.default_election_day().strftime("%d.%m.%Y")
    assert f"last protocol received at {day} 21:00 (UTC+5, Kazakhstan Time)." in note, note


def cold_render(client, url: str):
    """The page as a worker that has never rendered it draws it: no cached copy."""
    page_cache.clear()
    response = client.get(url)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("url", ["/results/{election}?lang=en", "/results?lang=en"])
def test_the_time_shown_is_the_newest_protocols_so_every_render_is_the_same_page(
    client, world, counted, save, clock, url
):
    """One ETag names one set of bytes: two workers rendering the page at different moments
    (each from an empty cache) draw it alike, and it says when the data last changed, not
    when it was drawn."""
    url = url.format(election=world.election_id)
    clock(election_day_at(21, 5))
    save(world.precinct_b, {counted.c1: 100, counted.c2: 300})

    clock(election_day_at(21, 30))
    first = cold_render(client, url)
    clock(election_day_at(21, 47))
    second = cold_render(client, url)

    assert first.headers["ETag"] == second.headers["ETag"]
    assert first.get_data() == second.get_data()
    day = factories.default_election_day().strftime("%d.%m.%Y")
    state, note = refresh_note(first.get_data(as_text=True))
    assert state == "60"
    assert f"last protocol received at {day} 21:05 (UTC+5, Kazakhstan Time)." in note, note
    assert "21:30" not in note and "21:47" not in note
    assert "refreshes itself every 60 seconds" in note


def test_with_refresh_off_the_page_says_when_the_last_protocol_came(client, world, counted, clock):
    clock(election_day_at(21, 40))
    _response, text = page(client, f"/results/{world.election_id}?lang=en&refresh=off")
    day = factories.default_election_day().strftime("%d.%m.%Y")
    state, note = refresh_note(text)
    assert state == "off"
    assert note.startswith(
        f"Automatic refresh is off; last protocol received at {day} 21:00 (UTC+5, Kazakhstan Time)."
    ), note


def test_before_any_protocol_the_page_says_none_has_come(client, world, add_candidates):
    add_candidates(world.election_id, 2)
    _response, text = page(client, f"/results/{world.election_id}?lang=en")
    _state, note = refresh_note(text)
    assert "refreshes itself every 60 seconds" in note
    assert "no protocol has been received yet." in note, note


def test_the_index_shows_the_newest_change_on_it_a_certification_included(
    client, world, counted, save, chair, clock
):
    """The index says the newest moment across its elections: here the certification of one
    election, later than any protocol, while the other is still counted."""
    save(world.precinct_b, {counted.c1: 100, counted.c2: 300})
    clock(election_day_at(21, 50))
    assert certify(client, chair, world.election_id).status_code == 200
    clock(election_day_at(22, 10))

    _response, text = page(client, "/results?lang=en")
    day = factories.default_election_day().strftime("%d.%m.%Y")
    _state, note = refresh_note(text)
    assert f"last protocol received at {day} 21:50 (UTC+5, Kazakhstan Time)." in note, note


def test_the_interval_follows_the_setting(app, client, world, counted, monkeypatch):
    monkeypatch.setitem(app.config, "RESULTS_REFRESH_SECONDS", 15)
    _response, text = page(client, f"/results/{world.election_id}?lang=ru")
    assert meta_refresh(text) == 15
    assert "каждые 15 секунд;" in refresh_note(text)[1]


def test_a_reader_can_stop_the_refresh(client, world, counted):
    _response, text = page(client, f"/results/{world.election_id}?lang=en")
    stop = re.search(r'<a class="no-print" href="([^"]+)">Stop refreshing</a>', text)
    assert stop, "no link to stop refreshing"

    _response, text = page(client, html.unescape(stop.group(1)))

    assert meta_refresh(text) is None
    state, note = refresh_note(text)
    assert state == "off" and "Automatic refresh is off" in note
    assert re.search(rf'href="/results/{world.election_id}\?lang=en">Turn automatic', text)


def test_no_refresh_before_the_count_starts(client, world, counted, clock):
    clock(election_day_at(19, 59))
    _response, text = page(client, f"/results/{world.election_id}")
    assert meta_refresh(text) is None
    assert refresh_note(text) is None


def test_the_page_starts_refreshing_at_20_00_though_no_row_changed(client, world, clock):
    """The page cache is keyed by the data; the clock moves the page too."""
    clock(election_day_at(19, 59))
    before, text = page(client, f"/results/{world.election_id}")
    assert meta_refresh(text) is None

    clock(election_day_at(20, 0))
    after = client.get(
        f"/results/{world.election_id}", headers={"If-None-Match": before.headers["ETag"]}
    )

    assert after.status_code == 200
    assert meta_refresh(after.get_data(as_text=True)) == 60
    assert after.headers["ETag"] != before.headers["ETag"]


def test_no_refresh_once_certified(client, world, counted, save, chair):
    save(world.precinct_b, {counted.c1: 100, counted.c2: 300})
    assert meta_refresh(page(client, f"/results/{world.election_id}")[1]) == 60
    assert certify(client, chair, world.election_id).status_code == 200

    _response, text = page(client, f"/results/{world.election_id}")
    assert meta_refresh(text) is None
    assert refresh_note(text) is None
    # The index goes on refreshing while world's other election is being counted.
    assert meta_refresh(page(client, "/results")[1]) == 60


def test_the_index_refreshes_only_while_an_election_on_it_is_counted(client, world, clock):
    _response, text = page(client, "/results")
    assert meta_refresh(text) == 60  # 21:00 on the factory elections' day
    clock(election_day_at(12, 0))
    _response, text = page(client, "/results")
    assert meta_refresh(text) is None
    assert refresh_note(text) is None


def test_a_refresh_revalidates_with_one_query_and_gets_304_even_when_the_cache_forgot(
    app, client, world, counted
):
    url = f"/results/{world.election_id}"
    first, _text = page(client, url)
    etag = first.headers["ETag"]
    with statements_of(app) as rendering:
        page_cache.clear()
        assert client.get(url).status_code == 200

    page_cache.clear()  # another worker, or the process cache evicted the page
    with statements_of(app) as statements:
        again = client.get(url, headers={**REVALIDATE, "If-None-Match": etag})

    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.headers["ETag"] == etag
    assert "public" in again.headers["Cache-Control"]
    queries = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(queries) == 1, statements  # the state query alone: nothing rendered
    assert len(rendering) > len(statements)


def test_the_index_carries_an_etag_and_answers_304(client, world, counted, save):
    first, _text = page(client, "/results")
    etag = first.headers["ETag"]
    assert "public" in first.headers["Cache-Control"]

    assert client.get("/results", headers={**REVALIDATE, "If-None-Match": etag}).status_code == 304

    save(world.precinct_b, {counted.c1: 1, counted.c2: 2})
    changed = client.get("/results", headers={**REVALIDATE, "If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    row = re.search(
        rf'href="/results/{world.election_id}">.*?</tr>', changed.get_data(as_text=True), re.S
    )
    assert "2 / 2" in row.group(0)


# --- Who leads, turnout ---------------------------------------------------------------------


def test_the_leader_is_shown_while_precincts_are_missing_and_called_leading(client, world, counted):
    _response, text = page(client, f"/results/{world.election_id}?lang=en")
    box = headline(text)

    leader = re.search(
        r'<p class="leader" data-standing="leading" data-leader-id="(\d+)">(.*?)</p>', box, re.S
    )
    assert leader, box
    assert int(leader.group(1)) == counted.c1
    words = plain(leader.group(2))
    assert words.startswith("Leading: ") and counted.names[counted.c1] in words
    assert "500 (62.66%)" in words
    assert "Winner" not in plain(box)
    assert "Not final" in plain(box)


def test_candidates_level_in_the_lead_are_named_together(client, world, add_candidates, save):
    c1, c2 = add_candidates(world.election_id, 2)
    save(world.precinct_a, {c1: 300, c2: 300})

    _response, text = page(client, f"/results/{world.election_id}?lang=en")

    level = re.search(r'data-standing="level" data-leader-ids="([\d ]+)">(.*?)</p>', text, re.S)
    assert level
    assert sorted(map(int, level.group(1).split())) == sorted([c1, c2])
    assert "Level in the lead with 300 votes each:" in plain(level.group(2))


def test_leading_until_certified_then_winner(client, world, counted, save, chair):
    save(world.precinct_b, {counted.c1: 100, counted.c2: 300})
    box = headline(page(client, f"/results/{world.election_id}?lang=en")[1])
    assert 'data-standing="leading"' in box and "Leading: " in plain(box)
    assert "Winner" not in plain(box)  # every precinct reported, not certified yet

    assert certify(client, chair, world.election_id).status_code == 200
    box = headline(page(client, f"/results/{world.election_id}?lang=en")[1])
    assert f'data-standing="winner" data-leader-id="{counted.c1}"' in box
    assert "Winner: " in plain(box) and "Leading" not in plain(box)
    assert "Not final" not in plain(box)


def test_nobody_leads_before_a_vote_is_counted(client, world, add_candidates):
    add_candidates(world.election_id, 2)
    box = headline(page(client, f"/results/{world.election_id}?lang=en")[1])
    assert "data-standing" not in box


@pytest.mark.parametrize(
    ("lang", "partial", "complete"),
    [
        ("en", "Turnout of reporting precincts:", "Turnout:"),
        ("ru", "Явка избирателей на участках, передавших протоколы:", "Явка избирателей:"),
        (
            "kk",
            "Хаттама тапсырған учаскелердегі сайлаушылардың қатысуы:",
            "Сайлаушылардың қатысуы:",
        ),
    ],
)
def test_turnout_is_of_the_reporting_precincts_until_all_have_reported(
    client, world, counted, save, lang, partial, complete
):
    def turnout_line():
        box = headline(page(client, f"/results/{world.election_id}?lang={lang}")[1])
        match = re.search(r'<p data-turnout-scope="(\w+)">(.*?)</p>', box, re.S)
        return match.group(1), plain(match.group(2))

    scope, words = turnout_line()
    assert scope == "reporting"
    assert words.startswith(partial) and "88.86%" in words and "(798 / 898)" in words

    save(world.precinct_b, {counted.c1: 100, counted.c2: 300}, voters=800)
    scope, words = turnout_line()
    assert scope == "all"
    assert words.startswith(complete) and not words.startswith(partial)


def turnout_rows(text):
    table = re.search(r'<table class="turnout cards">(.*?)</table>', text, re.S)
    assert table, "no per-precinct turnout table"
    return {
        int(number): (
            reported,
            [plain(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)],
        )
        for number, reported, row in re.findall(
            r'<tr data-precinct-number="(\d+)" data-reported="(yes|no)">(.*?)</tr>',
            table.group(1),
            re.S,
        )
    }


def test_each_precinct_has_its_turnout_and_whether_it_reported(client, world, counted):
    _response, text = page(client, f"/results/{world.election_id}?lang=en")
    rows = turnout_rows(text)

    a, b = counted.numbers[world.precinct_a], counted.numbers[world.precinct_b]
    assert sorted(rows) == sorted([a, b])
    reported, cells = rows[a]
    assert reported == "yes"
    assert cells[:4] == [f"№ {a}", "898", "798", "88.86%"]
    assert re.fullmatch(r"received \d\d\.\d\d\.\d{4} 21:00 \(UTC\+5\)", cells[4]), cells[4]
    reported, cells = rows[b]
    assert reported == "no"
    assert cells == [f"№ {b}", "800", "—", "—", "not reported yet"]  # the register's list


# --- Times with their zone ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "zone"),
    [
        ("kk", "(UTC+5, Қазақстан уақыты)"),
        ("ru", "(UTC+5, Казахстан)"),
        ("en", "(UTC+5, Kazakhstan Time)"),
    ],
)
def test_times_carry_their_zone(client, world, counted, lang, zone):
    box = headline(page(client, f"/results/{world.election_id}?lang={lang}")[1])
    as_of = re.search(r"<span data-as-of>(.*?)</span>", box).group(1)
    assert re.fullmatch(r"\d\d\.\d\d\.\d{4} 21:00 " + re.escape(zone), html.unescape(as_of)), as_of


def test_the_zone_is_the_services_own(app, client, world, counted, monkeypatch):
    monkeypatch.setitem(app.config, "ELECTIONS_TIMEZONE", "Europe/Moscow")
    box = headline(page(client, f"/results/{world.election_id}?lang=en")[1])
    as_of = html.unescape(re.search(r"<span data-as-of>(.*?)</span>", box).group(1))
    assert re.fullmatch(r"\d\d\.\d\d\.\d{4} 19:00 \(UTC\+3, Moscow Standard Time\)", as_of), as_of


def test_certified_versions_and_corrections_carry_their_zone(client, world, counted, save, chair):
    save(world.precinct_b, {counted.c1: 100, counted.c2: 300})
    assert certify(client, chair, world.election_id).status_code == 200
    reopened = client.post(
        f"/api/v1/elections/{world.election_id}/corrections",
        json={"reason": "Recount in precinct B"},
        headers=chair,
    )
    assert reopened.status_code == 200
    text = page(client, f"/results/{world.election_id}?lang=en")[1]
    corrections = re.search(r'<section class="card correction-note">(.*?)</section>', text, re.S)
    assert "21:00 (UTC+5, Kazakhstan Time): the certified version 1 was reopened" in plain(
        corrections.group(1)
    )
    versions = re.search(r"<h2>Certified versions</h2>\s*<ul>(.*?)</ul>", text, re.S)
    assert "version 1, " in plain(versions.group(1))
    assert "21:00 (UTC+5, Kazakhstan Time)" in plain(versions.group(1))


# --- No "preliminary" heading once certified --------------------------------------------------

NOT_FINAL_WORDS = {
    "en": ("preliminary", "draft", "unofficial", "not final", "leading"),
    "ru": ("предварительн", "неофициальн", "не окончательн", "лидирует"),
    "kk": ("алдын ала", "ресми емес", "түпкілікті емес", "алда келе"),
}


def headings(text):
    """Every heading and title of a page: <title>, h1-h6, the chart's SVG title, the
    headline's badge and its leader line."""
    found = re.findall(r"<title[^>]*>(.*?)</title>", text, re.S)
    found += re.findall(r"<h[1-6][^>]*>(.*?)</h[1-6]>", text, re.S)
    box = re.search(r'<section class="card headline".*?</section>', text, re.S)
    if box:
        found += re.findall(r'<span class="badge[^"]*">(.*?)</span>', box.group(0), re.S)
        found += re.findall(r'<p class="leader[^"]*"[^>]*>(.*?)</p>', box.group(0), re.S)
    return [plain(h) for h in found]


def not_final(text, lang):
    return [h for h in headings(text) if any(w in h.lower() for w in NOT_FINAL_WORDS[lang])]


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_after_certification_no_heading_or_title_says_preliminary(
    client, world, counted, save, chair, login, lang
):
    public = f"/results/{world.election_id}?lang={lang}"
    dashboard = f"/commission/elections/{world.election_id}/results?lang={lang}"
    save(world.precinct_b, {counted.c1: 100, counted.c2: 300})
    assert not_final(page(client, public)[1], lang)  # the words are found while not final
    assert certify(client, chair, world.election_id).status_code == 200

    assert not_final(page(client, public)[1], lang) == []
    assert not_final(page(client, "/results?lang=" + lang)[1], lang) == []
    login(world.users["territorial_member"])
    assert not_final(page(client, dashboard)[1], lang) == []
