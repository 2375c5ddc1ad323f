from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from elections.ballots.tally import (
    IN_BOXES_EQUALS_INVALID_PLUS_VOTES,
    IN_BOXES_NOT_ABOVE_ISSUED,
    ISSUED_NOT_ABOVE_LIST,
    LINE_FIELDS,
    RECEIVED_EQUALS_ISSUED_PLUS_CANCELLED,
    ProtocolFigures,
    check_relations,
    failed_relations,
    figure_errors,
    is_consistent,
    protocol_lines,
)

# The example of api.md: 8 invalid + 500 + 250 + 40 against all = 798 in the boxes.
BASE = ProtocolFigures(
    voters_on_list=1000,
    ballots_received=1010,
    ballots_issued=800,
    ballots_cancelled=210,
    ballots_in_boxes=798,
    invalid_ballots=8,
    votes={11: 500, 12: 250},
    against_all=40,
)
BASE_FIELDS = {
    "voters_on_list": 1000,
    "ballots_received": 1010,
    "ballots_issued": 800,
    "ballots_cancelled": 210,
    "ballots_in_boxes": 798,
    "invalid_ballots": 8,
    "against_all": 40,
}
ALL_RELATIONS = [
    RECEIVED_EQUALS_ISSUED_PLUS_CANCELLED,
    ISSUED_NOT_ABOVE_LIST,
    IN_BOXES_NOT_ABOVE_ISSUED,
    IN_BOXES_EQUALS_INVALID_PLUS_VOTES,
]


def relation(fig, name):
    return next(r for r in check_relations(fig) if r.name == name)


def test_base_protocol_is_consistent():
    assert BASE.candidate_votes_total == 750
    assert [r.name for r in check_relations(BASE)] == ALL_RELATIONS
    assert all(r.holds for r in check_relations(BASE))
    assert failed_relations(BASE) == []
    assert is_consistent(BASE)


@pytest.mark.parametrize(
    ("name", "changes", "holds", "left", "right"),
    [
        pytest.param(RECEIVED_EQUALS_ISSUED_PLUS_CANCELLED, {}, True, 1010, 1010, id="r1-passes"),
        pytest.param(
            RECEIVED_EQUALS_ISSUED_PLUS_CANCELLED,
            {"ballots_received": 1011},
            False,
            1011,
            1010,
            id="r1-fails-received-one-too-many",
        ),
        pytest.param(
            ISSUED_NOT_ABOVE_LIST, {"voters_on_list": 800}, True, 800, 800, id="r2-passes-equal"
        ),
        pytest.param(
            ISSUED_NOT_ABOVE_LIST,
            {"voters_on_list": 799},
            False,
            800,
            799,
            id="r2-fails-issued-above-list",
        ),
        pytest.param(
            IN_BOXES_NOT_ABOVE_ISSUED,
            {"ballots_in_boxes": 800, "invalid_ballots": 10},
            True,
            800,
            800,
            id="r3-passes-equal",
        ),
        pytest.param(
            IN_BOXES_NOT_ABOVE_ISSUED,
            {"ballots_in_boxes": 801, "invalid_ballots": 11},
            False,
            801,
            800,
            id="r3-fails-in-boxes-above-issued",
        ),
        pytest.param(IN_BOXES_EQUALS_INVALID_PLUS_VOTES, {}, True, 798, 798, id="r4-passes"),
        pytest.param(
            IN_BOXES_EQUALS_INVALID_PLUS_VOTES,
            {"against_all": 41},
            False,
            798,
            799,
            id="r4-fails-against-all-one-too-many",
        ),
        pytest.param(
            IN_BOXES_EQUALS_INVALID_PLUS_VOTES,
            {"votes": {11: 499, 12: 250}},
            False,
            798,
            797,
            id="r4-fails-candidate-one-short",
        ),
    ],
)
def test_each_relation(name, changes, holds, left, right):
    fig = replace(BASE, **changes)
    checked = relation(fig, name)
    assert (checked.holds, checked.left, checked.right) == (holds, left, right)
    # Each failing case breaks only its own relation.
    assert [r.name for r in failed_relations(fig)] == ([] if holds else [name])
    assert is_consistent(fig) is holds


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param(
            {"ballots_received": 1000, "voters_on_list": 700},
            [RECEIVED_EQUALS_ISSUED_PLUS_CANCELLED, ISSUED_NOT_ABOVE_LIST],
            id="r1-and-r2",
        ),
        pytest.param(
            {"ballots_in_boxes": 900},
            [IN_BOXES_NOT_ABOVE_ISSUED, IN_BOXES_EQUALS_INVALID_PLUS_VOTES],
            id="r3-and-r4-in-boxes-too-high",
        ),
        pytest.param(
            {"ballots_issued": 801},
            [RECEIVED_EQUALS_ISSUED_PLUS_CANCELLED],
            id="issued-plus-one-breaks-only-r1",
        ),
        pytest.param(
            {"ballots_received": 5, "voters_on_list": 10, "ballots_in_boxes": 900},
            ALL_RELATIONS,
            id="all-four",
        ),
    ],
)
def test_several_failures_reported_together(changes, expected):
    assert [r.name for r in failed_relations(replace(BASE, **changes))] == expected


