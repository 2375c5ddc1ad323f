"""Voter lists, signature sheets and "where do I vote", in Chromium, clicked as a user would.

- A member of the Zerendi district commission loads a flawed list into precinct 403 of the
  demo's open rural election, from the protocols page: the upload is refused row by row and
  the list stays as it was; with "load the valid rows" ticked the rest is loaded. At 390 px
  in Kazakh (the default) and at 1280 px in Russian (switched with the language link).
- The region's chair replaces the lists of the district election's precincts 603 and 604
  with lists written here, then checks Бекмұхамбетова's signature sheets signed from them,
  a few rows flawed: the counts per verdict, the rows behind each, and she stays submitted
  and eligible (enough valid signatures from two settlements).
- A visitor finds the precinct of a voter of those lists; the IIN stays out of the address.

The live server's demo database is shared by the whole session: every list replaced here
ends with as many voters as it had, so the precincts' figures (and the candidates'
signature thresholds computed from them) stay as the other tests expect.
"""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from elections.candidates import services
from elections.candidates.iin import make_iin
from elections.candidates.models import Candidate
from elections.candidates.rules import settlements_required, signatures_required
from elections.core.extensions import db
from elections.demo.names import person
from elections.territory.models import Election, Precinct, Unit
from elections.voters.rules import LIST_FIELDS, SHEET_FIELDS
from tests.e2e.conftest import Pages
from tests.e2e.helpers import MEMBER, RURAL_KATO, overflow, snap, switch_language
from tests.voters.support import as_csv

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
CHAIR = "akmola-chair"  # the region's commission organises the Бурабай district election
DISTRICT_KATO = "116800000"
SIGNED_FROM = (603, 604)  # Катарколь ауылы and Бурабай кенті: two settlements
SELF_NOMINEE = "Бекмұхамбетова"
# Serials above the demo's (0..8999): no voter written here is one of the demo's.
SERIAL = 9500
_rng = random.Random(15)
_births = iter(range(30_000))  # one birth date per voter written here: every IIN unique


def voter(village: str) -> dict:
    """An adult voter no list holds yet, with a valid IIN of its own."""
    last, first, patronymic, sex = person(_rng)
    born = date(1941, 1, 1) + timedelta(days=next(_births))
    return {
        "iin": make_iin(born, sex, SERIAL),
        "last_name": last,
        "first_name": first,
        "patronymic": patronymic,
        "birth_date": born.isoformat(),
        "address": f"{village}, Бейбітшілік көшесі {_rng.randrange(1, 90)}",
    }


def wrong_check_digit(iin: str) -> str:
    return iin[:11] + str((int(iin[11]) + 1) % 10)


def misspelt(name: str) -> str:
    return name[:-1] + ("ы" if name[-1] != "ы" else "і")


@dataclass(frozen=True)
class Place:
    election_id: int
    election_day: date
    precinct_id: int
    number: int
    village: str


def place_of(app, kato: str, number: int) -> Place:
    with app.app_context():
        election, precinct = db.session.execute(
            select(Election, Precinct)
            .join(Unit, Election.unit_id == Unit.id)
            .join(Precinct, Precinct.election_id == Election.id)
            .where(Unit.kato == kato, Precinct.number == number)
        ).one()
        return Place(
            election.id,
            election.election_day,
            precinct.id,
            precinct.number,
            precinct.address.split(",")[0],
        )


def voters_in_database(app, precinct_id: int) -> int:
    with app.app_context():
        return db.session.get(Precinct, precinct_id).voters_on_list


# --- Clicking -----------------------------------------------------------------------------


def to_the_voter_list(page: Page, place: Place) -> None:
    """From the commission's home: the election's protocols, then the precinct's list."""
    page.locator(f"main article[data-election='{place.election_id}'] a[href$='/protocols']").click()
    page.wait_for_url(re.compile(rf"/commission/elections/{place.election_id}/protocols$"))
    page.locator(f"main tr[data-precinct='{place.precinct_id}'] a[href$='/voters']").click()
    page.wait_for_url(re.compile(rf"/commission/precincts/{place.precinct_id}/voters$"))


