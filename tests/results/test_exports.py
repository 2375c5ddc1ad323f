"""Open data: results.csv (one row per precinct) and the NIST SP 1500-100 v2 report."""

from __future__ import annotations

import csv
import io
import json
from importlib import resources

import pytest
from jsonschema.validators import validator_for

from elections.extensions import db
from elections.territory.models import Precinct
from tests.results.support import certify

CSV_COLUMNS = [
    "precinct_number",
    "precinct_id",
    "reported",
    "protocol_version",
    "voters_on_list",
    "ballots_in_boxes",
    "invalid_ballots",
    "against_all",
]


@pytest.fixture(scope="module")
def nist_validator():
    text = resources.files("elections.results").joinpath("nist_schema.json").read_text("utf-8")
    schema = json.loads(text)
    cls = validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def number_of(app, precinct_id):
    with app.app_context():
        return db.session.get(Precinct, precinct_id).number


def csv_rows(client, election_id):
    response = client.get(f"/api/v1/elections/{election_id}/results.csv")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def nist_report(client, election_id, validator):
    response = client.get(f"/api/v1/elections/{election_id}/results/nist-err")
    assert response.status_code == 200, response.get_data(as_text=True)
    report = response.get_json()
    errors = sorted(validator.iter_errors(report), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]
    return report


def contest_of(report):
    [election] = report["Election"]
    [contest] = election["Contest"]
    return election, contest


def total_count(selection, gp_unit_id):
    [count] = [c for c in selection["VoteCounts"] if c["GpUnitId"] == gp_unit_id]
    return count["Count"]


# --- CSV ---------------------------------------------------------------------------------


def test_csv_has_a_header_and_one_row_per_precinct_with_unreported_marked_no(
    app, client, world, add_candidates, save
):
    c1, c2 = add_candidates(world.election_id, 2)
    save(world.precinct_a, {c1: 500, c2: 250}, invalid=8, against_all=40, voters=1000)

    header, *rows = csv_rows(client, world.election_id)

    assert header[: len(CSV_COLUMNS)] == CSV_COLUMNS
    assert len(header) == len(CSV_COLUMNS) + 2
    assert header[-2].endswith(f"({c1})") and header[-2].startswith("Абенов")
    assert header[-1].endswith(f"({c2})") and header[-1].startswith("Бекова")
    by_id = {int(row[1]): row for row in rows}
    assert sorted(by_id) == sorted([world.precinct_a, world.precinct_b])
    assert len(rows) == 2
    assert by_id[world.precinct_a] == [
        str(number_of(app, world.precinct_a)),
        str(world.precinct_a),
        "yes",
        "1",
        "1000",
        "798",
        "8",
        "40",
        "500",
        "250",
    ]
    unreported = by_id[world.precinct_b]
    assert unreported[:3] == [str(number_of(app, world.precinct_b)), str(world.precinct_b), "no"]
    assert unreported[3:] == [""] * (len(header) - 3)


def test_csv_figures_are_the_current_protocol_versions(client, world, add_candidates, save):
    c1, c2 = add_candidates(world.election_id, 2)
    save(world.precinct_a, {c1: 10, c2: 20}, invalid=1, against_all=2, voters=900)
    save(world.precinct_a, {c1: 15, c2: 25}, invalid=3, against_all=4, voters=950)
    save(world.precinct_b, {c1: 7, c2: 8}, voters=700)

    _header, *rows = csv_rows(client, world.election_id)

    by_id = {int(row[1]): row for row in rows}
    assert by_id[world.precinct_a][2:] == ["yes", "2", "950", "47", "3", "4", "15", "25"]
    assert by_id[world.precinct_b][2:] == ["yes", "1", "700", "15", "0", "0", "7", "8"]
    # The rows add up to the published totals.
    results = client.get(f"/api/v1/elections/{world.election_id}/results").get_json()
    assert sum(int(row[5]) for row in rows) == results["ballots_in_boxes"]
    assert [sum(int(row[i]) for row in rows) for i in (8, 9)] == [
        row["votes"] for row in results["candidates"]
    ]


def test_csv_rows_are_in_precinct_number_order(app, client, make_election, save):
    election = make_election(candidates=1, precincts=3)
    save(election.precincts[1], {election.candidates[0]: 5})

    _header, *rows = csv_rows(client, election.id)

    numbers = [int(row[0]) for row in rows]
    assert numbers == sorted(numbers)
    assert [row[2] for row in rows] == ["no", "yes", "no"]


