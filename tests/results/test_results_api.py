"""GET /api/v1/elections/{id}/results: the public result over the current protocol versions."""

from __future__ import annotations

import re
from datetime import datetime

from tests.results.support import certify, errors_of, protocol_body, put_protocol, results_of

# Every key api.md ("Results") names; the service may add keys, never drop these.
API_KEYS = {
    "election_id",
    "status",
    "as_of",
    "precincts_reporting",
    "precincts_total",
    "voters_on_list",
    "ballots_in_boxes",
    "turnout",
    "invalid_ballots",
    "against_all",
    "candidates",
    "outcome",
    "winner_candidate_id",
    "deposit_refund_candidate_ids",
    "version",
}
CANDIDATE_KEYS = {"candidate_id", "name", "votes", "share"}


def test_results_have_every_key_of_the_api_contract_with_its_type(
    client, world, add_candidates, save
):
    c1, c2 = add_candidates(world.election_id, 2)
    save(world.precinct_a, {c1: 500, c2: 250}, invalid=8, against_all=40, voters=1000)

    body = results_of(client, world.election_id)

    assert set(body) >= API_KEYS, API_KEYS - set(body)
    assert body["election_id"] == world.election_id
    assert body["status"] in {"no_results", "unofficial_partial", "unofficial_complete"}
    assert isinstance(body["as_of"], str)
    assert datetime.fromisoformat(body["as_of"]).utcoffset() is not None  # ISO 8601 with offset
    for key in (
        "precincts_reporting",
        "precincts_total",
        "voters_on_list",
        "ballots_in_boxes",
        "invalid_ballots",
        "against_all",
    ):
        assert type(body[key]) is int, key
    assert isinstance(body["turnout"], float)
    assert body["outcome"] in {"pending", "winner", "tie"}
    assert body["winner_candidate_id"] is None
    assert body["deposit_refund_candidate_ids"] == []
    assert body["version"] is None
    assert [set(row) for row in body["candidates"]] == [CANDIDATE_KEYS, CANDIDATE_KEYS]
    for row in body["candidates"]:
        assert type(row["candidate_id"]) is int
        assert isinstance(row["name"], str) and row["name"]
        assert type(row["votes"]) is int
        assert isinstance(row["share"], float)


def test_results_list_candidates_in_ballot_order(client, world, add_candidates):
    add_candidates(world.election_id, 3)
    ballot = client.get(f"/api/v1/elections/{world.election_id}/ballot").get_json()

    body = results_of(client, world.election_id)

    assert [row["candidate_id"] for row in body["candidates"]] == [
        line["candidate_id"] for line in ballot["lines"]
    ]
    assert [row["name"].split()[0] for row in body["candidates"]] == [
        "Абенов",
        "Бекова",
        "Дауленов",
    ]


def test_status_moves_from_no_results_to_partial_to_complete_to_certified(
    client, world, add_candidates, save, chair
):
    c1, c2 = add_candidates(world.election_id, 2)

    body = results_of(client, world.election_id)
    assert body["status"] == "no_results"
    assert (body["precincts_reporting"], body["precincts_total"]) == (0, 2)
    assert body["as_of"] is None
    assert body["turnout"] is None  # nobody on the list of a reporting precinct yet
    assert [row["votes"] for row in body["candidates"]] == [0, 0]
    assert body["outcome"] == "pending"

    save(world.precinct_a, {c1: 300, c2: 200})
    body = results_of(client, world.election_id)
    assert body["status"] == "unofficial_partial"
    assert (body["precincts_reporting"], body["precincts_total"]) == (1, 2)

    save(world.precinct_b, {c1: 100, c2: 150})
    body = results_of(client, world.election_id)
    assert body["status"] == "unofficial_complete"
    assert (body["precincts_reporting"], body["precincts_total"]) == (2, 2)
    assert body["version"] is None

    assert certify(client, chair, world.election_id).status_code == 200
    body = results_of(client, world.election_id)
    assert body["status"] == "certified"
    assert body["version"] == 1
    assert re.fullmatch(r"[0-9a-f]{64}", body["digest"])


