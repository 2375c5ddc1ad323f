"""The election calendar and rule profiles (domain.md: "Calendar", "Rule profiles").

Deadlines are 18:00 in Asia/Almaty, kept as UTC instants: 13:00Z since Almaty moved to
UTC+5 on 1 March 2024 (12:00Z before). The API shows them with the +05:00 offset.

A deadline "N days before election day" falls on election day minus N+1 days, as in the
CEC's and the territorial commissions' published calendars (domain.md, "How days are
counted"; the published cases are in tests/foundation/test_law_calendars.py). The cases
below once encoded election day minus N, one day late; they are corrected, not removed.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from elections import rules
from elections.core.extensions import db
from elections.rules import ELECTION_KINDS, default_profile_key, load_profile, profile_keys
from elections.territory.calendar import compute_calendar, phase
from elections.territory.models import Election
from tests.foundation.support import errors_of, fields

ALMATY = ZoneInfo("Asia/Almaty")
PROFILE_FILES = Path(rules.__file__).parent / "profiles"
DEADLINES = (
    "nomination_opens",
    "nomination_closes",
    "registration_closes",
    "withdrawal_closes",
    "results_due",
    "publication_due",
)
# Not deadlines at 18:00: the count starts when the polls close, 20:00 on election day;
# campaigning ends at 00:00 on the day before election day.
CALENDAR = (*DEADLINES, "counting_opens", "campaign_closes")


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


# --- the profiles hold the numbers of domain.md ---------------------------------------------

CONCEPT = ("postgraduate", "higher", "post_secondary", "technical_vocational")
PROFILE_TABLE = {
    # domain.md, "Rule profiles":
    # key: (kind, min age, education, experience (unconfirmed, off), deposit, nomination,
    #       registration, withdrawal, lead time)
    "rural-2021": ("rural", 25, CONCEPT, 2, 1, 15, 10, 2, 40),
    "rural-2023": ("rural", 25, CONCEPT, 2, 1, 25, 20, 2, 40),
    "district-2023": ("district", 25, CONCEPT, 5, 5, 30, 25, 2, 50),
}


def test_the_three_profiles_ship():
    assert profile_keys() == sorted(PROFILE_TABLE)


@pytest.mark.parametrize("key", sorted(PROFILE_TABLE))
def test_profile_holds_the_numbers_of_the_domain_brief(key):
    kind, age, education, experience, deposit, nomination, registration, withdrawal, lead = (
        PROFILE_TABLE[key]
    )
    profile = load_profile(key)
    assert profile.key == key
    assert profile.kind == kind
    assert profile.min_age == age
    assert profile.education_levels == education
    assert profile.min_experience_years == experience
    assert profile.deposit_min_wage_multiple == deposit
    assert profile.nomination_opens_days_after_call == 1
    assert profile.nomination_closes_days_before == nomination
    assert profile.registration_closes_days_before == registration
    assert profile.withdrawal_closes_days_before == withdrawal
    assert profile.deadline_local_time == time(18, 0)
    assert profile.signature_voter_share == Fraction(1, 100)
    assert profile.signature_settlement_share == Fraction(1, 2)
    assert profile.refund_vote_share == Fraction(1, 20)
    assert profile.results_due_days_after == 3
    assert profile.publication_due_days_after == 7
    assert profile.lead_time_days == lead
    assert profile.day_counting == "election_day_minus_n_plus_1"
    assert profile.deadline_day_offset(nomination) == nomination + 1
    assert isinstance(profile.version, int) and profile.version >= 1


UNCONFIRMED = {
    # domain.md, "Verified and unverified rules": off by default, basis says unconfirmed.
    "min_experience_years",
    "signature_settlement_share",
    "one_candidate_per_signer",
    "max_consecutive_terms",
    "registration_extension_days",
    "appeal_days",
    "repeat_within_days",
    "publication_due_days_after",
    "age_reference",
}


@pytest.mark.parametrize("key", sorted(PROFILE_TABLE))
def test_unconfirmed_rules_are_marked_so_and_the_rest_are_confirmed(key):
    profile = load_profile(key)
    unconfirmed = {rule for rule in profile.data["rules"] if not profile.confirmed(rule)}
    expected = set(UNCONFIRMED)
    if key == "district-2023":
        expected.add("education_levels")  # "higher education only" is unconfirmed
    if key == "rural-2023":
        expected.add("lead_time_days")  # 40 days is confirmed for 2021 only
    assert unconfirmed == expected
    for rule in UNCONFIRMED:
        text = profile.basis_text_of(rule)["en"].lower()
        assert "unconfirmed" in text or "no source found" in text, rule


def test_no_rural_2026_profile_ships():
    with pytest.raises(rules.UnknownProfile):
        load_profile("rural-2026")


@pytest.mark.parametrize("key", sorted(PROFILE_TABLE))
def test_every_rule_of_a_profile_names_its_basis(key):
    profile = load_profile(key)
    assert profile.kind in ELECTION_KINDS
    assert set(profile.basis) == set(profile.data["rules"])
    for rule, basis in profile.basis.items():
        assert isinstance(basis, str) and len(basis) > 10, rule
        entry = profile.data["rules"][rule]
        assert set(entry) == {"value", "basis", "confirmed"}, rule
        assert set(entry["basis"]) == {"kk", "ru", "en"}, rule
        assert all(len(text) > 10 for text in entry["basis"].values()), rule
    assert "no source gives a number" in profile.basis_of("min_experience_years")


# --- deadlines ------------------------------------------------------------------------------

DEADLINE_CASES = [
    pytest.param(
        "rural-2023",
        date(2025, 6, 1),
        date(2025, 7, 27),
        {
            "nomination_opens": "2025-06-01T19:00:00Z",
            "nomination_closes": "2025-07-01T13:00:00Z",
            "registration_closes": "2025-07-06T13:00:00Z",
            "withdrawal_closes": "2025-07-24T13:00:00Z",
            "campaign_closes": "2025-07-25T19:00:00Z",
            "counting_opens": "2025-07-27T15:00:00Z",
            "results_due": "2025-07-30T13:00:00Z",
            "publication_due": "2025-08-03T13:00:00Z",
        },
        id="rural-2023: nomination closes 25 days before (E-26), registration 20 (E-21)",
    ),
    pytest.param(
        "district-2023",
        date(2025, 8, 1),
        date(2025, 10, 5),
        {
            "nomination_opens": "2025-08-01T19:00:00Z",
            "nomination_closes": "2025-09-04T13:00:00Z",
            "registration_closes": "2025-09-09T13:00:00Z",
            "withdrawal_closes": "2025-10-02T13:00:00Z",
            "campaign_closes": "2025-10-03T19:00:00Z",
            "counting_opens": "2025-10-05T15:00:00Z",
            "results_due": "2025-10-08T13:00:00Z",
            "publication_due": "2025-10-12T13:00:00Z",
        },
        id="district-2023: nomination closes 30 days before (E-31), registration 25 (E-26)",
    ),
    pytest.param(
        "rural-2021",
        date(2021, 6, 10),
        date(2021, 7, 25),
        {
            "nomination_opens": "2021-06-10T18:00:00Z",
            "nomination_closes": "2021-07-09T12:00:00Z",
            "registration_closes": "2021-07-14T12:00:00Z",
            "withdrawal_closes": "2021-07-22T12:00:00Z",
            "campaign_closes": "2021-07-23T18:00:00Z",
            "counting_opens": "2021-07-25T14:00:00Z",
            "results_due": "2021-07-28T12:00:00Z",
            "publication_due": "2021-08-01T12:00:00Z",
        },
        id="rural-2021: nomination closes 15 days before (E-16), registration 10 (E-11)",
    ),
    pytest.param(
        "district-2023",
        date(2023, 9, 15),
        date(2023, 11, 5),
        {
            "nomination_opens": "2023-09-15T18:00:00Z",
            "nomination_closes": "2023-10-05T12:00:00Z",
            "registration_closes": "2023-10-10T12:00:00Z",
            "withdrawal_closes": "2023-11-02T12:00:00Z",
            "campaign_closes": "2023-11-03T18:00:00Z",
            "counting_opens": "2023-11-05T14:00:00Z",
            "results_due": "2023-11-08T12:00:00Z",
            "publication_due": "2023-11-12T12:00:00Z",
        },
        id="2023 pilot: Almaty was UTC+6, so 18:00 local is 12:00Z",
    ),
    pytest.param(
        "rural-2023",
        date(2024, 2, 1),
        date(2024, 3, 17),
        {
            "nomination_opens": "2024-02-01T18:00:00Z",
            "nomination_closes": "2024-02-20T12:00:00Z",
            "registration_closes": "2024-02-25T12:00:00Z",
            "withdrawal_closes": "2024-03-14T13:00:00Z",
            "campaign_closes": "2024-03-15T19:00:00Z",
            "counting_opens": "2024-03-17T15:00:00Z",
            "results_due": "2024-03-20T13:00:00Z",
            "publication_due": "2024-03-24T13:00:00Z",
        },
        id="across the 1 March 2024 change from UTC+6 to UTC+5",
    ),
    pytest.param(
        "rural-2023",
        date(2026, 11, 20),
        date(2027, 1, 10),
        {
            "nomination_opens": "2026-11-20T19:00:00Z",
            "nomination_closes": "2026-12-15T13:00:00Z",
            "registration_closes": "2026-12-20T13:00:00Z",
            "withdrawal_closes": "2027-01-07T13:00:00Z",
            "campaign_closes": "2027-01-08T19:00:00Z",
            "counting_opens": "2027-01-10T15:00:00Z",
            "results_due": "2027-01-13T13:00:00Z",
            "publication_due": "2027-01-17T13:00:00Z",
        },
        id="across a year end",
    ),
]


@pytest.mark.parametrize(("key", "called_on", "election_day", "expected"), DEADLINE_CASES)
def test_deadlines_of_each_profile_as_utc_instants(key, called_on, election_day, expected):
    calendar = compute_calendar(called_on, election_day, load_profile(key), ALMATY)
    computed = calendar.as_dict()
    assert set(computed) == set(CALENDAR)
    assert computed == {name: utc(value) for name, value in expected.items()}
    for name, value in computed.items():
        assert value.tzinfo is UTC, name


@pytest.mark.parametrize("key", profile_keys())
def test_cut_off_is_18_00_in_almaty_which_is_13_00_utc(key):
    calendar = compute_calendar(date(2026, 7, 10), date(2026, 9, 6), load_profile(key), ALMATY)
    for name in DEADLINES[1:]:
        instant = getattr(calendar, name)
        assert instant.time() == time(13, 0), name
        assert instant.astimezone(ALMATY).time() == time(18, 0), name


@pytest.mark.parametrize("key", profile_keys())
def test_nomination_opens_the_day_after_the_call_at_local_midnight(key):
    calendar = compute_calendar(date(2026, 7, 10), date(2026, 9, 6), load_profile(key), ALMATY)
    local = calendar.nomination_opens.astimezone(ALMATY)
    assert (local.date(), local.time()) == (date(2026, 7, 11), time(0, 0))
    assert calendar.nomination_opens == datetime(2026, 7, 10, 19, 0, tzinfo=UTC)


@pytest.mark.parametrize("key", profile_keys())
def test_results_due_three_days_and_publication_seven_days_after_election_day(key):
    calendar = compute_calendar(date(2026, 7, 10), date(2026, 9, 6), load_profile(key), ALMATY)
    assert calendar.results_due.astimezone(ALMATY).date() == date(2026, 9, 9)
    assert calendar.publication_due.astimezone(ALMATY).date() == date(2026, 9, 13)


PHASES = [
    ("2026-07-10T18:59:59Z", "called", "called, the day before nomination opens"),
    ("2026-07-10T19:00:00Z", "nomination", "nomination opens at local midnight"),
    ("2026-08-11T12:59:59Z", "nomination", "a second before nomination closes (E-26)"),
    ("2026-08-11T13:00:00Z", "registration", "nomination closed at 18:00 local"),
    ("2026-08-16T13:00:00Z", "campaign", "registration closed at 18:00 local (E-21)"),
    ("2026-09-04T18:59:59Z", "campaign", "a second before campaigning ends"),
    ("2026-09-04T19:00:00Z", "silence", "campaigning ends at 00:00 local on E-1"),
    ("2026-09-05T18:59:59Z", "silence", "the last second of the day of silence"),
    ("2026-09-05T19:00:00Z", "voting", "election day starts at local midnight"),
    ("2026-09-06T14:59:59Z", "voting", "a second before the polls close at 20:00 local"),
    ("2026-09-06T15:00:00Z", "counting", "the count starts at 20:00 local"),
    ("2026-09-06T19:00:00Z", "counting", "the day after"),
]


@pytest.mark.parametrize(
    ("moment", "expected"), [p[:2] for p in PHASES], ids=[p[2] for p in PHASES]
)
def test_phase_of_a_rural_2023_election(moment, expected):
    calendar = compute_calendar(
        date(2026, 7, 10), date(2026, 9, 6), load_profile("rural-2023"), ALMATY
    )
    assert phase(calendar, date(2026, 9, 6), utc(moment), ALMATY) == expected


# --- the default profile --------------------------------------------------------------------

DEFAULTS = [
    # domain.md: rural-2021 for a rural election called before 2023, rural-2023 from then.
    ("rural", date(2021, 6, 10), "rural-2021", "first rural round, called June 2021"),
    ("rural", date(2022, 12, 31), "rural-2021", "rural, called on the last day of 2022"),
    ("rural", date(2023, 1, 1), "rural-2023", "rural, called on 1 January 2023"),
    ("rural", date(2026, 7, 1), "rural-2023", "rural, called 1 July 2026: no 2026 profile"),
    ("district", date(2023, 9, 15), "district-2023", "district pilot, 2023"),
    ("district", date(2027, 3, 1), "district-2023", "district, later"),
]


@pytest.mark.parametrize(
    ("kind", "called_on", "expected"), [d[:3] for d in DEFAULTS], ids=[d[3] for d in DEFAULTS]
)
def test_default_profile_by_kind_and_call_date(kind, called_on, expected):
    assert default_profile_key(kind, called_on) == expected


# --- through the API ------------------------------------------------------------------------


@pytest.fixture
def admin(world, token_for):
    return token_for(world.users["cec_admin"])


def call(client, headers, **body):
    return client.post("/api/v1/elections", json=body, headers=headers)


API_DEFAULTS = [
    ("rural", "rural", "2022-11-01", "2022-12-25", "rural-2021", "rural called in 2022"),
    ("rural", "rural", "2026-05-01", "2026-07-01", "rural-2023", "rural called in 2026"),
    ("district", "district", "2026-08-01", "2026-10-04", "district-2023", "district"),
]


@pytest.mark.parametrize(
    ("unit", "kind", "called_on", "election_day", "expected"),
    [d[:5] for d in API_DEFAULTS],
    ids=[d[5] for d in API_DEFAULTS],
)
def test_api_binds_the_default_profile(
    client, world, admin, unit, kind, called_on, election_day, expected
):
    response = call(
        client,
        admin,
        unit_kato=getattr(world, unit),
        kind=kind,
        called_on=called_on,
        election_day=election_day,
    )
    assert response.status_code == 201, response.json
    assert response.json["profile"] == expected
    assert response.json["kind"] == kind


def test_api_returns_the_calendar_with_almaty_offsets(client, world, admin, clock):
    clock(datetime(2026, 7, 20, 6, 0, tzinfo=UTC))
    response = call(
        client,
        admin,
        unit_kato=world.rural,
        kind="rural",
        called_on="2026-07-10",
        election_day="2026-09-06",
    )
    assert response.status_code == 201, response.json
    election = response.json
    assert election["calendar"] == {
        "nomination_opens": "2026-07-11T00:00:00+05:00",
        "nomination_closes": "2026-08-11T18:00:00+05:00",
        "registration_closes": "2026-08-16T18:00:00+05:00",
        "withdrawal_closes": "2026-09-03T18:00:00+05:00",
        "campaign_closes": "2026-09-05T00:00:00+05:00",
        "counting_opens": "2026-09-06T20:00:00+05:00",
        "results_due": "2026-09-09T18:00:00+05:00",
        "publication_due": "2026-09-13T18:00:00+05:00",
    }
    assert election["unit"]["kato"] == world.rural
    assert election["organiser"]["kato"] == world.district
    assert election["status"] == "nomination"
    assert (election["called_on"], election["election_day"]) == ("2026-07-10", "2026-09-06")

    shown = client.get(f"/api/v1/elections/{election['id']}").json
    assert shown == election
    listed = {e["id"]: e for e in client.get("/api/v1/elections").json}
    assert listed[election["id"]]["calendar"] == election["calendar"]


def test_a_district_election_is_organised_by_the_region(client, world, admin):
    response = call(
        client,
        admin,
        unit_kato=world.district,
        kind="district",
        called_on="2026-08-01",
        election_day="2026-10-04",
    )
    assert response.status_code == 201, response.json
    assert response.json["organiser"]["kato"] == world.region
    assert response.json["calendar"]["nomination_closes"] == "2026-09-03T18:00:00+05:00"


def test_a_named_profile_of_the_right_kind_replaces_the_default(client, world, admin):
    response = call(
        client,
        admin,
        unit_kato=world.rural,
        kind="rural",
        called_on="2026-07-10",
        election_day="2026-09-06",
        profile="rural-2021",
    )
    assert response.status_code == 201, response.json
    assert response.json["profile"] == "rural-2021"
    # 15 days before: 18:00 on E-16.
    assert response.json["calendar"]["nomination_closes"] == "2026-08-21T18:00:00+05:00"


WRONG_PROFILES = [
    ("rural", "rural", "district-2023", "rural election with the district profile"),
    ("district", "district", "rural-2023", "district election with a rural profile"),
    ("rural", "rural", "rural-1999", "a profile that does not exist"),
    ("rural", "rural", "rural-2026", "the withdrawn rural-2026 profile"),
]


@pytest.mark.parametrize(
    ("unit", "kind", "profile"), [w[:3] for w in WRONG_PROFILES], ids=[w[3] for w in WRONG_PROFILES]
)
def test_a_profile_of_the_wrong_kind_is_422_on_profile(client, world, admin, unit, kind, profile):
    before = len(client.get("/api/v1/elections").json)
    response = call(
        client,
        admin,
        unit_kato=getattr(world, unit),
        kind=kind,
        called_on="2026-07-10",
        election_day="2026-09-06",
        profile=profile,
    )
    assert fields(errors_of(response, 422)) == ["profile"]
    assert len(client.get("/api/v1/elections").json) == before


@pytest.mark.parametrize(
    "election_day",
    ["2026-07-10", "2026-07-09"],
    ids=["election day on the day of the call", "election day before the call"],
)
def test_election_day_not_after_the_call_is_422_on_election_day(client, world, admin, election_day):
    response = call(
        client,
        admin,
        unit_kato=world.rural,
        kind="rural",
        called_on="2026-07-10",
        election_day=election_day,
    )
    assert fields(errors_of(response, 422)) == ["election_day"]


LEAD_TIMES = [
    # domain.md, "calling": rural at least 40 days (CEC member, 2021), district at least 50
    # (CEC, Sept 2023).
    ("rural", "rural", "2026-07-10", "2026-08-18", 422, "rural, 39 days"),
    ("rural", "rural", "2026-07-10", "2026-08-19", 201, "rural, 40 days"),
    ("district", "district", "2026-08-01", "2026-09-19", 422, "district, 49 days"),
    ("district", "district", "2026-08-01", "2026-09-20", 201, "district, 50 days"),
]


@pytest.mark.parametrize(
    ("unit", "kind", "called_on", "election_day", "status"),
    [c[:5] for c in LEAD_TIMES],
    ids=[c[5] for c in LEAD_TIMES],
)
def test_lead_time_too_short_is_422_on_election_day(
    client, world, admin, unit, kind, called_on, election_day, status
):
    before = len(client.get("/api/v1/elections").json)
    response = call(
        client,
        admin,
        unit_kato=getattr(world, unit),
        kind=kind,
        called_on=called_on,
        election_day=election_day,
    )
    assert response.status_code == status, response.json
    if status == 422:
        (item,) = errors_of(response, 422)
        assert (item["code"], item["field"]) == ("lead_time_too_short", "election_day")
        assert len(client.get("/api/v1/elections").json) == before


@pytest.mark.parametrize(
    ("called_on", "election_day", "field"),
    [
        ("0001-01-01", "2026-09-06", "called_on"),
        ("2026-07-10", "9999-12-31", "election_day"),
        ("0001-01-01", "0001-01-02", "called_on"),
    ],
    ids=["call in year 1", "election in year 9999", "both in year 1"],
)
def test_dates_the_calendar_cannot_reach_are_422_and_the_list_keeps_working(
    client, world, admin, called_on, election_day, field
):
    response = call(
        client,
        admin,
        unit_kato=world.rural,
        kind="rural",
        called_on=called_on,
        election_day=election_day,
    )
    assert field in fields(errors_of(response, 422))
    assert client.get("/api/v1/elections").status_code == 200
    assert client.get("/").status_code == 200


# --- the profile snapshot -------------------------------------------------------------------


def edited_profile_files(folder: Path, key: str, rule: str, value) -> dict[str, Path]:
    """Copies of the shipped profile files with one rule of one profile changed."""
    files = {}
    for source in PROFILE_FILES.glob("*.json"):
        data = json.loads(source.read_text(encoding="utf-8"))
        if data["key"] == key:
            data["rules"][rule]["value"] = value
            data["version"] += 1
        target = folder / source.name
        target.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        files[source.stem] = target
    return files


def test_an_election_keeps_the_profile_as_it_was_when_called(app, client, world, admin):
    response = call(
        client,
        admin,
        unit_kato=world.rural,
        kind="rural",
        called_on="2026-07-10",
        election_day="2026-09-06",
    )
    assert response.status_code == 201, response.json
    shipped = json.loads((PROFILE_FILES / "rural-2023.json").read_text(encoding="utf-8"))
    with app.app_context():
        election = db.session.get(Election, response.json["id"])
        assert election.profile_key == "rural-2023"
        assert election.profile_snapshot == shipped


def test_a_later_edit_of_the_profile_file_does_not_reach_a_called_election(
    client, world, admin, monkeypatch, tmp_path
):
    dates = {"called_on": "2026-07-10", "election_day": "2026-09-06"}
    first = call(client, admin, unit_kato=world.rural, kind="rural", **dates).json

    files = edited_profile_files(tmp_path, "rural-2023", "nomination_closes_days_before", 40)
    monkeypatch.setattr(rules, "_profile_files", lambda: files)

    again = client.get(f"/api/v1/elections/{first['id']}").json
    assert again["calendar"] == first["calendar"]
    assert again["calendar"]["nomination_closes"] == "2026-08-11T18:00:00+05:00"
    # The edit is real: an election called now takes it.
    second = call(client, admin, unit_kato=world.rural, kind="rural", **dates).json
    assert second["calendar"]["nomination_closes"] == "2026-07-27T18:00:00+05:00"


def test_the_calendar_is_computed_from_the_stored_snapshot(app, client, world, admin):
    created = call(
        client,
        admin,
        unit_kato=world.rural,
        kind="rural",
        called_on="2026-07-10",
        election_day="2026-09-06",
    ).json
    with app.app_context():
        election = db.session.get(Election, created["id"])
        snapshot = copy.deepcopy(election.profile_snapshot)
        snapshot["rules"]["registration_closes_days_before"]["value"] = 22
        election.profile_snapshot = snapshot
        db.session.commit()
    shown = client.get(f"/api/v1/elections/{created['id']}").json
    assert shown["calendar"]["registration_closes"] == "2026-08-14T18:00:00+05:00"
    assert load_profile("rural-2023").registration_closes_days_before == 20


def test_deadlines_do_not_depend_on_the_server_clock(client, world, admin, clock):
    dates = {"called_on": "2026-07-10", "election_day": "2026-09-06"}
    created = call(client, admin, unit_kato=world.rural, kind="rural", **dates).json
    for moment in (datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)):
        clock(moment)
        shown = client.get(f"/api/v1/elections/{created['id']}").json
        assert shown["calendar"] == created["calendar"]
    assert shown["status"] == "counting"
    clock(datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=1))
    assert client.get(f"/api/v1/elections/{created['id']}").json["status"] == "called"


# --- GET /profiles ---------------------------------------------------------------------------


def test_get_profiles_lists_every_shipped_profile_with_each_rule_as_value_basis_confirmed(client):
    response = client.get("/api/v1/profiles")
    assert response.status_code == 200
    listed = {profile["key"]: profile for profile in response.json}
    assert sorted(listed) == ["district-2023", "rural-2021", "rural-2023"]
    for key, shown in listed.items():
        shipped = load_profile(key)
        assert (shown["version"], shown["kind"]) == (shipped.version, shipped.kind)
        assert shown["day_counting"] == "election_day_minus_n_plus_1"
        assert set(shown["rules"]) == set(shipped.data["rules"])
        for rule, entry in shown["rules"].items():
            assert set(entry) == {"value", "basis", "confirmed"}, rule
            assert set(entry["basis"]) == {"kk", "ru", "en"}, rule
            assert entry["confirmed"] is shipped.confirmed(rule)
    rural = listed["rural-2023"]["rules"]
    assert rural["nomination_closes_days_before"]["value"] == 25
    assert rural["nomination_closes_days_before"]["confirmed"] is True
    assert "Aktogay" in rural["nomination_closes_days_before"]["basis"]["en"]
    assert rural["signature_settlement_share"]["confirmed"] is False
    assert listed["rural-2021"]["rules"]["registration_closes_days_before"]["value"] == 10
    assert listed["district-2023"]["rules"]["lead_time_days"]["value"] == 50
