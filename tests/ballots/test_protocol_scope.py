"""Who may read and write which precinct's protocol, over the API."""

from __future__ import annotations

import pytest

from tests.ballots.helpers import codes, protocol_body, protocol_url, row_counts

# (role, precinct attribute of world) -> the status of a save and of each read.
ALLOWED = [
    ("precinct_secretary", "precinct_a"),
    ("other_secretary", "precinct_b"),
    ("territorial_member", "precinct_a"),
    ("territorial_member", "precinct_b"),
    ("territorial_chair", "precinct_a"),
    ("territorial_chair", "precinct_b"),
]
HIDDEN = [
    ("precinct_secretary", "precinct_b"),
    ("other_secretary", "precinct_a"),
    ("other_member", "precinct_a"),
    ("other_member", "precinct_b"),
]
READS = ["", "/versions"]


def ids(cases):
    return [f"{role}-{precinct}" for role, precinct in cases]


@pytest.fixture
def saved(app, world, client, member, candidates) -> None:
    """A first version of both precincts' protocols, saved by the organising commission."""
    for precinct in (world.precinct_a, world.precinct_b):
        url = protocol_url(world.election_id, precinct)
        assert client.put(url, json=protocol_body(candidates), headers=member).status_code == 200


@pytest.mark.parametrize(("role", "precinct"), ALLOWED, ids=ids(ALLOWED))
def test_allowed_roles_save_the_protocol_of_a_precinct_in_their_scope(
    world, client, token_for, saved, candidates, role, precinct
):
    url = protocol_url(world.election_id, getattr(world, precinct))
    body = protocol_body(candidates, expected_version=1)

    response = client.put(url, json=body, headers=token_for(world.users[role]))

    assert response.status_code == 200, response.json
    assert response.json["version"] == 2
    assert response.json["created_by"] == world.usernames[role]


@pytest.mark.parametrize("read", READS, ids=["current", "versions"])
@pytest.mark.parametrize(("role", "precinct"), ALLOWED, ids=ids(ALLOWED))
def test_allowed_roles_read_the_protocol_of_a_precinct_in_their_scope(
    world, client, token_for, saved, role, precinct, read
):
    url = protocol_url(world.election_id, getattr(world, precinct), read)
    response = client.get(url, headers=token_for(world.users[role]))
    assert response.status_code == 200, response.json


@pytest.mark.parametrize(("role", "precinct"), HIDDEN, ids=ids(HIDDEN))
def test_a_precinct_outside_the_users_scope_is_not_found_for_saving(
    app, world, client, token_for, saved, candidates, role, precinct
):
    url = protocol_url(world.election_id, getattr(world, precinct))
    headers = token_for(world.users[role])  # issuing a token is audited: before counting
    before = row_counts(app)

    response = client.put(url, json=protocol_body(candidates, expected_version=1), headers=headers)

    assert response.status_code == 404, response.json
    assert codes(response) == ["not_found"]
    assert row_counts(app) == before


@pytest.mark.parametrize("read", READS, ids=["current", "versions"])
@pytest.mark.parametrize(("role", "precinct"), HIDDEN, ids=ids(HIDDEN))
def test_a_precinct_outside_the_users_scope_is_not_found_for_reading(
    world, client, token_for, saved, role, precinct, read
):
    url = protocol_url(world.election_id, getattr(world, precinct), read)
    response = client.get(url, headers=token_for(world.users[role]))
    assert response.status_code == 404


@pytest.mark.parametrize("method", ["put", "get", "versions"])
def test_the_cec_administrator_is_forbidden_protocols(
    app, world, client, token_for, saved, candidates, method
):
    headers = token_for(world.users["cec_admin"])
    url = protocol_url(world.election_id, world.precinct_a)
    before = row_counts(app)
    if method == "put":
        response = client.put(
            url, json=protocol_body(candidates, expected_version=1), headers=headers
        )
    else:
        response = client.get(url + ("/versions" if method == "versions" else ""), headers=headers)

    assert response.status_code == 403
    assert codes(response) == ["forbidden"]
    assert row_counts(app) == before


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic abc"}],
    ids=["none", "bad-token", "other-scheme"],
)
@pytest.mark.parametrize("method", ["put", "get", "versions"])
def test_anonymous_or_bad_credentials_are_unauthorised(
    app, world, client, saved, candidates, method, headers
):
    url = protocol_url(world.election_id, world.precinct_a)
    before = row_counts(app)
    if method == "put":
        response = client.put(
            url, json=protocol_body(candidates, expected_version=1), headers=headers
        )
    else:
        response = client.get(url + ("/versions" if method == "versions" else ""), headers=headers)

    assert response.status_code == 401
    assert codes(response) == ["unauthorized"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert row_counts(app) == before


@pytest.mark.parametrize("role", ["territorial_member", "territorial_chair", "precinct_secretary"])
def test_a_precinct_of_another_election_is_not_found_under_this_one(
    app, world, client, token_for, candidates, role
):
    """The organiser's own election id with a precinct of another election, and back."""
    headers = token_for(world.users[role])
    urls = [
        protocol_url(world.election_id, world.other_precinct),
        protocol_url(world.other_election_id, world.precinct_a),
        protocol_url(world.election_id, 987654),
        protocol_url(987654, world.precinct_a),
        protocol_url(world.election_id, 99999999999999999999),
    ]
    before = row_counts(app)
    for url in urls:
        assert client.put(url, json=protocol_body(candidates), headers=headers).status_code == 404
        assert client.get(url, headers=headers).status_code == 404
    assert row_counts(app) == before


def test_a_member_of_another_commission_cannot_reach_this_elections_precincts_even_its_own_id(
    world, client, token_for, candidates
):
    """other_member organises other_election: its own precinct is reachable, ours are not."""
    headers = token_for(world.users["other_member"])
    own = protocol_url(world.other_election_id, world.other_precinct)
    body = protocol_body([], votes=(), invalid_ballots=710)

    assert client.put(own, json=body, headers=headers).status_code == 200
    assert (
        client.put(
            protocol_url(world.election_id, world.precinct_a),
            json=protocol_body(candidates),
            headers=headers,
        ).status_code
        == 404
    )
