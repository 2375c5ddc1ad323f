"""Property: for any consistent protocols, the results API adds up exactly what was saved."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.results.support import results_of

ROUNDING = 0.00005  # half a unit of the fourth decimal


def protocols(candidates: int):
    """One precinct's lines: votes per candidate, invalid, against all, ballots issued but not
    found in the boxes, and voters on the list beyond those issued."""
    return st.fixed_dictionaries(
        {
            "votes": st.lists(st.integers(0, 400), min_size=candidates, max_size=candidates),
            "invalid": st.integers(0, 30),
            "against_all": st.integers(0, 80),
            "spare": st.integers(0, 20),
            "extra_voters": st.integers(0, 300),
        }
    )


@st.composite
def counts(draw):
    candidates = draw(st.integers(1, 4))
    precincts = draw(st.integers(1, 4))
    final = draw(st.lists(protocols(candidates), min_size=precincts, max_size=precincts))
    # Some precincts first saved other figures, replaced by the final version.
    earlier = draw(
        st.lists(st.none() | protocols(candidates), min_size=precincts, max_size=precincts)
    )
    return candidates, final, earlier


def save_lines(save, precinct_id, candidate_ids, lines):
    in_boxes = lines["invalid"] + sum(lines["votes"]) + lines["against_all"]
    voters = in_boxes + lines["spare"] + lines["extra_voters"]
    save(
        precinct_id,
        dict(zip(candidate_ids, lines["votes"], strict=True)),
        invalid=lines["invalid"],
        against_all=lines["against_all"],
        spare=lines["spare"],
        voters=voters,
    )
    return voters, in_boxes


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(drawn=counts())
def test_results_add_up_what_was_saved_and_the_winner_has_the_most_votes(
    client, make_election, save, drawn
):
    candidates, final, earlier = drawn
    election = make_election(candidates=candidates, precincts=len(final))
    voters = in_boxes = 0
    for precinct_id, before in zip(election.precincts, earlier, strict=True):
        if before is not None:
            save_lines(save, precinct_id, election.candidates, before)
    for precinct_id, lines in zip(election.precincts, final, strict=True):
        v, b = save_lines(save, precinct_id, election.candidates, lines)
        voters, in_boxes = voters + v, in_boxes + b
    votes = [sum(lines["votes"][i] for lines in final) for i in range(candidates)]

    body = results_of(client, election.id)

    assert body["status"] == "unofficial_complete"
    assert body["precincts_reporting"] == body["precincts_total"] == len(final)
    assert body["voters_on_list"] == voters
    assert body["ballots_in_boxes"] == in_boxes
    assert body["invalid_ballots"] == sum(lines["invalid"] for lines in final)
    assert body["against_all"] == sum(lines["against_all"] for lines in final)
    assert [row["candidate_id"] for row in body["candidates"]] == election.candidates
    assert [row["votes"] for row in body["candidates"]] == votes
    # Shares add up, within the rounding of each, to the candidates' part of the ballots.
    shares = [row["share"] for row in body["candidates"]]
    if in_boxes:
        expected = sum(votes) / in_boxes
        assert abs(sum(shares) - expected) <= candidates * ROUNDING + 1e-9
        assert all(
            abs(s - n / in_boxes) <= ROUNDING + 1e-9 for s, n in zip(shares, votes, strict=True)
        )
    else:
        assert shares == [0.0] * candidates
    if voters:
        assert abs(body["turnout"] - in_boxes / voters) <= ROUNDING + 1e-9
    else:
        assert body["turnout"] is None
    # The winner has the most votes; equal most votes is a tie with no winner.
    most = max(votes)
    leaders = [cid for cid, n in zip(election.candidates, votes, strict=True) if n == most]
    if len(leaders) == 1:
        assert body["outcome"] == "winner"
        assert body["winner_candidate_id"] == leaders[0]
        assert leaders[0] in body["deposit_refund_candidate_ids"]
    else:
        assert body["outcome"] == "tie"
        assert body["winner_candidate_id"] is None
        assert sorted(body["tied_candidate_ids"]) == sorted(leaders)
