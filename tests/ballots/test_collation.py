import pytest

from elections.ballots.collation import KAZAKH_ALPHABET, kazakh_key, kazakh_sorted

# (earlier, later): pairs that code-point order gets wrong unless stated otherwise.
ORDERED_PAIRS = [
    pytest.param("Абаев", "Әбдірахманов", id="А-before-Ә"),
    pytest.param("Әбдірахманов", "Бекетов", id="Ә-before-Б"),
    pytest.param("Гусейнов", "Ғалымжанов", id="Г-before-Ғ"),
    pytest.param("Ғалымжанов", "Дүйсенов", id="Ғ-before-Д"),
    pytest.param("Ержанов", "Ёлдашев", id="Е-before-Ё"),
    pytest.param("Ёлдашев", "Жұмабаев", id="Ё-before-Ж"),
    pytest.param("Кенжебаев", "Қасымов", id="К-before-Қ"),
    pytest.param("Қасымов", "Ләззатов", id="Қ-before-Л"),
    pytest.param("Шеңгелбаев", "Шерниязов", id="Ң-before-Р-inside-a-name"),
    pytest.param("Оспанов", "Өтегенов", id="О-before-Ө"),
    pytest.param("Өтегенов", "Пак", id="Ө-before-П"),
    pytest.param("Усенов", "Ұлықбеков", id="У-before-Ұ"),
    pytest.param("Ұлықбеков", "Үмбетов", id="Ұ-before-Ү-as-domain-md"),
    pytest.param("Үмбетов", "Фролов", id="Ү-before-Ф"),
    pytest.param("Хасенов", "Һашимов", id="Х-before-Һ"),
    pytest.param("Һашимов", "Цой", id="Һ-before-Ц"),
    pytest.param("Ыбыраев", "Іскаков", id="Ы-before-І"),
    pytest.param("Іскаков", "Эминов", id="І-before-Э"),
    pytest.param("Ким", "Ким-Ли", id="prefix-first"),
    pytest.param("Ким Ли", "Ким-Ли", id="space-before-hyphen"),
    pytest.param("Ким-Ли", "Кима", id="hyphen-before-letters"),
    pytest.param("Иванов2", "Иванова", id="digit-before-letters"),
    pytest.param("Иванов10", "Иванов2", id="digits-compared-one-by-one-not-as-numbers"),
    pytest.param("Яковлев", "Smith", id="latin-after-kazakh-letters"),
    pytest.param("абаев", "Әбдірахманов", id="case-insensitive-lower-vs-upper"),
]


@pytest.mark.parametrize(("earlier", "later"), ORDERED_PAIRS)
def test_kazakh_order(earlier, later):
    assert kazakh_key(earlier) < kazakh_key(later)
    assert kazakh_sorted([later, earlier]) == [earlier, later]


def test_code_point_order_is_wrong_for_the_kazakh_letters():
    # The reason the module exists: plain sorted() puts Ә after Я.
    assert sorted(["Әбдірахманов", "Яковлев"]) == ["Яковлев", "Әбдірахманов"]
    assert kazakh_sorted(["Яковлев", "Әбдірахманов"]) == ["Әбдірахманов", "Яковлев"]


def test_alphabet_has_42_letters_in_order():
    assert len(KAZAKH_ALPHABET) == 42
    shuffled = list(reversed(KAZAKH_ALPHABET))
    assert kazakh_sorted(shuffled) == list(KAZAKH_ALPHABET)
    assert kazakh_sorted([letter.lower() for letter in shuffled]) == [
        letter.lower() for letter in KAZAKH_ALPHABET
    ]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        pytest.param("ҚАСЫМОВ", "қасымов", id="upper-vs-lower"),
        pytest.param("Әлиев", "әЛИЕВ", id="mixed-case"),
        pytest.param("Й", "И\u0306", id="decomposed-short-i"),
        pytest.param("Ё", "Е\u0308", id="decomposed-yo"),
    ],
)
def test_equal_keys(a, b):
    assert kazakh_key(a) == kazakh_key(b)


def test_sorted_is_stable_for_equal_keys():
    assert kazakh_sorted(["Б", "а", "А"]) == ["а", "А", "Б"]


def test_sorted_with_key():
    rows = [{"name": "Бекетов"}, {"name": "Әбдірахманов"}, {"name": "Абаев"}]
    assert [row["name"] for row in kazakh_sorted(rows, key=lambda row: row["name"])] == [
        "Абаев",
        "Әбдірахманов",
        "Бекетов",
    ]


def test_full_list():
    names = [
        "Эминов",
        "Іскаков",
        "Ыбыраев",
        "Ләззатов",
        "Қасымов",
        "Кенжебаев",
        "Бекетов",
        "Әбдірахманов",
        "Абаев",
        "Үмбетов",
        "Ұлықбеков",
        "Усенов",
    ]
    assert kazakh_sorted(names) == [
        "Абаев",
        "Әбдірахманов",
        "Бекетов",
        "Кенжебаев",
        "Қасымов",
        "Ләззатов",
        "Усенов",
        "Ұлықбеков",
        "Үмбетов",
        "Ыбыраев",
        "Іскаков",
        "Эминов",
    ]