def listed_voters(page: Page) -> int:
    return int(page.locator("main dl[data-list=loaded] [data-voters]").get_attribute("data-voters"))


def digest_shown(page: Page) -> str:
    return page.locator("main dl[data-list=loaded] dd.digest").inner_text().strip()


def upload_list(page: Page, path: Path, *, accept_valid: bool) -> int:
    """Choose the file, tick (or not) "load the valid rows", submit; the answer's status."""
    form = page.locator("main form[enctype='multipart/form-data']")
    form.locator("input[type=file]").set_input_files(str(path))
    form.locator("input[type=checkbox]").set_checked(accept_valid)
    with page.expect_response(
        lambda response: response.request.method == "POST" and "/voters" in response.url
    ) as answer:
        form.locator("button[type=submit]").click()
    page.wait_for_load_state("load")
    return answer.value.status


def refused_rows(page: Page) -> dict[int, str]:
    rows = page.locator("main table[data-refused] tr[data-line]")
    return {
        int(row.get_attribute("data-line")): row.get_attribute("data-code") for row in rows.all()
    }


def replace_list(page: Page, place: Place, tmp: Path) -> list[dict]:
    """On the precinct's list page: a list of as many new voters as it holds now."""
    count = listed_voters(page)
    rows = [voter(place.village) for _ in range(count)]
    path = tmp / f"list-{place.number}.csv"
    path.write_bytes(as_csv(rows, header=LIST_FIELDS))
    assert upload_list(page, path, accept_valid=False) == 303  # loaded: back to the page
    expect(page).to_have_url(re.compile(rf"/commission/precincts/{place.precinct_id}/voters$"))
    expect(page.locator("main .flash")).to_be_visible()
    assert listed_voters(page) == count
    assert digest_shown(page) == hashlib.sha256(path.read_bytes()).hexdigest()
    return rows


# --- 1. A flawed list ---------------------------------------------------------------------


def flawed_list(valid: list[dict], election_day: date) -> tuple[list[dict], dict[int, str]]:
    """``valid`` with four bad rows among them; with the line each is refused at (the
    header is line 1) and why."""
    template = valid[0]
    under_age = election_day - timedelta(days=30)
    under_age = under_age.replace(year=under_age.year - 17, day=min(under_age.day, 28))
    mismatch = voter(template["address"].split(",")[0])
    flaws = [
        (7, {**valid[7], "iin": wrong_check_digit(valid[7]["iin"])}, "iin_invalid"),
        (
            120,
            {
                **mismatch,
                "birth_date": (
                    date.fromisoformat(mismatch["birth_date"]) + timedelta(days=1)
                ).isoformat(),
            },
            "birth_date_mismatch",
        ),
        (
            250,
            {
                **template,
                "iin": make_iin(under_age, "female", SERIAL),
                "first_name": "Аружан",
                "birth_date": under_age.isoformat(),
            },
            "under_voting_age",
        ),
        (len(valid), dict(valid[3]), "duplicate_in_list"),
    ]
    rows = list(valid)
    rows[7] = flaws[0][1]  # its own row spoilt: the valid rows are one fewer...
    rows.append(voter(template["address"].split(",")[0]))  # ...and one more makes it up
    for position, row, _code in flaws[1:]:
        rows.insert(position, row)
    expected = {}
    for index, row in enumerate(rows):
        for _position, flawed, code in flaws:
            if row is flawed:
                expected[index + 2] = code
    assert len(expected) == len(flaws)
    return rows, expected


