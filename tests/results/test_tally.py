from collections import Counter
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from elections.results.tally import (
    Outcome,
    PrecinctCount,
    Totals,
    decide,
    deposit_refunds,
    share,
    total,
    turnout,
)

FIVE_PERCENT = Fraction(1, 20)


def precinct(precinct_id, votes, invalid=0, against_all=0, voters=None):
    """A consistent protocol: ballots in the boxes = invalid + candidates' votes + against all."""
    ballots = invalid + sum(votes.values()) + against_all
    return PrecinctCount(
        precinct_id=precinct_id,
        voters_on_list=ballots * 2 if voters is None else voters,
        ballots_in_boxes=ballots,
        invalid_ballots=invalid,
        against_all=against_all,
        votes=votes,
    )


@pytest.mark.parametrize(
    ("counts", "candidate_ids", "precincts_total", "expected"),
    [
        pytest.param(
            [
                precinct(1, {1: 500, 2: 250}, invalid=8, against_all=40, voters=1000),
                precinct(2, {1: 100, 2: 300}, invalid=2, against_all=10, voters=600),
            ],
            [1, 2],
            2,
            Totals(2, 2, 1600, 1210, 10, 50, {1: 600, 2: 550}),
            id="two-precincts-sum",
        ),
        pytest.param(
            [precinct(7, {3: 40, 4: 60}, invalid=1, against_all=5, voters=200)],
            [3, 4],
            1,
            Totals(1, 1, 200, 106, 1, 5, {3: 40, 4: 60}),
            id="single-precinct-election",
        ),
        pytest.param(
            [precinct(1, {1: 10}, voters=100)],
            [1, 2],
            3,
            Totals(1, 3, 100, 10, 0, 0, {1: 10, 2: 0}),
            id="partial-voters-on-list-of-reporting-only-and-silent-candidate-zero",
        ),
        pytest.param([], [1, 2], 4, Totals(0, 4, 0, 0, 0, 0, {1: 0, 2: 0}), id="nothing-reported"),
    ],
)
def test_total_sums_the_reporting_precincts(counts, candidate_ids, precincts_total, expected):
    assert total(counts, candidate_ids, precincts_total) == expected


def test_total_keeps_candidate_order():
    result = total([precinct(1, {1: 5, 9: 7, 4: 1})], [9, 4, 1], 1)
    assert list(result.votes) == [9, 4, 1]


@pytest.mark.parametrize(
    ("counts", "candidate_ids", "precincts_total", "message"),
    [
        pytest.param(
            [precinct(1, {1: 5}), precinct(1, {1: 5})], [1], 2, "counted twice", id="duplicate"
        ),
        pytest.param([precinct(1, {1: 5, 2: 3})], [1], 1, "unknown candidates", id="unknown"),
        pytest.param(
            [precinct(1, {1: 5}), precinct(2, {1: 5})], [1], 1, "reporting of", id="too-many"
        ),
    ],
)
def test_total_rejects_inconsistent_input(counts, candidate_ids, precincts_total, message):
    with pytest.raises(ValueError, match=message):
        total(counts, candidate_ids, precincts_total)


@pytest.mark.parametrize(
    ("votes", "reporting", "total_", "expected"),
    [
        pytest.param({1: 600, 2: 550}, 2, 2, Outcome("winner", 1, ()), id="plurality-winner"),
        pytest.param({1: 10, 2: 30, 3: 20}, 1, 1, Outcome("winner", 2, ()), id="single-precinct"),
        pytest.param({1: 0}, 1, 1, Outcome("winner", 1, ()), id="sole-candidate"),
        pytest.param({1: 500, 2: 500}, 3, 3, Outcome("tie", None, (1, 2)), id="tie-of-two"),
        pytest.param(
            {3: 40, 1: 40, 2: 10, 4: 40}, 3, 3, Outcome("tie", None, (3, 1, 4)), id="tie-of-three"
        ),
        pytest.param({1: 0, 2: 0}, 1, 1, Outcome("tie", None, (1, 2)), id="everyone-at-zero"),
        pytest.param({1: 600, 2: 550}, 1, 2, Outcome("pending", None, ()), id="precinct-missing"),
        pytest.param({1: 0, 2: 0}, 0, 0, Outcome("pending", None, ()), id="no-precincts"),
    ],
)
def test_decide(votes, reporting, total_, expected):
    assert decide(votes, reporting, total_) == expected


def test_against_all_above_every_candidate_does_not_stop_the_top_candidate_winning():
    counts = [
        precinct(1, {1: 100, 2: 80}, invalid=5, against_all=700),
        precinct(2, {1: 20, 2: 30}, against_all=300),
    ]
    totals = total(counts, [1, 2], 2)
    assert totals.against_all > max(totals.votes.values())
    assert decide(totals.votes, totals.precincts_reporting, totals.precincts_total) == Outcome(
        "winner", 1, ()
    )


@pytest.mark.parametrize(
    ("votes", "reporting", "total_"),
    [pytest.param({}, 1, 1, id="no-candidates"), pytest.param({1: 5}, 2, 1, id="too-many")],
)
def test_decide_rejects(votes, reporting, total_):
    with pytest.raises(ValueError):
        decide(votes, reporting, total_)