# --- NIST SP 1500-100 --------------------------------------------------------------------


def test_nist_report_of_a_partial_count_validates_with_status_unofficial_partial(
    client, world, add_candidates, save, nist_validator
):
    c1, c2 = add_candidates(world.election_id, 2)
    save(world.precinct_a, {c1: 500, c2: 250}, invalid=8, against_all=40)

    report = nist_report(client, world.election_id, nist_validator)

    assert report["Status"] == "unofficial-partial"
    election, contest = contest_of(report)
    assert (contest["SubUnitsReported"], contest["TotalSubUnits"]) == (1, 2)
    unit_id = contest["ElectionDistrictId"]
    selections = {s["@id"]: s for s in contest["ContestSelection"]}
    assert total_count(selections[f"sel-{c1}"], unit_id) == 500
    assert total_count(selections[f"sel-{c2}"], unit_id) == 250
    assert total_count(selections["sel-against-all"], unit_id) == 40
    assert election["BallotCounts"][0]["BallotsCast"] == 798
    assert election["BallotCounts"][0]["BallotsRejected"] == 8


def test_nist_report_of_an_election_without_results_validates(
    client, world, add_candidates, nist_validator
):
    add_candidates(world.election_id, 2)
    report = nist_report(client, world.election_id, nist_validator)
    assert report["Status"] == "unofficial-partial"


def test_nist_report_of_a_complete_uncertified_count_is_unofficial_complete(
    client, world, add_candidates, save, nist_validator
):
    c1, c2 = add_candidates(world.election_id, 2)
    save(world.precinct_a, {c1: 5, c2: 3})
    save(world.precinct_b, {c1: 2, c2: 3})

    assert nist_report(client, world.election_id, nist_validator)["Status"] == (
        "unofficial-complete"
    )


def test_nist_report_of_a_certified_result_validates_with_status_certified(
    client, world, add_candidates, save, chair, nist_validator
):
    c1, c2 = add_candidates(world.election_id, 2)
    save(world.precinct_a, {c1: 500, c2: 250}, invalid=8, against_all=40)
    save(world.precinct_b, {c1: 100, c2: 300}, invalid=2, against_all=10)
    assert certify(client, chair, world.election_id).status_code == 200

    report = nist_report(client, world.election_id, nist_validator)

    assert report["Status"] == "certified"
    _election, contest = contest_of(report)
    assert (contest["SubUnitsReported"], contest["TotalSubUnits"]) == (2, 2)
    selections = {s["@id"]: s for s in contest["ContestSelection"]}
    assert total_count(selections[f"sel-{c1}"], contest["ElectionDistrictId"]) == 600
    assert total_count(selections[f"sel-{c2}"], contest["ElectionDistrictId"]) == 550


def test_nist_report_after_a_correction_and_recertification_has_status_correction(
    client, world, add_candidates, save, chair, nist_validator
):
    c1, c2 = add_candidates(world.election_id, 2)
    save(world.precinct_a, {c1: 500, c2: 250})
    save(world.precinct_b, {c1: 100, c2: 300})
    assert certify(client, chair, world.election_id).status_code == 200
    reopened = client.post(
        f"/api/v1/elections/{world.election_id}/corrections",
        json={"reason": "Recount in precinct B"},
        headers=chair,
    )
    assert reopened.status_code == 200
    # While the correction is open the report is the live draft again.
    assert nist_report(client, world.election_id, nist_validator)["Status"] == (
        "unofficial-complete"
    )
    save(world.precinct_b, {c1: 110, c2: 290})
    assert certify(client, chair, world.election_id).get_json()["version"] == 2

    report = nist_report(client, world.election_id, nist_validator)

    assert report["Status"] == "correction"
    _election, contest = contest_of(report)
    selections = {s["@id"]: s for s in contest["ContestSelection"]}
    assert total_count(selections[f"sel-{c1}"], contest["ElectionDistrictId"]) == 610


def test_open_data_of_an_election_without_precincts_yet(client, make_election, nist_validator):
    election = make_election(candidates=2, precincts=0)

    header, *rows = csv_rows(client, election.id)
    report = nist_report(client, election.id, nist_validator)

    assert header[: len(CSV_COLUMNS)] == CSV_COLUMNS
    assert rows == []
    assert report["Status"] == "unofficial-partial"
    assert contest_of(report)[1]["TotalSubUnits"] == 0
