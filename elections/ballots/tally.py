"""Control relations of a precinct protocol (domain.md, "Count and protocol").

Two steps, in this order: :func:`figure_errors` checks that every line is a whole number
>= 0 on the raw input; only then is a :class:`ProtocolFigures` built and checked with
:func:`check_relations`. A protocol that fails either step cannot be accepted.
"""

import operator
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Literal, TypeGuard

# The lines that every protocol has. Candidates follow from FIRST_CANDIDATE_LINE in ballot
# order, and the against-all line comes last: see protocol_lines.
LINE_FIELDS: Mapping[int, str] = {
    1: "voters_on_list",
    2: "ballots_received",
    3: "ballots_issued",
    4: "ballots_cancelled",
    5: "ballots_in_boxes",
    6: "invalid_ballots",
}
FIRST_CANDIDATE_LINE = 7
AGAINST_ALL_FIELD = "against_all"

RECEIVED_EQUALS_ISSUED_PLUS_CANCELLED = "received_equals_issued_plus_cancelled"
ISSUED_NOT_ABOVE_LIST = "issued_not_above_list"
IN_BOXES_NOT_ABOVE_ISSUED = "in_boxes_not_above_issued"
IN_BOXES_EQUALS_INVALID_PLUS_VOTES = "in_boxes_equals_invalid_plus_votes"


def vote_field(candidate_id: object) -> str:
    """Field name of a candidate's line, e.g. ``votes.12``."""
    return f"votes.{candidate_id}"


def protocol_lines(candidate_ids: Iterable[object]) -> dict[int, str]:
    """Every line of a protocol, line number -> field name, for candidates in ballot order."""
    lines = dict(LINE_FIELDS)
    line = FIRST_CANDIDATE_LINE
    for candidate_id in candidate_ids:
        lines[line] = vote_field(candidate_id)
        line += 1
    lines[line] = AGAINST_ALL_FIELD
    return lines


@dataclass(frozen=True)
class ProtocolFigures:
    """The figures of one protocol. ``votes`` maps candidate id -> votes, in ballot order
    (the order gives the candidates' line numbers)."""

    voters_on_list: int
    ballots_received: int
    ballots_issued: int
    ballots_cancelled: int
    ballots_in_boxes: int
    invalid_ballots: int
    votes: Mapping[int, int]
    against_all: int

    @property
    def candidate_votes_total(self) -> int:
        """Sum of the votes for all candidates (not counting against all)."""
        return sum(self.votes.values())


@dataclass(frozen=True)
class FigureError:
    field: str
    code: Literal["not_integer", "negative"]
    message: dict[str, str]


def _is_whole_number(value: object) -> TypeGuard[int]:
    # bool is a subclass of int but True is not a count. Floats are refused even when whole
    # (5.0): a protocol is written in whole numbers, and a float in the input means a client
    # computed or converted a figure, which the commission must see rather than have rounded.
    # Strings ("5") are refused too: parsing belongs to the schema layer, not here.
    return isinstance(value, int) and not isinstance(value, bool)


def figure_errors(
    fields: Mapping[str, object], votes: Mapping[object, object]
) -> list[FigureError]:
    """Errors for every line that is not a whole number >= 0, in line order.

    ``fields`` holds lines 1-6 and ``against_all`` by field name; a missing line counts as
    not a whole number. ``votes`` maps candidate id -> votes in ballot order; its lines are
    reported as ``votes.<candidate id>``.
    """
    values = {vote_field(candidate_id): value for candidate_id, value in votes.items()}
    errors = []
    for line, field in protocol_lines(votes).items():
        value = values[field] if field in values else fields.get(field)
        if not _is_whole_number(value):
            errors.append(
                FigureError(
                    field,
                    "not_integer",
                    {
                        "kk": f"{line}-жолда бүтін сан болуы тиіс.",
                        "ru": f"В строке {line} должно быть целое число.",
                        "en": f"Line {line} must be a whole number.",
                    },
                )
            )
        elif value < 0:
            errors.append(
                FigureError(
                    field,
                    "negative",
                    {
                        "kk": f"{line}-жолдағы сан теріс болмауы тиіс.",
                        "ru": f"Число в строке {line} не может быть отрицательным.",
                        "en": f"Line {line} must not be negative.",
                    },
                )
            )
    return errors


@dataclass(frozen=True)
class Relation:
    """One control relation evaluated on a protocol: ``left`` and ``right`` are its two sides."""

    name: str
    formula: str
    left: int
    right: int
    holds: bool
    description: dict[str, str]