@pytest.mark.parametrize(
    ("language", "device", "width"), [("kk", PHONE, 390), ("ru", DESKTOP, 1280)], ids=["kk", "ru"]
)
def test_a_member_uploads_a_flawed_list_then_loads_its_valid_rows(
    signed_in, pages, live_server, tmp_path, language, device, width
):
    place = place_of(live_server.app, RURAL_KATO, 403)
    page = signed_in(MEMBER, **device)
    if language != "kk":
        switch_language(page, language)
    expect(page.locator("html")).to_have_attribute("lang", language)
    to_the_voter_list(page, place)
    expect(page.locator("html")).to_have_attribute("lang", language)
    before = listed_voters(page)
    digest_before = digest_shown(page)
    assert before == voters_in_database(live_server.app, place.precinct_id) > 0

    valid = [voter(place.village) for _ in range(before)]
    rows, expected = flawed_list(valid, place.election_day)
    assert len(rows) == before + len(expected)
    path = tmp_path / "flawed-list.csv"
    path.write_bytes(as_csv(rows, header=LIST_FIELDS))

    # No file chosen: the server says so, in the page's language (not a browser bubble).
    form = page.locator("main form[enctype='multipart/form-data']")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        form.locator("button[type=submit]").click()
    assert answer.value.status == 422
    expect(page.locator("main .errors[role=alert]")).to_be_visible()
    assert listed_voters(page) == before and digest_shown(page) == digest_before

    # Refused as a whole: every refused row named by its line and code, nothing loaded.
    assert upload_list(page, path, accept_valid=False) == 422
    expect(page.locator("main table[data-refused]")).to_have_attribute(
        "data-refused", str(len(expected))
    )
    assert refused_rows(page) == expected
    expect(page.locator("main .errors[role=alert]")).to_be_visible()
    assert listed_voters(page) == before
    assert digest_shown(page) == digest_before, "the refused file replaced the list"
    assert voters_in_database(live_server.app, place.precinct_id) == before
    assert overflow(page, width) is None
    snap(page, f"voters-list-refused-{language}-{width}")

    # The valid rows loaded: exactly as many as before, the refused ones reported again.
    assert upload_list(page, path, accept_valid=True) == 200
    expect(page.locator("main .flash")).to_be_visible()
    expect(page.locator("main .flash")).to_contain_text(str(before))
    assert refused_rows(page) == expected
    assert listed_voters(page) == before
    assert digest_shown(page) == hashlib.sha256(path.read_bytes()).hexdigest()
    assert voters_in_database(live_server.app, place.precinct_id) == before
    expect(page.locator("html")).to_have_attribute("lang", language)
    assert overflow(page, width) is None
    snap(page, f"voters-list-loaded-{language}-{width}")

    # Back on the protocols page the precinct's link counts the loaded list.
    page.locator("main a[href$='/protocols']").first.click()
    page.wait_for_url(re.compile(rf"/commission/elections/{place.election_id}/protocols$"))
    link = page.locator(f"main tr[data-precinct='{place.precinct_id}'] a[data-list=loaded]")
    expect(link).to_contain_text(str(before))
    assert overflow(page, width) is None
    assert pages.csp_violations == []


# --- 2. A flawed sheet --------------------------------------------------------------------


@dataclass(frozen=True)
class District:
    election_id: int
    places: dict[int, Place]
    rows: dict[int, list[dict]]  # the voters now on the lists of SIGNED_FROM, by number


@pytest.fixture(scope="module")
def district(browser, live_server, tmp_path_factory) -> District:
    """The region's chair replaces the lists of precincts 603 and 604 of the district
    election through the pages (390 px, Kazakh) with voters written here, as many as each
    held: their IINs are known to the tests, the demo's are not (only keyed hashes)."""
    places = {n: place_of(live_server.app, DISTRICT_KATO, n) for n in SIGNED_FROM}
    tmp = tmp_path_factory.mktemp("district-lists")
    opened = Pages(browser, live_server.url)
    try:
        page = opened.open(**PHONE)
        page.goto("/login")
        page.fill("#username", CHAIR)
        page.fill("#password", live_server.passwords[CHAIR])
        page.locator("main form button[type=submit]").click()
        page.wait_for_url(re.compile(r"/commission/$"))
        rows = {}
        for number, place in places.items():
            to_the_voter_list(page, place)
            before = voters_in_database(live_server.app, place.precinct_id)
            rows[number] = replace_list(page, place, tmp)
            assert voters_in_database(live_server.app, place.precinct_id) == before
            page.locator("header nav a[href='/commission/']").click()
            page.wait_for_url(re.compile(r"/commission/$"))
        assert opened.csp_violations == []
    finally:
        opened.close()
    election_id = next(iter(places.values())).election_id
    return District(election_id, places, rows)