@pytest.mark.parametrize(
    ("votes", "formula"),
    [
        pytest.param({}, "line 5 = line 6 + line 7", id="no-candidates"),
        pytest.param({1: 0}, "line 5 = line 6 + line 7 + line 8", id="one-candidate"),
        pytest.param({1: 0, 2: 0}, "line 5 = line 6 + lines 7-8 + line 9", id="two"),
        pytest.param({1: 0, 2: 0, 3: 0}, "line 5 = line 6 + lines 7-9 + line 10", id="three"),
    ],
)
def test_votes_formula_names_the_lines(votes, formula):
    fig = ProtocolFigures(0, 0, 0, 0, 0, 0, votes, 0)
    assert relation(fig, IN_BOXES_EQUALS_INVALID_PLUS_VOTES).formula == formula


def test_fixed_formulas():
    assert [r.formula for r in check_relations(BASE)[:3]] == [
        "line 2 = line 3 + line 4",
        "line 3 <= line 1",
        "line 5 <= line 3",
    ]


def test_descriptions_are_trilingual_and_recount_is_mentioned():
    for checked in check_relations(BASE):
        assert set(checked.description) == {"kk", "ru", "en"}
        assert all(text.endswith(".") for text in checked.description.values())
    recount = relation(BASE, IN_BOXES_NOT_ABOVE_ISSUED).description
    assert "recount" in recount["en"]
    assert "пересчитать" in recount["ru"]
    assert "қайта санау" in recount["kk"]


def test_protocol_lines():
    assert protocol_lines([11, 12]) == {
        1: "voters_on_list",
        2: "ballots_received",
        3: "ballots_issued",
        4: "ballots_cancelled",
        5: "ballots_in_boxes",
        6: "invalid_ballots",
        7: "votes.11",
        8: "votes.12",
        9: "against_all",
    }
    assert protocol_lines([])[7] == "against_all"


@pytest.mark.parametrize(
    ("field_changes", "votes", "expected"),
    [
        pytest.param({}, {11: 500, 12: 250}, [], id="valid"),
        pytest.param({}, {11: 0, 12: 0}, [], id="zero-is-allowed"),
        pytest.param(
            {"ballots_cancelled": -1}, {11: 1}, [("ballots_cancelled", "negative")], id="negative"
        ),
        pytest.param(
            {"invalid_ballots": True}, {11: 1}, [("invalid_ballots", "not_integer")], id="bool"
        ),
        pytest.param(
            {"against_all": False}, {11: 1}, [("against_all", "not_integer")], id="bool-false"
        ),
        pytest.param(
            {"voters_on_list": 5.0}, {11: 1}, [("voters_on_list", "not_integer")], id="whole-float"
        ),
        pytest.param(
            {"voters_on_list": 5.5}, {11: 1}, [("voters_on_list", "not_integer")], id="float"
        ),
        pytest.param(
            {"ballots_issued": "800"}, {11: 1}, [("ballots_issued", "not_integer")], id="string"
        ),
        pytest.param(
            {"ballots_in_boxes": None}, {11: 1}, [("ballots_in_boxes", "not_integer")], id="none"
        ),
        pytest.param({}, {11: -3, 12: 1}, [("votes.11", "negative")], id="negative-vote"),
        pytest.param({}, {11: 1, 12: 2.0}, [("votes.12", "not_integer")], id="float-vote"),
        pytest.param({}, {"11": True}, [("votes.11", "not_integer")], id="bool-vote-string-id"),
        pytest.param(
            {"voters_on_list": -1, "ballots_received": "x", "against_all": -2},
            {11: -1, 12: 1.5},
            [
                ("voters_on_list", "negative"),
                ("ballots_received", "not_integer"),
                ("votes.11", "negative"),
                ("votes.12", "not_integer"),
                ("against_all", "negative"),
            ],
            id="several-in-line-order",
        ),
    ],
)
def test_figure_errors(field_changes, votes, expected):
    errors = figure_errors({**BASE_FIELDS, **field_changes}, votes)
    assert [(e.field, e.code) for e in errors] == expected
    for error in errors:
        assert set(error.message) == {"kk", "ru", "en"}