_DESCRIPTIONS = {
    RECEIVED_EQUALS_ISSUED_PLUS_CANCELLED: {
        "kk": "Учаскелік комиссия алған бюллетеньдер саны (2-жол) сайлаушыларға берілген "
        "(3-жол) және жойылған (4-жол) бюллетеньдер санының қосындысына тең болуы тиіс.",
        "ru": "Число бюллетеней, полученных участковой комиссией (строка 2), должно равняться "
        "сумме бюллетеней, выданных избирателям (строка 3), и погашенных бюллетеней "
        "(строка 4).",
        "en": "Ballots received by the precinct commission (line 2) must equal the ballots "
        "issued to voters (line 3) plus the ballots cancelled (line 4).",
    },
    ISSUED_NOT_ABOVE_LIST: {
        "kk": "Сайлаушыларға берілген бюллетеньдер саны (3-жол) тізімге енгізілген "
        "сайлаушылар санынан (1-жол) аспауы тиіс.",
        "ru": "Число бюллетеней, выданных избирателям (строка 3), не может превышать число "
        "избирателей, включённых в список (строка 1).",
        "en": "Ballots issued to voters (line 3) must not exceed the number of voters on the "
        "list (line 1).",
    },
    IN_BOXES_NOT_ABOVE_ISSUED: {
        "kk": "Сайлау жәшіктерінен табылған бюллетеньдер саны (5-жол) сайлаушыларға берілген "
        "бюллетеньдер санынан (3-жол) аспауы тиіс; олай болмаса, заң берілген "
        "бюллетеньдерді қайта санауды талап етеді.",
        "ru": "Число бюллетеней, обнаруженных в ящиках для голосования (строка 5), не может "
        "превышать число бюллетеней, выданных избирателям (строка 3); в противном случае "
        "закон требует пересчитать выданные бюллетени.",
        "en": "Ballots found in the ballot boxes (line 5) must not exceed the ballots issued "
        "to voters (line 3); when they do, the law orders a recount of the issued ballots.",
    },
    IN_BOXES_EQUALS_INVALID_PLUS_VOTES: {
        "kk": "Сайлау жәшіктерінен табылған бюллетеньдер саны (5-жол) жарамсыз бюллетеньдер "
        "санының (6-жол), кандидаттарға берілген дауыстар мен «Барлығына қарсы» "
        "дауыстарының қосындысына тең болуы тиіс.",
        "ru": "Число бюллетеней, обнаруженных в ящиках для голосования (строка 5), должно "
        "равняться сумме недействительных бюллетеней (строка 6), голосов, поданных за "
        "кандидатов, и голосов «Против всех».",
        "en": "Ballots found in the ballot boxes (line 5) must equal the invalid ballots "
        "(line 6) plus the votes for the candidates plus the votes against all.",
    },
}


def _votes_formula(candidates: int) -> str:
    against_all_line = FIRST_CANDIDATE_LINE + candidates
    if candidates == 0:
        return f"line 5 = line 6 + line {against_all_line}"
    if candidates == 1:
        return f"line 5 = line 6 + line {FIRST_CANDIDATE_LINE} + line {against_all_line}"
    return (
        f"line 5 = line 6 + lines {FIRST_CANDIDATE_LINE}-{against_all_line - 1}"
        f" + line {against_all_line}"
    )


def _relation(
    name: str, formula: str, left: int, right: int, compare: Callable[[int, int], bool]
) -> Relation:
    return Relation(name, formula, left, right, compare(left, right), _DESCRIPTIONS[name])


def check_relations(fig: ProtocolFigures) -> list[Relation]:
    """All four control relations, in the order of domain.md, each with its two sides."""
    return [
        _relation(
            RECEIVED_EQUALS_ISSUED_PLUS_CANCELLED,
            "line 2 = line 3 + line 4",
            fig.ballots_received,
            fig.ballots_issued + fig.ballots_cancelled,
            operator.eq,
        ),
        _relation(
            ISSUED_NOT_ABOVE_LIST,
            "line 3 <= line 1",
            fig.ballots_issued,
            fig.voters_on_list,
            operator.le,
        ),
        _relation(
            IN_BOXES_NOT_ABOVE_ISSUED,
            "line 5 <= line 3",
            fig.ballots_in_boxes,
            fig.ballots_issued,
            operator.le,
        ),
        _relation(
            IN_BOXES_EQUALS_INVALID_PLUS_VOTES,
            _votes_formula(len(fig.votes)),
            fig.ballots_in_boxes,
            fig.invalid_ballots + fig.candidate_votes_total + fig.against_all,
            operator.eq,
        ),
    ]


def failed_relations(fig: ProtocolFigures) -> list[Relation]:
    """Every relation the protocol fails, in check order (all of them, not only the first)."""
    return [relation for relation in check_relations(fig) if not relation.holds]


def is_consistent(fig: ProtocolFigures) -> bool:
    """True when the protocol satisfies every control relation."""
    return not failed_relations(fig)
