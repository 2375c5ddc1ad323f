"""Property tests through the API: the service accepts exactly what the control relations allow."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from elections.ballots.tally import ProtocolFigures, failed_relations, is_consistent
from elections.core.db import INTEGER_MAX
from tests.ballots.helpers import protocol_url, version_count

# The world and its candidates are made once per test and shared by its examples; every
# example reads the current version, so the examples need no state of their own.
EXAMPLES = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@st.composite
def consistent_protocols(draw, candidates: int) -> dict:
    """Figures that satisfy every control relation, up to the largest storable count."""
    voters = draw(st.integers(0, INTEGER_MAX))
    issued = draw(st.integers(0, voters))
    cancelled = draw(st.integers(0, INTEGER_MAX - issued))
    in_boxes = draw(st.integers(0, issued))
    cuts = sorted(
        draw(st.lists(st.integers(0, in_boxes), min_size=candidates + 1, max_size=candidates + 1))
    )
    invalid, *votes, against = (b - a for a, b in zip([0, *cuts], [*cuts, in_boxes], strict=True))
    return {
        "voters_on_list": voters,
        "ballots_received": issued + cancelled,
        "ballots_issued": issued,
        "ballots_cancelled": cancelled,
        "ballots_in_boxes": in_boxes,
        "invalid_ballots": invalid,
        "votes": votes,
        "against_all": against,
    }


def figures(protocol: dict, candidate_ids) -> ProtocolFigures:
    lines = {k: v for k, v in protocol.items() if k != "votes"}
    return ProtocolFigures(votes=dict(zip(candidate_ids, protocol["votes"], strict=True)), **lines)


def body(protocol: dict, candidate_ids, expected_version: int) -> dict:
    return {
        **protocol,
        "votes": {str(c): n for c, n in zip(candidate_ids, protocol["votes"], strict=True)},
        "expected_version": expected_version,
    }


@EXAMPLES
@given(data=st.data())
def test_any_protocol_that_satisfies_every_relation_is_accepted(
    app, world, client, secretary, candidates, data
):
    protocol = data.draw(consistent_protocols(len(candidates)), label="protocol")
    assert is_consistent(figures(protocol, candidates))  # the generator is right
    url = protocol_url(world.election_id, world.precinct_a)
    current = version_count(app, world.precinct_a)

    response = client.put(url, json=body(protocol, candidates, current), headers=secretary)

    assert response.status_code == 200, response.json
    assert response.json["version"] == current + 1
    assert version_count(app, world.precinct_a) == current + 1
    saved = client.get(url, headers=secretary).json
    assert {k: saved[k] for k in protocol if k != "votes"} == {
        k: v for k, v in protocol.items() if k != "votes"
    }
    assert saved["votes"] == body(protocol, candidates, current)["votes"]


small = st.integers(0, 30)


@EXAMPLES
@given(
    lines=st.fixed_dictionaries(
        {
            "voters_on_list": small,
            "ballots_received": small,
            "ballots_issued": small,
            "ballots_cancelled": small,
            "ballots_in_boxes": small,
            "invalid_ballots": small,
            "against_all": small,
        }
    ),
    votes=st.lists(st.integers(0, 10), min_size=3, max_size=3),
)
def test_the_api_refuses_exactly_the_relations_the_rules_say_fail_with_their_sides(
    app, world, client, secretary, candidates, lines, votes
):
    protocol = {**lines, "votes": votes}
    url = protocol_url(world.election_id, world.precinct_a)
    current = version_count(app, world.precinct_a)
    expected = [(r.name, r.left, r.right) for r in failed_relations(figures(protocol, candidates))]

    response = client.put(url, json=body(protocol, candidates, current), headers=secretary)

    if expected:
        assert response.status_code == 422
        assert [(e["relation"], e["left"], e["right"]) for e in response.json["errors"]] == expected
        assert version_count(app, world.precinct_a) == current
    else:
        assert response.status_code == 200, response.json
        assert version_count(app, world.precinct_a) == current + 1