@dataclass(frozen=True)
class Nominee:
    id: int
    nominated_on: date
    required: int
    settlements_required: int


def self_nominee(app, election_id: int) -> Nominee:
    with app.app_context():
        candidate = db.session.execute(
            select(Candidate).where(
                Candidate.election_id == election_id, Candidate.last_name == SELF_NOMINEE
            )
        ).scalar_one()
        election = candidate.election
        territory = services.territory_of(election)
        assert candidate.status == "submitted" and candidate.nomination_type == "self"
        return Nominee(
            candidate.id,
            candidate.created_at.astimezone(election.tz).date(),
            signatures_required(territory.voters, election.profile),
            settlements_required(territory.settlements, election.profile),
        )


def signed(row: dict, on: date, **changes) -> dict:
    return {**{k: row[k] for k in SHEET_FIELDS if k in row}, "signed_on": on.isoformat(), **changes}


def sheets(district: District, nominee: Nominee) -> tuple[list[dict], dict[str, list[tuple]]]:
    """Signatures from both lists, enough to pass, and one row of each flaw; with the
    (sheet, line) of the rows each verdict should name."""
    day = nominee.nominated_on
    per_list = nominee.required // 2 + 1
    first, second = (district.rows[n] for n in SIGNED_FROM)
    good = [signed(row, day) for row in first[:per_list] + second[:per_list]]
    spare = first[per_list:]
    flawed = {
        "duplicate_signature": signed(first[0], day + timedelta(days=1)),
        "name_mismatch": signed(spare[0], day, last_name=misspelt(spare[0]["last_name"])),
        "not_on_voter_list": signed(voter("Катарколь ауылы"), day),
        "iin_invalid": signed(spare[1], day, iin=wrong_check_digit(spare[1]["iin"])),
        "signed_before_nomination": signed(spare[2], day - timedelta(days=3)),
    }
    rows = list(good)
    for position, row in zip((5, 23, 40, 58, len(rows) + 4), flawed.values(), strict=True):
        rows.insert(position, row)
    places: dict[str, list[tuple]] = {"valid": []}
    for number, row in enumerate(rows):
        row["sheet"], row["line"] = 1 + number // 20, 1 + number % 20
        verdict = next((code for code, bad in flawed.items() if bad is row), "valid")
        places.setdefault(verdict, []).append((row["sheet"], row["line"]))
    return rows, places


def verdict_counts(page: Page) -> dict[str, int]:
    return {
        row.get_attribute("data-verdict"): int(row.get_attribute("data-count"))
        for row in page.locator("main tr[data-verdict]").all()
    }


def shown_rows(page: Page) -> list[tuple[int, int]]:
    return [
        (int(row.get_attribute("data-sheet")), int(row.get_attribute("data-line")))
        for row in page.locator("main table[data-rows] tr[data-sheet]").all()
    ]


