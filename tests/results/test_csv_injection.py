"""Issue 13, item 13: a name a spreadsheet would run as a formula reaches the public CSV as
text, through the real path: nomination and registration by the commission's API, the
secretary's protocol, the public download (api.md, "Open data and the status lookup")."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from tests import factories
from tests.factories import nomination_body, self_nomination

BOM = b"\xef\xbb\xbf"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HYPERLINK = '=HYPERLINK("http://x","y")'
# last name, first name, patronymic: every formula character a printed name may hold.
NAMES = [
    (HYPERLINK, "Айгерим", None),
    ("+77011234567", "Марат", "-Серікұлы"),
    ("@SUM(A1:A9)", "-2+3", "=1"),
]


@pytest.fixture
def staff(world, token_for):
    return token_for(world.users["territorial_member"])


@pytest.fixture
def secretary(world, token_for):
    return token_for(world.users["precinct_secretary"])


def nominate_and_register(client, clock, staff, election_id: int, names) -> list[int]:
    """Nominations through POST /candidates during nomination, then registration."""
    clock(datetime.now(UTC))  # nomination of a factory election is open today
    ids = []
    for last_name, first_name, patronymic in names:
        body = nomination_body(
            self_nomination(2000, 2),
            last_name=last_name,
            first_name=first_name,
            patronymic=patronymic,
        )
        response = client.post(
            f"/api/v1/elections/{election_id}/candidates", json=body, headers=staff
        )
        assert response.status_code == 201, response.get_json()
        candidate_id = response.get_json()["id"]
        decided = client.post(
            f"/api/v1/candidates/{candidate_id}/decision",
            json={"decision": "register"},
            headers=staff,
        )
        assert decided.status_code == 200, decided.get_json()
        ids.append(candidate_id)
    return ids


def report(client, secretary, world, ids) -> None:
    """The secretary's protocol of precinct A, through the API, an hour into the count."""
    votes = dict(zip(ids, (300, 200, 100), strict=True))
    body = {
        "voters_on_list": 1200,
        "ballots_received": 1000,
        "ballots_issued": 800,
        "ballots_cancelled": 200,
        "ballots_in_boxes": 700,
        "invalid_ballots": 50,
        "against_all": 50,
        "votes": {str(cid): n for cid, n in votes.items()},
        "expected_version": 0,
    }
    response = client.put(
        f"/api/v1/elections/{world.election_id}/precincts/{world.precinct_a}/protocol",
        json=body,
        headers=secretary,
    )
    assert response.status_code == 200, response.get_json()


def download(client, election_id: int, **query) -> list[list[str]]:
    response = client.get(f"/api/v1/elections/{election_id}/results.csv", query_string=query)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="election-{election_id}-results.csv"'
    )
    body = response.get_data()
    assert body.startswith(BOM) and not body.startswith(BOM * 2)
    return list(csv.reader(io.StringIO(body[len(BOM) :].decode("utf-8"), newline="")))


def test_a_hyperlink_formula_as_a_candidates_name_is_text_in_the_public_csv(
    client, clock, world, staff, secretary
):
    ids = nominate_and_register(client, clock, staff, world.election_id, NAMES)
    clock(factories.count_night())
    report(client, secretary, world, ids)

    for query in ({}, {"download": "1"}):  # the API's address and the results page's link
        header, *rows = download(client, world.election_id, **query)
        # Candidate columns come in ballot order; each names its candidate's id last.
        columns = {int(cell.rsplit(" (", 1)[1].rstrip(")")): cell for cell in header[-3:]}
        assert columns[ids[0]] == f"'{HYPERLINK} Айгерим ({ids[0]})"
        assert columns[ids[1]] == f"'+77011234567 Марат -Серікұлы ({ids[1]})"
        assert columns[ids[2]] == f"'@SUM(A1:A9) -2+3 =1 ({ids[2]})"
        for cell in [*header, *(cell for row in rows for cell in row)]:
            assert not cell.startswith(FORMULA_STARTS), cell
        reported = next(row for row in rows if row[2] == "yes")
        figures = dict(zip(columns, reported[-3:], strict=True))
        assert figures == {ids[0]: "300", ids[1]: "200", ids[2]: "100"}  # numbers stay numbers


@pytest.mark.parametrize("name", ["\tТаб", "\rCR", "Ab\x00"])
def test_a_name_with_a_tab_a_carriage_return_or_a_nul_is_refused_at_nomination(
    client, clock, world, staff, name
):
    clock(datetime.now(UTC))
    body = nomination_body(self_nomination(2000, 2), last_name=name)
    response = client.post(
        f"/api/v1/elections/{world.election_id}/candidates", json=body, headers=staff
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.get_json()["errors"]] == ["last_name"]