@pytest.mark.parametrize(
    ("votes", "ballots", "winner", "expected"),
    [
        pytest.param({1: 700, 2: 50}, 1000, 1, [1, 2], id="exactly-5-percent-refunded"),
        pytest.param({1: 700, 2: 49}, 1000, 1, [1], id="just-below-5-percent-not"),
        pytest.param({1: 40, 2: 30}, 1000, 1, [1], id="winner-below-5-percent-refunded"),
        pytest.param({3: 100, 1: 59, 2: 600}, 1200, 2, [3, 2], id="order-of-votes-kept"),
        pytest.param({1: 500, 2: 500, 3: 20}, 1020, None, [1, 2], id="tie-no-winner"),
        pytest.param({1: 0, 2: 0}, 0, None, [], id="no-ballots"),
    ],
)
def test_deposit_refunds(votes, ballots, winner, expected):
    assert deposit_refunds(votes, ballots, winner, FIVE_PERCENT) == expected


def test_deposit_refunds_rejects_a_winner_who_is_not_a_candidate():
    with pytest.raises(ValueError, match="not a candidate"):
        deposit_refunds({1: 10}, 10, 2, FIVE_PERCENT)


@pytest.mark.parametrize(
    ("ballots", "voters", "expected"),
    [
        pytest.param(1500, 2000, 0.75, id="three-quarters"),
        pytest.param(2, 3, 0.6667, id="rounded-to-4-decimals"),
        pytest.param(1, 32, 0.0313, id="half-rounds-up"),
        pytest.param(0, 100, 0.0, id="nobody-voted"),
        pytest.param(0, 0, None, id="no-voters-on-list"),
    ],
)
def test_turnout(ballots, voters, expected):
    assert turnout(ballots, voters) == expected


@pytest.mark.parametrize(
    ("votes", "ballots", "expected"),
    [
        pytest.param(700, 1500, 0.4667, id="api-example"),
        pytest.param(1, 3, 0.3333, id="rounds-down"),
        pytest.param(1, 20000, 0.0001, id="half-rounds-up"),
        pytest.param(1, 20001, 0.0, id="below-half-rounds-down"),
        pytest.param(50, 1000, 0.05, id="five-percent"),
        pytest.param(0, 0, 0.0, id="no-ballots"),
    ],
)
def test_share(votes, ballots, expected):
    assert share(votes, ballots) == expected


@st.composite
def elections(draw):
    candidate_ids = draw(st.lists(st.integers(1, 10_000), min_size=1, max_size=6, unique=True))
    precinct_ids = draw(st.lists(st.integers(1, 10_000), min_size=1, max_size=8, unique=True))
    small = st.integers(0, 2000)
    counts = []
    for precinct_id in precinct_ids:
        votes = {candidate_id: draw(small) for candidate_id in candidate_ids}
        invalid, against_all, absent = draw(small), draw(small), draw(small)
        ballots = invalid + sum(votes.values()) + against_all
        counts.append(
            PrecinctCount(precinct_id, ballots + absent, ballots, invalid, against_all, votes)
        )
    missing = draw(st.integers(0, 3))
    return counts, candidate_ids, len(counts) + missing


@given(elections())
def test_property_aggregate_is_the_sum(election):
    counts, candidate_ids, precincts_total = election
    totals = total(counts, candidate_ids, precincts_total)
    votes = Counter()
    for count in counts:
        votes.update(count.votes)
    assert totals.votes == {candidate_id: votes[candidate_id] for candidate_id in candidate_ids}
    assert totals.precincts_reporting == len(counts)
    assert totals.voters_on_list == sum(c.voters_on_list for c in counts)
    assert totals.ballots_in_boxes == sum(c.ballots_in_boxes for c in counts)
    assert totals.invalid_ballots == sum(c.invalid_ballots for c in counts)
    assert totals.against_all == sum(c.against_all for c in counts)
    assert totals.ballots_in_boxes == (
        totals.invalid_ballots + sum(totals.votes.values()) + totals.against_all
    )


@given(elections())
def test_property_shares_add_up_within_rounding(election):
    counts, candidate_ids, precincts_total = election
    totals = total(counts, candidate_ids, precincts_total)
    shares = [share(n, totals.ballots_in_boxes) for n in totals.votes.values()]
    exact = sum(totals.votes.values()) / totals.ballots_in_boxes if totals.ballots_in_boxes else 0.0
    assert sum(shares) == pytest.approx(exact, abs=0.00005 * len(shares) + 1e-12)


@given(elections())
def test_property_winner_has_the_maximum(election):
    counts, candidate_ids, _ = election
    totals = total(counts, candidate_ids, len(counts))
    outcome = decide(totals.votes, totals.precincts_reporting, totals.precincts_total)
    most = max(totals.votes.values())
    leaders = [c for c, n in totals.votes.items() if n == most]
    if len(leaders) == 1:
        assert outcome == Outcome("winner", leaders[0], ())
    else:
        assert outcome == Outcome("tie", None, tuple(leaders))


@given(elections())
def test_property_pending_while_a_precinct_is_missing(election):
    counts, candidate_ids, precincts_total = election
    totals = total(counts, candidate_ids, precincts_total)
    outcome = decide(totals.votes, totals.precincts_reporting, totals.precincts_total)
    assert (outcome.kind == "pending") == (len(counts) < precincts_total)


@given(elections())
def test_property_refunds_winner_and_those_at_the_threshold(election):
    counts, candidate_ids, _ = election
    totals = total(counts, candidate_ids, len(counts))
    outcome = decide(totals.votes, totals.precincts_reporting, totals.precincts_total)
    refunded = deposit_refunds(
        totals.votes, totals.ballots_in_boxes, outcome.winner_candidate_id, FIVE_PERCENT
    )
    if outcome.winner_candidate_id is not None:
        assert outcome.winner_candidate_id in refunded
    for candidate_id, n in totals.votes.items():
        if candidate_id != outcome.winner_candidate_id:
            at_threshold = totals.ballots_in_boxes > 0 and 20 * n >= totals.ballots_in_boxes
            assert (candidate_id in refunded) == at_threshold