def test_totals_are_the_sum_of_the_current_protocol_versions_only(
    client, world, add_candidates, save
):
    c1, c2 = add_candidates(world.election_id, 2)
    assert save(world.precinct_a, {c1: 100, c2: 50}, invalid=5, against_all=5, voters=1200) == 1
    assert save(world.precinct_a, {c1: 300, c2: 20}, invalid=1, against_all=2, voters=1100) == 2
    save(world.precinct_b, {c1: 40, c2: 60}, invalid=3, against_all=7, voters=800)

    body = results_of(client, world.election_id)

    # Version 2 of precinct A (not version 1) plus precinct B.
    assert body["voters_on_list"] == 1100 + 800
    assert body["ballots_in_boxes"] == (1 + 300 + 20 + 2) + (3 + 40 + 60 + 7)
    assert body["invalid_ballots"] == 1 + 3
    assert body["against_all"] == 2 + 7
    assert {row["candidate_id"]: row["votes"] for row in body["candidates"]} == {
        c1: 340,
        c2: 80,
    }


def test_a_version_saved_through_the_api_replaces_the_previous_one_in_the_totals(
    client, world, add_candidates, token_for
):
    c1, c2 = add_candidates(world.election_id, 2)
    secretary = token_for(world.users["precinct_secretary"])
    first = protocol_body({c1: 500, c2: 250}, invalid=8, against_all=40, voters=1000)
    second = protocol_body({c1: 200, c2: 550}, invalid=8, against_all=40, expected_version=1)

    assert put_protocol(client, secretary, world.election_id, world.precinct_a, first).status_code
    assert results_of(client, world.election_id)["candidates"][0]["votes"] == 500
    response = put_protocol(client, secretary, world.election_id, world.precinct_a, second)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["version"] == 2

    body = results_of(client, world.election_id)
    assert [row["votes"] for row in body["candidates"]] == [200, 550]
    assert body["voters_on_list"] == second["voters_on_list"]


def test_turnout_is_ballots_in_boxes_over_voters_and_share_is_votes_over_ballots(
    client, world, add_candidates, save
):
    c1, c2 = add_candidates(world.election_id, 2)
    # A: 640 in the boxes of 1200 on the list; B: 360 of 800.
    save(world.precinct_a, {c1: 400, c2: 200}, invalid=10, against_all=30, voters=1200)

    partial = results_of(client, world.election_id)
    # While partial, turnout compares the reporting precincts' ballots and voters.
    assert partial["voters_on_list"] == 1200
    assert partial["turnout"] == 0.5333  # 640 / 1200
    assert [row["share"] for row in partial["candidates"]] == [0.625, 0.3125]  # /640

    save(world.precinct_b, {c1: 100, c2: 260}, voters=800)
    body = results_of(client, world.election_id)

    assert (body["voters_on_list"], body["ballots_in_boxes"]) == (2000, 1000)
    assert body["turnout"] == 0.5
    # Shares are of the ballots in the boxes (invalid and against all included), not of
    # the candidates' votes.
    assert [row["share"] for row in body["candidates"]] == [0.5, 0.46]
    assert body["outcome"] == "winner"
    assert body["winner_candidate_id"] == c1


def test_shares_are_rounded_half_up_to_four_decimals(client, make_election, save):
    election = make_election(candidates=2, precincts=1)
    c1, c2 = election.candidates
    # 1/32 = 0.03125 -> 0.0313 (float round() would give 0.0312); 31/32 = 0.96875 -> 0.9688.
    save(election.precincts[0], {c1: 1, c2: 31}, voters=64)

    body = results_of(client, election.id)

    assert [row["share"] for row in body["candidates"]] == [0.0313, 0.9688]
    assert body["turnout"] == 0.5


