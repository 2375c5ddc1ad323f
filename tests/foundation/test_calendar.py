"""The election calendar and rule profiles (domain.md: "Calendar", "Rule profiles").

Deadlines are 18:00 in Asia/Almaty, kept as UTC instants: 13:00Z since Almaty moved to
UTC+5 on 1 March 2024 (12:00Z before). The API shows them with the +05:00 offset.
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
from elections.calendar import compute_calendar, phase
from elections.extensions import db
from elections.rules import ELECTION_KINDS, default_profile_key, load_profile, profile_keys
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
# Not a deadline at 18:00: the count starts when the polls close, 20:00 on election day.
CALENDAR = (*DEADLINES, "counting_opens")


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


# --- the profiles hold the numbers of domain.md ---------------------------------------------

PROFILE_TABLE = {
    # key: (kind, min age, education, experience, deposit, nomination, registration, withdrawal)
    "rural-2023": (
        "rural",
        25,
        ("postgraduate", "higher", "post_secondary", "technical_vocational"),
        2,
        1,
        30,
        25,
        2,
    ),
    "district-2023": ("district", 25, ("postgraduate", "higher"), 5, 5, 30, 25, 2),
    "rural-2026": (
        "rural",
        25,
        ("postgraduate", "higher", "post_secondary", "technical_vocational"),
        2,
        1,
        25,
        20,
        2,
    ),
}


def test_the_three_profiles_ship():
    assert profile_keys() == sorted(PROFILE_TABLE)


@pytest.mark.parametrize("key", sorted(PROFILE_TABLE))
def test_profile_holds_the_numbers_of_the_domain_brief(key):
    kind, age, education, experience, deposit, nomination, registration, withdrawal = PROFILE_TABLE[
        key
    ]
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


@pytest.mark.parametrize("key", sorted(PROFILE_TABLE))
def test_every_rule_of_a_profile_names_its_basis(key):
    profile = load_profile(key)
    assert profile.kind in ELECTION_KINDS
    assert set(profile.basis) == set(profile.data["rules"])
    for rule, basis in profile.basis.items():
        assert isinstance(basis, str) and len(basis) > 10, rule
    assert "Not fixed by law" in profile.basis_of("min_experience_years")


# --- deadlines ------------------------------------------------------------------------------

DEADLINE_CASES = [
    pytest.param(
        "rural-2023",
        date(2025, 6, 1),
        date(2025, 7, 27),
        {
            "nomination_opens": "2025-06-01T19:00:00Z",
            "nomination_closes": "2025-06-27T13:00:00Z",
            "registration_closes": "2025-07-02T13:00:00Z",
            "withdrawal_closes": "2025-07-25T13:00:00Z",
            "counting_opens": "2025-07-27T15:00:00Z",
            "results_due": "2025-07-30T13:00:00Z",
            "publication_due": "2025-08-03T13:00:00Z",
        },
        id="rural-2023: nomination closes 30 days before, registration 25",
    ),
    pytest.param(
        "district-2023",
        date(2025, 8, 1),
        date(2025, 10, 5),
        {
            "nomination_opens": "2025-08-01T19:00:00Z",
            "nomination_closes": "2025-09-05T13:00:00Z",
            "registration_closes": "2025-09-10T13:00:00Z",
            "withdrawal_closes": "2025-10-03T13:00:00Z",
            "counting_opens": "2025-10-05T15:00:00Z",
            "results_due": "2025-10-08T13:00:00Z",
            "publication_due": "2025-10-12T13:00:00Z",
        },
        id="district-2023: nomination closes 30 days before, registration 25",
    ),
    pytest.param(
        "rural-2026",
        date(2026, 7, 10),
        date(2026, 9, 6),
        {
            "nomination_opens": "2026-07-10T19:00:00Z",
            "nomination_closes": "2026-08-12T13:00:00Z",
            "registration_closes": "2026-08-17T13:00:00Z",
            "withdrawal_closes": "2026-09-04T13:00:00Z",
            "counting_opens": "2026-09-06T15:00:00Z",
            "results_due": "2026-09-09T13:00:00Z",
            "publication_due": "2026-09-13T13:00:00Z",
        },
        id="rural-2026: nomination closes 25 days before, registration 20",
    ),
    pytest.param(
        "district-2023",
        date(2023, 9, 20),
        date(2023, 11, 5),
        {
            "nomination_opens": "2023-09-20T18:00:00Z",
            "nomination_closes": "2023-10-06T12:00:00Z",
            "registration_closes": "2023-10-11T12:00:00Z",
            "withdrawal_closes": "2023-11-03T12:00:00Z",
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
            "nomination_closes": "2024-02-16T12:00:00Z",
            "registration_closes": "2024-02-21T12:00:00Z",
            "withdrawal_closes": "2024-03-15T13:00:00Z",
            "counting_opens": "2024-03-17T15:00:00Z",
            "results_due": "2024-03-20T13:00:00Z",
            "publication_due": "2024-03-24T13:00:00Z",
        },
        id="across the 1 March 2024 change from UTC+6 to UTC+5",
    ),
    pytest.param(
        "rural-2026",
        date(2026, 11, 20),
        date(2027, 1, 10),
        {
            "nomination_opens": "2026-11-20T19:00:00Z",
            "nomination_closes": "2026-12-16T13:00:00Z",
            "registration_closes": "2026-12-21T13:00:00Z",
            "withdrawal_closes": "2027-01-08T13:00:00Z",
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
    ("2026-08-12T12:59:59Z", "nomination", "a second before nomination closes"),
    ("2026-08-12T13:00:00Z", "registration", "nomination closed at 18:00 local"),
    ("2026-08-17T13:00:00Z", "campaign", "registration closed at 18:00 local"),
    ("2026-09-05T19:00:00Z", "voting", "election day starts at local midnight"),
    ("2026-09-06T14:59:59Z", "voting", "a second before the polls close at 20:00 local"),
    ("2026-09-06T15:00:00Z", "counting", "the count starts at 20:00 local"),
    ("2026-09-06T19:00:00Z", "counting", "the day after"),
]


@pytest.mark.parametrize(
    ("moment", "expected"), [p[:2] for p in PHASES], ids=[p[2] for p in PHASES]
)
def test_phase_of_a_rural_2026_election(moment, expected):
    calendar = compute_calendar(
        date(2026, 7, 10), date(2026, 9, 6), load_profile("rural-2026"), ALMATY
    )
    assert phase(calendar, date(2026, 9, 6), utc(moment), ALMATY) == expected


# --- the default profile --------------------------------------------------------------------

DEFAULTS = [
    ("rural", date(2021, 7, 25), "rural-2023", "first rural round, 2021"),
    ("rural", date(2026, 6, 30), "rural-2023", "rural, the day before 1 July 2026"),
    ("rural", date(2026, 7, 1), "rural-2026", "rural, on 1 July 2026"),
    ("rural", date(2030, 3, 1), "rural-2026", "rural, later"),
    ("district", date(2023, 11, 5), "district-2023", "district pilot, 2023"),
    ("district", date(2027, 3, 1), "district-2023", "district, after 1 July 2026"),
]


@pytest.mark.parametrize(
    ("kind", "election_day", "expected"), [d[:3] for d in DEFAULTS], ids=[d[3] for d in DEFAULTS]
)
def test_default_profile_by_kind_and_election_day(kind, election_day, expected):
    assert default_profile_key(kind, election_day) == expected


# --- through the API ------------------------------------------------------------------------


@pytest.fixture
def admin(world, token_for):
    return token_for(world.users["cec_admin"])


def call(client, headers, **body):
    return client.post("/api/v1/elections", json=body, headers=headers)


API_DEFAULTS = [
    ("rural", "rural", "2026-05-01", "2026-06-30", "rural-2023", "rural before 1 July 2026"),
    ("rural", "rural", "2026-05-01", "2026-07-01", "rural-2026", "rural from 1 July 2026"),
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
        "nomination_closes": "2026-08-12T18:00:00+05:00",
        "registration_closes": "2026-08-17T18:00:00+05:00",
        "withdrawal_closes": "2026-09-04T18:00:00+05:00",
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
    assert response.json["calendar"]["nomination_closes"] == "2026-09-04T18:00:00+05:00"


def test_a_named_profile_of_the_right_kind_replaces_the_default(client, world, admin):
    response = call(
        client,
        admin,
        unit_kato=world.rural,
        kind="rural",
        called_on="2026-07-10",
        election_day="2026-09-06",
        profile="rural-2023",
    )
    assert response.status_code == 201, response.json
    assert response.json["profile"] == "rural-2023"
    assert response.json["calendar"]["nomination_closes"] == "2026-08-07T18:00:00+05:00"


WRONG_PROFILES = [
    ("rural", "rural", "district-2023", "rural election with the district profile"),
    ("district", "district", "rural-2026", "district election with a rural profile"),
    ("rural", "rural", "rural-1999", "a profile that does not exist"),
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
    shipped = json.loads((PROFILE_FILES / "rural-2026.json").read_text(encoding="utf-8"))
    with app.app_context():
        election = db.session.get(Election, response.json["id"])
        assert election.profile_key == "rural-2026"
        assert election.profile_snapshot == shipped


def test_a_later_edit_of_the_profile_file_does_not_reach_a_called_election(
    client, world, admin, monkeypatch, tmp_path
):
    dates = {"called_on": "2026-07-10", "election_day": "2026-09-06"}
    first = call(client, admin, unit_kato=world.rural, kind="rural", **dates).json

    files = edited_profile_files(tmp_path, "rural-2026", "nomination_closes_days_before", 40)
    monkeypatch.setattr(rules, "_profile_files", lambda: files)

    again = client.get(f"/api/v1/elections/{first['id']}").json
    assert again["calendar"] == first["calendar"]
    assert again["calendar"]["nomination_closes"] == "2026-08-12T18:00:00+05:00"
    # The edit is real: an election called now takes it.
    second = call(client, admin, unit_kato=world.rural, kind="rural", **dates).json
    assert second["calendar"]["nomination_closes"] == "2026-07-28T18:00:00+05:00"


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
    assert shown["calendar"]["registration_closes"] == "2026-08-15T18:00:00+05:00"
    assert load_profile("rural-2026").registration_closes_days_before == 20


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
