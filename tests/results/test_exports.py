"""Open data: results.csv (one row per precinct) and the NIST SP 1500-100 v2 report."""

from __future__ import annotations

import csv
import io
import json
from importlib import resources

import pytest
from jsonschema.validators import validator_for

from elections.candidates.models import Candidate
from elections.core.extensions import db
from elections.results import exports
from elections.territory.models import Election, Precinct
from elections.web import page_cache
from tests import factories
from tests.results.support import certify

BOM = b"\xef\xbb\xbf"  # UTF-8 byte-order mark: spreadsheets then read the names right
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
    assert response.mimetype_params == {"charset": "utf-8"}
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="election-{election_id}-results.csv"'
    )
    body = response.get_data()
    assert body.startswith(BOM), body[:10]
    assert not body.startswith(BOM * 2)
    text = body[len(BOM) :].decode("utf-8")
    assert text.endswith("\r\n")  # RFC 4180 rows
    return list(csv.reader(io.StringIO(text, newline="")))


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


# --- Downloads (issue 11, defect 9) ------------------------------------------------------


def test_csv_cells_that_a_spreadsheet_would_run_as_formulas_start_with_a_quote(
    app, client, world, save
):
    names = ["=HYPERLINK(1)", "+77", "-1", "@SUM(A1)", "\tТаб", "\rCR", "Абенов"]
    with app.app_context():
        election = db.session.get(Election, world.election_id)
        ids = {
            factories.CandidateFactory(election=election, status="registered", last_name=n).id: n
            for n in names
        }
        full = {cid: db.session.get(Candidate, cid).full_name for cid in ids}
        db.session.commit()
    save(world.precinct_a, dict.fromkeys(ids, 1))

    header, *rows = csv_rows(client, world.election_id)

    cells = {cell.rsplit(" (", 1)[1].rstrip(")"): cell for cell in header[len(CSV_COLUMNS) :]}
    for cid, last_name in ids.items():
        cell = cells[str(cid)]
        if last_name == "Абенов":
            assert cell == f"{full[cid]} ({cid})"
        else:
            assert cell == f"'{full[cid]} ({cid})", cell
    # Figures stay numbers: nothing else starts with a quote.
    assert all(not cell.startswith("'") for row in rows for cell in row)


def test_safe_cell_leaves_numbers_and_plain_text_alone():
    assert exports.safe_cell(-5) == -5
    assert exports.safe_cell(0) == 0
    assert exports.safe_cell("") == ""
    assert exports.safe_cell("Абенов -1") == "Абенов -1"
    assert [exports.safe_cell(c + "x") for c in "=+-@\t\r"] == [
        "'=x",
        "'+x",
        "'-x",
        "'@x",
        "'\tx",
        "'\rx",
    ]


@pytest.mark.parametrize(
    ("tail", "filename"),
    [("results", "results.json"), ("results/nist-err", "nist-err.json")],
)
def test_json_downloads_are_attachments_and_the_api_answers_stay_inline(
    client, world, add_candidates, save, tail, filename
):
    c1, c2 = add_candidates(world.election_id, 2)
    save(world.precinct_a, {c1: 5, c2: 3})
    url = f"/api/v1/elections/{world.election_id}/{tail}"

    inline = client.get(url)
    download = client.get(url + "?download=1")

    assert inline.status_code == download.status_code == 200
    assert "Content-Disposition" not in inline.headers
    assert download.headers["Content-Disposition"] == (
        f'attachment; filename="election-{world.election_id}-{filename}"'
    )
    assert inline.mimetype == download.mimetype == "application/json"
    strip = (
        (lambda d: {k: v for k, v in d.items() if k != "GeneratedDate"})
        if "nist" in tail
        else (lambda d: d)
    )
    assert strip(download.get_json()) == strip(inline.get_json())


@pytest.mark.parametrize("tail", ["results", "results/nist-err"])
def test_the_download_and_inline_variants_keep_their_own_cache_entries_and_etags(
    client, world, add_candidates, save, tail
):
    c1, c2 = add_candidates(world.election_id, 2)
    save(world.precinct_a, {c1: 5, c2: 3})
    url = f"/api/v1/elections/{world.election_id}/{tail}"

    # Each order: the second variant asked is not the first one's cache entry.
    page_cache.clear()
    inline_first = client.get(url)
    download_second = client.get(url + "?download=1")
    page_cache.clear()
    download_first = client.get(url + "?download=1")
    inline_second = client.get(url)

    for inline in (inline_first, inline_second):
        assert "Content-Disposition" not in inline.headers
    for download in (download_first, download_second):
        assert download.headers["Content-Disposition"].startswith("attachment; filename=")
    assert inline_first.headers["ETag"] == inline_second.headers["ETag"]
    assert download_first.headers["ETag"] == download_second.headers["ETag"]
    assert inline_first.headers["ETag"] != download_first.headers["ETag"]

    # An inline copy's ETag does not stand for the download, nor the other way round.
    crossed = client.get(
        url + "?download=1", headers={"If-None-Match": inline_first.headers["ETag"]}
    )
    assert crossed.status_code == 200
    assert crossed.headers["Content-Disposition"].startswith("attachment;")
    crossed = client.get(url, headers={"If-None-Match": download_first.headers["ETag"]})
    assert crossed.status_code == 200
    assert "Content-Disposition" not in crossed.headers
    # Each revalidates itself, also from a process that forgot the page.
    page_cache.clear()
    for variant, response in ((url, inline_first), (url + "?download=1", download_first)):
        again = client.get(variant, headers={"If-None-Match": response.headers["ETag"]})
        assert again.status_code == 304
        assert again.headers["ETag"] == response.headers["ETag"]


def test_the_csv_download_revalidates_and_its_cached_copy_keeps_bom_and_attachment(
    client, world, add_candidates, save
):
    c1, c2 = add_candidates(world.election_id, 2)
    save(world.precinct_a, {c1: 5, c2: 3})
    url = f"/api/v1/elections/{world.election_id}/results.csv"
    first = client.get(url)
    cached = client.get(url)  # from the page cache

    assert cached.get_data() == first.get_data()
    assert cached.get_data().startswith(BOM)
    assert cached.headers["Content-Disposition"] == first.headers["Content-Disposition"]
    assert cached.headers["Content-Type"] == first.headers["Content-Type"]
    assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
