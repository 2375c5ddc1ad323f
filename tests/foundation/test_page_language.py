"""Pages speak the reader's language: codes get labels, legal bases and times are translated,
the language switch wins over a ``?lang=`` left in the page one comes from; and the checker
the browser test uses finds English and codes without crying wolf."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest

from elections.candidates.grounds import GROUND_CODES, ground
from elections.candidates.rules import VIOLATION_CODES, describe
from elections.core.extensions import db
from elections.results.chart import bar_chart
from elections.rules import ELECTION_KINDS, load_profile, profile_from_dict, profile_keys
from elections.territory.labels import (
    ELECTION_KIND_LABELS,
    UNIT_KIND_LABELS,
    election_kind_label,
    profile_label,
    unit_kind_label,
)
from elections.territory.models import UNIT_KINDS, Election
from elections.web.templating import local_datetime
from tests import factories
from tests.e2e.language import app_codes, foreign_text


@pytest.fixture
def make_candidate(app):
    """``make_candidate(world, age, refused=[grounds])``: a candidate of the world's election
    aged ``age`` on election day, refused on those grounds (recorded in the history too)."""

    def make(world, age: int, refused: list[str]) -> int:
        with app.app_context():
            election = db.session.get(Election, world.election_id)
            day = election.election_day - timedelta(days=30)
            candidate = factories.CandidateFactory(
                election=election,
                birth_date=day.replace(year=day.year - age),
                status="refused",
                grounds=list(refused),
            )
            db.session.commit()
            return candidate.id

    return make


CITATION = describe("not_citizen", load_profile("rural-2023")).legal_basis
CYRILLIC = re.compile(r"[А-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүҺһІі]")
# Latin letters a Kazakh or Russian legal citation may keep: none but the article numbers.
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# A source's web address (egemen.kz, gov.kz) is its name, not English words.
WEB_ADDRESS = re.compile(r"\b[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.(?:kz|net|news)\b")
SOURCE = {
    "en": re.compile(r"art\.|arts |CEC|commission|Concept|Unconfirmed"),
    "kk": re.compile(r"-бап|ОСК|комиссия|Тұжырымдама|Расталмаған"),
    "ru": re.compile(r"ст\. |ЦИК|комисси|Концепция|Не подтверждено"),
}


def without_addresses(text: str) -> str:
    return WEB_ADDRESS.sub("", text)


# --- the language switch ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "landing"),
    [
        ("/results?lang=en", "/results"),
        ("/results/3?lang=en&refresh=off", "/results/3?refresh=off"),
        ("/?refresh=off&lang=kk#top", "/?refresh=off#top"),
        ("/login", "/login"),
    ],
)
def test_the_switch_drops_a_lang_left_in_next(client, target, landing):
    response = client.get("/lang/ru", query_string={"next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == landing


def test_after_the_switch_the_page_is_in_the_chosen_language(client):
    """The page one came from had ?lang=en in its address; the switch to Russian wins."""
    response = client.get("/lang/ru", query_string={"next": "/?lang=en"}, follow_redirects=True)
    assert '<html lang="ru">' in response.get_data(as_text=True)


# --- labels for codes -----------------------------------------------------------------------


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_every_unit_and_election_kind_and_profile_has_a_label(app, language):
    assert set(UNIT_KIND_LABELS) == set(UNIT_KINDS)
    assert set(ELECTION_KIND_LABELS) == set(ELECTION_KINDS)
    with app.test_request_context(f"/?lang={language}"):
        shown = [unit_kind_label(k) for k in UNIT_KINDS]
        shown += [election_kind_label(k) for k in ELECTION_KINDS]
        shown += [profile_label(k) for k in profile_keys()]
        for label in shown:
            assert CYRILLIC.search(label), label
            assert not foreign_text(label, language), label
        assert profile_label("rural-2023") == load_profile("rural-2023").title[language]


def _options(page: str, select_id: str) -> list[str]:
    block = re.search(rf'<select[^>]*id="{select_id}".*?</select>', page, re.S)
    assert block, select_id
    return [unescape(t).strip() for t in re.findall(r"<option[^>]*>(.*?)</option>", block[0])]


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_admin_drop_downs_show_labels_not_codes(client, world, login, language):
    login(world.users["cec_admin"])
    client.get(f"/lang/{language}")
    units = client.get("/admin/units").get_data(as_text=True)
    elections = client.get("/admin/elections").get_data(as_text=True)
    options = _options(units, "kind") + _options(elections, "kind")
    options += _options(elections, "profile")
    assert len(options) == len(UNIT_KINDS) + len(ELECTION_KINDS) + 1 + len(profile_keys())
    for option in options:
        assert CYRILLIC.search(option), option
        assert not foreign_text(option, language), option
    listing = re.sub(r"<[^>]+>", " ", elections)
    assert not [key for key in profile_keys() if key in listing]


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_home_page_names_the_rule_profile(app, client, world, language):
    page = client.get(f"/?lang={language}").get_data(as_text=True)
    with app.app_context():
        election = db.session.get(Election, world.election_id)
    assert election.profile.title[language] in unescape(page)
    assert election.profile_key not in re.sub(r"<[^>]+>", " ", page)


# --- legal bases ----------------------------------------------------------------------------


@pytest.mark.parametrize("key", profile_keys())
def test_every_rule_basis_is_written_in_each_language(key):
    profile = load_profile(key)
    for rule in profile.data["rules"]:
        text = profile.basis_text_of(rule)
        assert set(text) == {"kk", "ru", "en"}, rule
        assert text["en"] == profile.basis_of(rule)
        for language in ("kk", "ru"):
            assert CYRILLIC.search(text[language]), (rule, language)
            assert not LATIN_WORD.search(without_addresses(text[language])), (
                rule,
                language,
                text[language],
            )
            assert text[language] != text["kk" if language == "ru" else "ru"]


@pytest.mark.parametrize("code", GROUND_CODES)
def test_every_violation_and_ground_cites_its_basis_in_each_language(code):
    profile = load_profile("rural-2023")
    cited = ground(code, profile)
    assert cited.basis["en"] == cited.legal_basis  # the API's English citation is unchanged
    # A source is a law article, a CEC or commission publication with its date, the 2021
    # Concept, or the profile says that no source confirms the rule (issue 12).
    for language, source in SOURCE.items():
        assert source.search(cited.basis[language]), (language, cited.basis[language])
    for language in ("kk", "ru"):
        assert not LATIN_WORD.search(without_addresses(cited.basis[language])), cited.basis[
            language
        ]


def test_a_snapshot_from_before_the_translations_borrows_them_from_the_shipped_profile():
    data = json.loads(json.dumps(load_profile("rural-2023").data))
    for entry in data["rules"].values():
        entry["basis"] = entry["basis"]["en"]  # what elections called before kept
    old = profile_from_dict(data)
    new = load_profile("rural-2023")
    for rule in data["rules"]:
        assert old.basis_text_of(rule) == new.basis_text_of(rule)
        assert old.basis_of(rule) == new.basis_of(rule)
    assert describe("age_below_minimum", old).basis == describe("age_below_minimum", new).basis


def test_a_basis_no_shipped_profile_knows_stays_as_it_was():
    data = json.loads(json.dumps(load_profile("rural-2023").data))
    data["rules"]["min_age"]["basis"] = "A rule of a profile edited by hand"
    profile = profile_from_dict(data)
    assert profile.basis_text_of("min_age") == {"en": "A rule of a profile edited by hand"}


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_candidate_page_cites_bases_in_the_page_language(
    client, world, login, language, make_candidate
):
    candidate_id = make_candidate(world, age=23, refused=["age_below_minimum", "abuse_of_office"])
    login(world.users["territorial_member"])
    client.get(f"/lang/{language}")
    page = unescape(client.get(f"/commission/candidates/{candidate_id}").get_data(as_text=True))
    profile = load_profile("rural-2023")
    for code in ("age_below_minimum", "abuse_of_office"):
        assert ground(code, profile).basis[language] in page
        assert ground(code, profile).legal_basis not in page
    text = re.sub(r"<[^>]+>", " ", page)
    assert "age_below_minimum" not in text and "abuse_of_office" not in text  # history too
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)  # the age detail gives a local date


# --- times and the chart --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (datetime(2026, 9, 13, 15, 0, tzinfo=UTC), "13.09.2026 20:00 (UTC+5)"),
        ("2026-09-13T15:00:00+00:00", "13.09.2026 20:00 (UTC+5)"),
        (datetime(2026, 9, 13, 15, 0), "13.09.2026 20:00 (UTC+5)"),  # stored UTC, naive
        (None, ""),
    ],
)
def test_times_are_local_with_their_zone(app, value, shown):
    with app.test_request_context("/?lang=ru"):
        assert local_datetime(value) == shown


@pytest.mark.parametrize(
    ("language", "label"), [("en", "Against all"), ("ru", "Против всех"), ("kk", "Барлығына қарсы")]
)
def test_the_chart_names_the_against_all_line_in_the_page_language(app, language, label):
    result = {"candidates": [], "ballots_in_boxes": 10, "against_all": 3}
    with app.test_request_context(f"/?lang={language}"):
        assert bar_chart(result).bars[-1].label == label


# --- the checker of the browser test --------------------------------------------------------


def test_the_checker_knows_the_codes_of_the_enums():
    codes = set(app_codes())
    assert {"rural_district", "city_republican", "rural", "rural-2023", "cec_admin"} <= codes
    assert set(VIOLATION_CODES) <= codes


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Түрі: rural_district", ["rural_district"]),
        ("Ережелер профилі: rural-2023", ["rural-2023"]),
        ("Вид: rural", ["rural"]),
        ("строка 2: line 2 = line 3 + line 4", ["line 2 = line 3 + line 4"]),
        ("Основание: " + CITATION, [CITATION]),
        ("День выборов 2026-09-13", ["2026-09-13"]),
        ("Кандидаттар: Legal basis", ["Legal basis"]),
    ],
)
def test_the_checker_finds_codes_english_and_iso_dates(text, found):
    assert foreign_text(text, "ru") == found or foreign_text(text, "kk") == found


@pytest.mark.parametrize(
    "text",
    [
        "zerendi-member Шығу",  # a user name
        "precinct-401 · № 401",
        "Партия «AMANAT», Демократическая партия Казахстана «Ак жол», Respublica, QHP",
        "JSON API v1 · CSV · NIST",  # kept in Latin by the translators
        "13.09.2026 20:00 (UTC+5)",
        "/api/v1/openapi.json",
        "GET /api/v1/elections · POST · PATCH",  # HTTP methods in the API reference
    ],
)
def test_the_checker_leaves_names_identifiers_and_kept_words_alone(text):
    assert foreign_text(text, "ru") == []
    assert foreign_text(text, "kk") == []


def test_english_pages_are_not_checked():
    assert foreign_text("rural_district Legal basis", "en") == []