def test_the_chair_checks_flawed_signature_sheets_at_390px_in_kazakh(
    signed_in, pages, live_server, district, tmp_path
):
    nominee = self_nominee(live_server.app, district.election_id)
    rows, expected = sheets(district, nominee)
    assert len(expected["valid"]) >= nominee.required and nominee.settlements_required <= 2
    path = tmp_path / "sheets.csv"
    path.write_bytes(as_csv(rows, header=SHEET_FIELDS))

    page = signed_in(CHAIR, **PHONE)
    expect(page.locator("html")).to_have_attribute("lang", "kk")
    card = page.locator(f"main article[data-election='{district.election_id}']")
    card.locator("a[href$='/candidates']").click()
    page.wait_for_url(re.compile(rf"/commission/elections/{district.election_id}/candidates$"))
    page.locator("main tr", has_text=SELF_NOMINEE).locator("a").first.click()
    page.wait_for_url(re.compile(rf"/commission/candidates/{nominee.id}$"))
    expect(page.locator("main [data-status]").first).to_have_attribute("data-status", "submitted")
    page.locator("main a[data-signatures]").click()
    page.wait_for_url(re.compile(rf"/commission/candidates/{nominee.id}/signatures$"))
    expect(page.locator("main [data-check=done]")).to_be_visible()  # the demo's check

    form = page.locator("main form[enctype='multipart/form-data']")
    form.locator("input[type=file]").set_input_files(str(path))
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/commission/candidates/{nominee.id}/signatures$"))
    expect(page.locator("main .flash")).to_be_visible()

    counts = {code: len(where) for code, where in expected.items()}
    assert verdict_counts(page) == counts
    valid = len(expected["valid"])
    expect(page.locator("main [data-valid]")).to_have_attribute("data-valid", str(valid))
    expect(page.locator("main [data-required]")).to_have_attribute(
        "data-required", str(nominee.required)
    )
    expect(page.locator("main [data-lists=none]")).to_have_count(0)
    assert overflow(page, 390) is None
    snap(page, "voters-signatures-checked-kk-390")

    for verdict, where in expected.items():
        page.locator(f"main tr[data-verdict='{verdict}'] a").click()
        page.wait_for_url(re.compile(rf"/signatures\?verdict={verdict}(#rows)?$"))
        expect(page.locator("main table[data-rows]")).to_have_attribute(
            "data-rows", str(len(where))
        )
        assert shown_rows(page) == where, verdict
        assert overflow(page, 390) is None
        if verdict == "name_mismatch":
            snap(page, "voters-signatures-name-mismatch-kk-390")

    # She awaits the commission's decision still, eligible on the checked figures.
    page.locator(f"main a[href$='/commission/candidates/{nominee.id}']").first.click()
    page.wait_for_url(re.compile(rf"/commission/candidates/{nominee.id}$"))
    expect(page.locator("main [data-status]").first).to_have_attribute("data-status", "submitted")
    expect(page.locator("main a[data-signatures]")).to_have_attribute("data-signatures", "sheets")
    expect(page.locator("main [data-violation]")).to_have_count(0)
    with live_server.app.app_context():
        candidate = db.session.get(Candidate, nominee.id)
        assert (candidate.status, candidate.signatures_valid) == ("submitted", valid)
        assert candidate.settlements_covered == 2
    assert pages.csp_violations == []


# --- 3. Where do I vote -------------------------------------------------------------------


def test_a_visitor_finds_the_precinct_by_iin_and_the_iin_stays_out_of_the_address(
    pages, live_server, district
):
    number = SIGNED_FROM[1]
    listed = district.rows[number][17]["iin"]
    page = pages.open(**PHONE)
    page.goto("/")
    page.locator("main a[href='/where-to-vote']").click()
    page.wait_for_url(re.compile(r"/where-to-vote$"))
    expect(page.locator("html")).to_have_attribute("lang", "kk")

    typed = f"{listed[:6]} {listed[6:]}"  # as people type it; spaces do not matter
    page.fill("#iin", typed)
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.locator("main form button[type=submit]").click()
    assert answer.value.status == 200
    place = page.locator(f"main [data-places='1'] [data-election='{district.election_id}']")
    expect(place.locator("[data-precinct-number]")).to_have_attribute(
        "data-precinct-number", str(number)
    )
    expect(place).to_contain_text(f"№ {number}")
    assert answer.value.request.post_data and "iin=" in answer.value.request.post_data
    for address in (page.url, answer.value.url, *page.evaluate("[location.href, document.URL]")):
        assert listed not in address and listed[:6] + "%20" not in address, address
        assert address.endswith("/where-to-vote"), address
    assert overflow(page, 390) is None
    snap(page, "voters-where-found-kk-390")

    # An IIN on no list: one answer for every miss, and no precinct.
    stranger = voter("—")["iin"]
    page.fill("#iin", stranger)
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.locator("main form button[type=submit]").click()
    assert answer.value.status == 404
    expect(page.locator("main .errors[role=alert]")).to_be_visible()
    expect(page.locator("main [data-places]")).to_have_count(0)
    assert stranger not in page.url
    assert pages.csp_violations == []
