"""Protocols and observers' copies as the tests send them."""

from __future__ import annotations

# Observers of the race tests' world (conftest.py, ``race``).
OBSERVERS = 4

PROTOCOL = {
    "voters_on_list": 1200,
    "ballots_received": 1200,
    "ballots_issued": 900,
    "ballots_cancelled": 300,
    "ballots_in_boxes": 900,
    "invalid_ballots": 10,
    "against_all": 90,
}


def figures(world, first: int = 500, second: int = 300, **lines) -> dict:
    """A protocol (or a copy) of precinct A whose relations hold for the default votes."""
    return {
        **PROTOCOL,
        "votes": {str(world.candidates[0]): first, str(world.candidates[1]): second},
        **lines,
    }


def save(client, headers, world, expected_version=0, **kw):
    url = f"/api/v1/elections/{world.election_id}/precincts/{world.precinct_a}/protocol"
    return client.put(
        url, json={**figures(world, **kw), "expected_version": expected_version}, headers=headers
    )


def enter_copy(client, headers, world, precinct_id=None, **kw):
    precinct_id = precinct_id or world.precinct_a
    url = f"/api/v1/elections/{world.election_id}/precincts/{precinct_id}/observer-copy"
    return client.put(url, json=figures(world, **kw), headers=headers)


def save_precinct_b(client, headers, world):
    """Precinct B's protocol (800 on the list), so that every precinct has reported."""
    url = f"/api/v1/elections/{world.election_id}/precincts/{world.precinct_b}/protocol"
    body = {
        "voters_on_list": 800, "ballots_received": 800, "ballots_issued": 500,
        "ballots_cancelled": 300, "ballots_in_boxes": 500, "invalid_ballots": 0,
        "votes": {str(world.candidates[0]): 300, str(world.candidates[1]): 200},
        "against_all": 0, "expected_version": 0,
    }  # fmt: skip
    response = client.put(url, json=body, headers=headers)
    assert response.status_code == 200, response.get_json()
