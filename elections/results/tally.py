"""Aggregation and outcome of an akim election: plain values in, plain values out.

The service sums protocols in SQL for speed; ``total`` here is the reference the
tests hold that SQL to. Standard library only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal


@dataclass(frozen=True)
class PrecinctCount:
    """The accepted protocol of one precinct (lines 1, 5, 6, the candidates, against all)."""

    precinct_id: int
    voters_on_list: int
    ballots_in_boxes: int
    invalid_ballots: int
    against_all: int
    votes: Mapping[int, int]


@dataclass(frozen=True)
class Totals:
    """The sum of the reporting precincts' protocols.

    ``voters_on_list`` covers the reporting precincts only, like every other sum
    here, so that turnout while the count is partial compares ballots and voters
    of the same precincts.
    """

    precincts_reporting: int
    precincts_total: int
    voters_on_list: int
    ballots_in_boxes: int
    invalid_ballots: int
    against_all: int
    votes: dict[int, int]


@dataclass(frozen=True)
class Outcome:
    kind: Literal["pending", "winner", "tie"]
    winner_candidate_id: int | None
    tied_candidate_ids: tuple[int, ...]


def total(
    counts: Iterable[PrecinctCount], candidate_ids: Sequence[int], precincts_total: int
) -> Totals:
    """Sum the protocols; ``votes`` names every candidate, in the order given, 0 if none.

    Raises ValueError for a precinct counted twice, more reporting precincts than
    there are, or votes for a candidate not in ``candidate_ids``.
    """
    votes = dict.fromkeys(candidate_ids, 0)
    seen: set[int] = set()
    voters = ballots = invalid = against = 0
    for count in counts:
        if count.precinct_id in seen:
            raise ValueError(f"precinct {count.precinct_id} counted twice")
        seen.add(count.precinct_id)
        unknown = count.votes.keys() - votes.keys()
        if unknown:
            raise ValueError(f"precinct {count.precinct_id}: unknown candidates {sorted(unknown)}")
        voters += count.voters_on_list
        ballots += count.ballots_in_boxes
        invalid += count.invalid_ballots
        against += count.against_all
        for candidate_id, n in count.votes.items():
            votes[candidate_id] += n
    if len(seen) > precincts_total:
        raise ValueError(f"{len(seen)} precincts reporting of {precincts_total}")
    return Totals(
        precincts_reporting=len(seen),
        precincts_total=precincts_total,
        voters_on_list=voters,
        ballots_in_boxes=ballots,
        invalid_ballots=invalid,
        against_all=against,
        votes=votes,
    )


def _ratio(numerator: int, denominator: int) -> float:
    """numerator / denominator rounded half up to 4 decimals, in exact integer arithmetic.

    Float ``round`` rounds half to even on a binary approximation, so 1/32 would
    publish as 0.0312; a commission rounds it to 0.0313.
    """
    return (20000 * numerator + denominator) // (2 * denominator) / 10000


def turnout(ballots_in_boxes: int, voters_on_list: int) -> float | None:
    """Ballots found in the boxes / voters on the list; None when nobody is on the list."""
    if voters_on_list == 0:
        return None
    return _ratio(ballots_in_boxes, voters_on_list)


def share(votes: int, ballots_in_boxes: int) -> float:
    """A candidate's votes / ballots in the boxes (those who took part); 0.0 with no ballots."""
    if ballots_in_boxes == 0:
        return 0.0
    return _ratio(votes, ballots_in_boxes)


def decide(votes: Mapping[int, int], precincts_reporting: int, precincts_total: int) -> Outcome:
    """Plurality winner (art. 9, 113-10), or a tie for first place (repeat election, art. 113-9).

    Pending until every precinct has reported. "Against all" is not an input: it
    never changes the winner. Raises ValueError with no candidates: an election
    without candidates has no result to decide, not a tie.
    """
    if not votes:
        raise ValueError("no candidates")
    if precincts_reporting > precincts_total:
        raise ValueError(f"{precincts_reporting} precincts reporting of {precincts_total}")
    if precincts_total == 0 or precincts_reporting < precincts_total:
        return Outcome("pending", None, ())
    most = max(votes.values())
    leaders = tuple(candidate_id for candidate_id, n in votes.items() if n == most)
    if len(leaders) == 1:
        return Outcome("winner", leaders[0], ())
    return Outcome("tie", None, leaders)


def deposit_refunds(
    votes: Mapping[int, int],
    ballots_in_boxes: int,
    winner_candidate_id: int | None,
    threshold: Fraction,
) -> list[int]:
    """Candidates whose deposit is refunded, in the order of ``votes``.

    The winner always; any other candidate with votes / ballots in the boxes >=
    ``threshold`` (the profile's refund share, 1/20), compared exactly. A refund
    on a candidate's death is the service's business, not the count's.
    """
    if winner_candidate_id is not None and winner_candidate_id not in votes:
        raise ValueError(f"winner {winner_candidate_id} is not a candidate")
    # n / ballots >= p / q compared as n * q >= p * ballots: exact, without a Fraction each.
    p, q = threshold.numerator, threshold.denominator
    return [
        candidate_id
        for candidate_id, n in votes.items()
        if candidate_id == winner_candidate_id
        or (ballots_in_boxes > 0 and n * q >= p * ballots_in_boxes)
    ]
