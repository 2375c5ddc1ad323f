"""The printed ballot: line order, the against-all line and the print run (domain.md, "Ballot")."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from elections.ballots.collation import kazakh_key

AGAINST_ALL_LABEL = {"kk": "Барлығына қарсы", "ru": "Против всех"}
SELF_NOMINATED = {"kk": "Өзін-өзі ұсынған", "ru": "Самовыдвижение"}


@dataclass(frozen=True)
class BallotCandidate:
    """One candidate line of the ballot.

    ``nomination`` is ``{"type": "party", "party": {"kk": ..., "ru": ...}}`` or
    ``{"type": "self"}``.
    """

    candidate_id: int
    last_name: str
    first_name: str
    patronymic: str | None
    nomination: Mapping[str, object]

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.patronymic) if p)


def _ballot_key(candidate: BallotCandidate) -> tuple:
    # kazakh_key("") is "", which sorts before any patronymic: no patronymic comes first.
    return (
        kazakh_key(candidate.last_name),
        kazakh_key(candidate.first_name),
        kazakh_key(candidate.patronymic or ""),
        candidate.candidate_id,
    )


def ballot_order(candidates: Iterable[BallotCandidate]) -> list[BallotCandidate]:
    """Candidates in ballot order: Kazakh alphabetical order of the last name, then the first
    name, then the patronymic (none first); the candidate id settles full namesakes so the
    order never depends on the order the candidates were read in."""
    return sorted(candidates, key=_ballot_key)


def print_run(voters_on_list: int) -> int:
    """Ballots to print for a precinct: the voters on the list plus a 1% reserve, rounded up."""
    if voters_on_list < 0:
        raise ValueError("voters_on_list must not be negative")
    return voters_on_list + -(-voters_on_list // 100)
