"""A voter-list row's checks and the name comparison of signature sheets (pure rules)."""

from __future__ import annotations

from datetime import date

import pytest

from elections.candidates.iin import make_iin
from elections.voters.rules import (
    ListRow,
    Refusal,
    check_list_row,
    normalise_name,
    same_person_names,
)

ELECTION_DAY = date(2026, 12, 20)


def row(born: date, **cells) -> dict:
    cells.setdefault("iin", make_iin(born, "male", 7))
    return {
        "last_name": "Оспанов",
        "first_name": "Ерлан",
        "patronymic": "",
        "birth_date": born.isoformat(),
        "address": "Бірлік ауылы",
        **cells,
    }


def test_a_voter_18_on_election_day_itself_is_on_the_list():
    """Constitution art. 33: a citizen who has reached 18 votes; the 18th birthday falling on
    election day counts as reached."""
    born = date(2008, 12, 20)
    assert isinstance(check_list_row(2, row(born), ELECTION_DAY), ListRow)


def test_a_voter_turning_18_the_day_after_election_day_is_refused():
    born = date(2008, 12, 21)
    assert check_list_row(2, row(born), ELECTION_DAY) == Refusal(2, "under_voting_age")


def test_a_birthday_on_29_february_comes_of_age_on_1_march():
    born = date(2008, 2, 29)
    assert check_list_row(2, row(born), date(2026, 2, 28)) == Refusal(2, "under_voting_age")
    assert isinstance(check_list_row(2, row(born), date(2026, 3, 1)), ListRow)


@pytest.mark.parametrize(
    ("cells", "code"),
    [
        ({"address": ""}, "missing_field"),
        ({"last_name": "   "}, "missing_field"),
        ({"first_name": "Е" * 101}, "too_long"),
        ({"iin": "12345678901"}, "iin_invalid"),
        ({"iin": "900101300018"}, "iin_invalid"),
        ({"birth_date": "01.01.1990"}, "birth_date_invalid"),
        ({"birth_date": "1990-01-02"}, "birth_date_mismatch"),
    ],
)
def test_each_refusal_of_a_row_names_its_code(cells, code):
    assert check_list_row(5, row(date(1990, 1, 1), **cells), ELECTION_DAY) == Refusal(5, code)


def test_spaces_inside_the_iin_and_around_cells_do_not_matter():
    born = date(1990, 1, 1)
    iin = make_iin(born, "male", 7)
    checked = check_list_row(
        2, row(born, iin=f" {iin[:6]} {iin[6:]} ", last_name=" Оспанов "), ELECTION_DAY
    )
    assert isinstance(checked, ListRow)
    assert (checked.iin, checked.last_name, checked.patronymic) == (iin, "Оспанов", None)


@pytest.mark.parametrize(
    ("typed", "listed"),
    [
        ("ФЁДОРОВ", "Федоров"),
        ("  Әбенова   Гүлнар ", "әбенова гүлнар"),
        ("Жанұзақ - Ахмет", "Жанұзақ-Ахмет"),
    ],
)
def test_names_compare_without_case_yo_and_spaces(typed, listed):
    assert normalise_name(typed) == normalise_name(listed)


def test_a_different_letter_is_a_different_name():
    assert not same_person_names(("Оспанов", "Ерлан", None), ("Оспанова", "Ерлан", None))
    assert same_person_names(("оспанов", "ЕРЛАН", ""), ("Оспанов", "Ерлан", None))