def test_outcome_is_pending_until_every_precinct_has_reported(client, world, add_candidates, save):
    c1, c2 = add_candidates(world.election_id, 2)
    save(world.precinct_a, {c1: 900, c2: 10})

    partial = results_of(client, world.election_id)
    assert partial["outcome"] == "pending"
    assert partial["winner_candidate_id"] is None
    assert partial["deposit_refund_candidate_ids"] == []

    save(world.precinct_b, {c1: 10, c2: 20})
    body = results_of(client, world.election_id)
    assert body["outcome"] == "winner"
    assert body["winner_candidate_id"] == c1
    assert body["deposit_refund_candidate_ids"] == [c1]  # c2: 30 of 940, under 5%


def test_a_tie_for_first_place_has_no_winner(client, world, add_candidates, save):
    c1, c2, c3 = add_candidates(world.election_id, 3)
    save(world.precinct_a, {c1: 300, c2: 200, c3: 100})
    save(world.precinct_b, {c1: 100, c2: 200, c3: 50})

    body = results_of(client, world.election_id)

    assert body["outcome"] == "tie"
    assert body["winner_candidate_id"] is None
    assert sorted(body["tied_candidate_ids"]) == sorted([c1, c2])


def test_against_all_above_every_candidate_leaves_the_top_candidate_the_winner(
    client, world, add_candidates, save
):
    c1, c2 = add_candidates(world.election_id, 2)
    # 1000 in the boxes: against all 900, the winner 4% (under the refund threshold).
    save(world.precinct_a, {c1: 25, c2: 10}, invalid=10, against_all=500)
    save(world.precinct_b, {c1: 15, c2: 20}, invalid=20, against_all=400)

    body = results_of(client, world.election_id)

    assert body["ballots_in_boxes"] == 1000
    assert body["against_all"] == 900
    assert body["outcome"] == "winner"
    assert body["winner_candidate_id"] == c1
    assert [row["share"] for row in body["candidates"]] == [0.04, 0.03]
    # The winner's deposit is refunded whatever the share; the other's (3%) is not.
    assert body["deposit_refund_candidate_ids"] == [c1]


def test_a_single_precinct_election_is_complete_with_its_one_protocol(client, make_election, save):
    election = make_election(candidates=2, precincts=1)
    c1, c2 = election.candidates

    assert results_of(client, election.id)["status"] == "no_results"
    save(election.precincts[0], {c1: 2, c2: 1}, voters=9)
    body = results_of(client, election.id)

    assert body["status"] == "unofficial_complete"
    assert (body["precincts_reporting"], body["precincts_total"]) == (1, 1)
    assert body["turnout"] == 0.3333
    assert [row["share"] for row in body["candidates"]] == [0.6667, 0.3333]
    assert body["outcome"] == "winner"
    assert body["winner_candidate_id"] == c1


def test_deposit_is_refunded_at_exactly_five_percent_and_not_just_below(
    client, world, add_candidates, save
):
    winner, at_threshold, below = add_candidates(world.election_id, 3)
    # 1000 ballots in the boxes: 50 votes is exactly 5%, 49 is 4.9%.
    save(world.precinct_a, {winner: 400, at_threshold: 30, below: 29}, invalid=11, against_all=30)
    save(world.precinct_b, {winner: 431, at_threshold: 20, below: 20}, invalid=9, against_all=20)

    body = results_of(client, world.election_id)

    assert body["ballots_in_boxes"] == 1000
    assert [row["votes"] for row in body["candidates"]] == [831, 50, 49]
    assert [row["share"] for row in body["candidates"]] == [0.831, 0.05, 0.049]
    assert body["deposit_refund_candidate_ids"] == [winner, at_threshold]


def test_results_of_an_unknown_election_are_404(client):
    errors = errors_of(client.get("/api/v1/elections/999999/results"), 404)
    assert errors[0]["code"] == "not_found"