def test_missing_line_is_not_a_whole_number():
    fields = {k: v for k, v in BASE_FIELDS.items() if k != "ballots_issued"}
    assert [(e.field, e.code) for e in figure_errors(fields, {11: 1})] == [
        ("ballots_issued", "not_integer")
    ]


def test_figure_error_message_names_the_line():
    (error,) = figure_errors({**BASE_FIELDS, "against_all": -1}, {11: 1, 12: 1})
    assert error.message == {
        "kk": "9-жолдағы сан теріс болмауы тиіс.",
        "ru": "Число в строке 9 не может быть отрицательным.",
        "en": "Line 9 must not be negative.",
    }


# --- Properties -------------------------------------------------------------------------------

counts = st.integers(min_value=0, max_value=10_000)
# Slack between lines that may differ: zero half of the time, to hit the boundaries often.
slacks = st.one_of(st.just(0), counts)


@st.composite
def consistent_protocols(draw):
    """A protocol built to satisfy every relation: votes, against all and invalid give line 5;
    line 3 >= line 5; line 1 >= line 3; line 2 = line 3 + line 4."""
    votes = draw(st.lists(counts, min_size=1, max_size=6))
    against_all = draw(counts)
    invalid = draw(counts)
    in_boxes = invalid + sum(votes) + against_all
    issued = in_boxes + draw(slacks)
    voters = issued + draw(slacks)
    cancelled = draw(counts)
    return ProtocolFigures(
        voters_on_list=voters,
        ballots_received=issued + cancelled,
        ballots_issued=issued,
        ballots_cancelled=cancelled,
        ballots_in_boxes=in_boxes,
        invalid_ballots=invalid,
        votes={100 + i: v for i, v in enumerate(votes)},
        against_all=against_all,
    )


def line_value(fig, line):
    field = protocol_lines(fig.votes)[line]
    if field.startswith("votes."):
        return fig.votes[int(field.removeprefix("votes."))]
    return getattr(fig, field)


def change_line(fig, line, delta):
    field = protocol_lines(fig.votes)[line]
    if field.startswith("votes."):
        candidate_id = int(field.removeprefix("votes."))
        return replace(fig, votes={**fig.votes, candidate_id: fig.votes[candidate_id] + delta})
    return replace(fig, **{field: getattr(fig, field) + delta})


def may_stay_consistent(fig, line, delta):
    """The exact condition under which a ±1 change of one line keeps a consistent protocol
    consistent. Line 1 is the only line that is in no equality: +1 always keeps line 3 <= line 1,
    and -1 keeps it exactly when line 3 < line 1. Lines 2, 3 and 4 are in the equality
    line 2 = line 3 + line 4, and lines 5, 6, 7.. and against all in line 5 = line 6 + votes +
    against all; changing one term of an equality alone always breaks it."""
    return line == 1 and (delta == +1 or fig.ballots_issued < fig.voters_on_list)


def relation_broken_by(line, last_line):
    if line == 1:
        return ISSUED_NOT_ABOVE_LIST
    if line in (2, 3, 4):
        return RECEIVED_EQUALS_ISSUED_PLUS_CANCELLED
    assert 5 <= line <= last_line
    return IN_BOXES_EQUALS_INVALID_PLUS_VOTES


@given(consistent_protocols())
def test_generated_consistent_protocols_pass(fig):
    assert is_consistent(fig)
    fields = {field: getattr(fig, field) for field in [*LINE_FIELDS.values(), "against_all"]}
    assert figure_errors(fields, fig.votes) == []


@given(consistent_protocols())
def test_single_line_change_breaks_a_relation_unless_line_1(fig):
    lines = protocol_lines(fig.votes)
    for line in lines:
        value = line_value(fig, line)
        for delta in (+1, -1) if value > 0 else (+1,):
            changed = change_line(fig, line, delta)
            assert line_value(changed, line) == value + delta
            failed = [r.name for r in failed_relations(changed)]
            if may_stay_consistent(fig, line, delta):
                assert failed == [], (line, delta)
            else:
                assert relation_broken_by(line, max(lines)) in failed, (line, delta)


@pytest.mark.parametrize(
    ("voters_on_list", "delta", "expected"),
    [
        pytest.param(1000, +1, [], id="line1-plus-one-always-consistent"),
        pytest.param(800, +1, [], id="line1-plus-one-at-boundary-still-consistent"),
        pytest.param(1000, -1, [], id="line1-minus-one-with-slack-consistent"),
        pytest.param(800, -1, [ISSUED_NOT_ABOVE_LIST], id="line1-minus-one-at-boundary-breaks"),
    ],
)
def test_line_1_changes(voters_on_list, delta, expected):
    fig = replace(BASE, voters_on_list=voters_on_list)
    assert is_consistent(fig)
    assert [r.name for r in failed_relations(change_line(fig, 1, delta))] == expected
