import pytest

from elections.ballots.paper import (
    AGAINST_ALL_LABEL,
    SELF_NOMINATED,
    BallotCandidate,
    ballot_order,
    print_run,
)

SELF = {"type": "self"}
PARTY = {"type": "party", "party": {"kk": "«Amanat» партиясы", "ru": "Партия «Amanat»"}}


def candidate(candidate_id, last_name, first_name="Айбек", patronymic=None, nomination=SELF):
    return BallotCandidate(candidate_id, last_name, first_name, patronymic, nomination)


def ordered_names(candidates):
    return [(c.last_name, c.first_name, c.patronymic) for c in ballot_order(reversed(candidates))]


@pytest.mark.parametrize(
    "expected",
    [
        pytest.param(
            ["Абаев", "Әбдірахманов", "Бекетов"],
            id="Ә-between-А-and-Б",
        ),
        pytest.param(
            ["Гусейнов", "Ғалымжанов", "Дүйсенов"],
            id="Ғ-between-Г-and-Д",
        ),
        pytest.param(
            ["Кенжебаев", "Қасымов", "Ләззатов"],
            id="Қ-between-К-and-Л",
        ),
        pytest.param(
            ["Нұрланов", "Нысанбаев"],
            id="Ұ-inside-a-name-before-Ы",
        ),
        pytest.param(
            ["Шеңгелбаев", "Шерниязов"],
            id="Ң-inside-a-name-before-Р",
        ),
        pytest.param(
            ["Оспанов", "Өтегенов", "Пак"],
            id="Ө-between-О-and-П",
        ),
        pytest.param(
            ["Усенов", "Ұлықбеков", "Үмбетов", "Фролов"],
            id="У-Ұ-Ү-then-Ф",
        ),
        pytest.param(
            ["Хасенов", "Һашимов", "Цой"],
            id="Һ-between-Х-and-Ц",
        ),
        pytest.param(
            ["Ыбыраев", "Іскаков", "Эминов"],
            id="І-between-Ы-and-Э",
        ),
    ],
)
def test_ballot_order_by_last_name(expected):
    candidates = [candidate(i, name) for i, name in enumerate(expected, start=1)]
    assert [c.last_name for c in ballot_order(reversed(candidates))] == expected


@pytest.mark.parametrize(
    "expected",
    [
        pytest.param(
            [("Сейтов", "Айбек", None), ("Сейтов", "Әлихан", None), ("Сейтов", "Болат", None)],
            id="same-surname-by-first-name",
        ),
        pytest.param(
            [
                ("Сейтов", "Айбек", None),
                ("Сейтов", "Айбек", "Маратұлы"),
                ("Сейтов", "Айбек", "Нұрланұлы"),
                ("Сейтов", "Айбек", "Өмірұлы"),
            ],
            id="same-names-by-patronymic-none-first",
        ),
        pytest.param(
            [("Сейтов", "Айбек", ""), ("Сейтов", "Айбек", "Қайратұлы")],
            id="empty-patronymic-counts-as-none",
        ),
    ],
)
def test_ballot_order_ties(expected):
    candidates = [candidate(i, *names) for i, names in enumerate(expected, start=1)]
    assert ordered_names(candidates) == expected


def test_full_namesakes_ordered_by_candidate_id():
    candidates = [candidate(i, "Сейтов", "Айбек", "Маратұлы") for i in (7, 3, 5)]
    assert [c.candidate_id for c in ballot_order(candidates)] == [3, 5, 7]


def test_surname_decides_before_first_name():
    candidates = [candidate(1, "Бекетов", "Айбек"), candidate(2, "Әбдірахманов", "Ясин")]
    assert [c.candidate_id for c in ballot_order(candidates)] == [2, 1]


def test_ballot_order_keeps_candidate_data():
    party = candidate(1, "Қасымов", "Ерлан", "Маратұлы", PARTY)
    own = candidate(2, "Абаев", "Дәурен")
    assert ballot_order([party, own]) == [own, party]


def test_labels():
    assert AGAINST_ALL_LABEL == {"kk": "Барлығына қарсы", "ru": "Против всех"}
    assert SELF_NOMINATED == {"kk": "Өзін-өзі ұсынған", "ru": "Самовыдвижение"}


@pytest.mark.parametrize(
    ("voters", "ballots"),
    [
        pytest.param(0, 0, id="empty-list"),
        pytest.param(1, 2, id="one-voter-rounds-up"),
        pytest.param(99, 100, id="99"),
        pytest.param(100, 101, id="100-exact-percent"),
        pytest.param(101, 103, id="101-rounds-up"),
        pytest.param(1000, 1010, id="1000"),
        pytest.param(1001, 1012, id="1001-rounds-up"),
    ],
)
def test_print_run(voters, ballots):
    assert print_run(voters) == ballots


def test_print_run_refuses_negative():
    with pytest.raises(ValueError):
        print_run(-1)
