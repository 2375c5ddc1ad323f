"""Plain helpers shared by the results tests: protocol bodies and API calls."""

from __future__ import annotations


def protocol_body(
    votes: dict[int, int],
    *,
    invalid: int = 0,
    against_all: int = 0,
    voters: int | None = None,
    spare: int = 0,
    cancelled: int = 10,
    expected_version: int = 0,
) -> dict:
    """A protocol that passes every control relation: in the boxes = invalid + votes + against
    all; ``spare`` ballots issued but not found in the boxes; voters default to issued + 100."""
    in_boxes = invalid + sum(votes.values()) + against_all
    issued = in_boxes + spare
    return {
        "voters_on_list": issued + 100 if voters is None else voters,
        "ballots_received": issued + cancelled,
        "ballots_issued": issued,
        "ballots_cancelled": cancelled,
        "ballots_in_boxes": in_boxes,
        "invalid_ballots": invalid,
        "votes": {str(cid): n for cid, n in votes.items()},
        "against_all": against_all,
        "expected_version": expected_version,
    }


def results_of(client, election_id: int) -> dict:
    response = client.get(f"/api/v1/elections/{election_id}/results")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def put_protocol(client, headers, election_id: int, precinct_id: int, body: dict):
    return client.put(
        f"/api/v1/elections/{election_id}/precincts/{precinct_id}/protocol",
        json=body,
        headers=headers,
    )


def certify(client, headers, election_id: int):
    return client.post(f"/api/v1/elections/{election_id}/certify", headers=headers)


def errors_of(response, status: int) -> list[dict]:
    """Assert the API error envelope with this status; return its error items."""
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"errors"}, body
    return body["errors"]
