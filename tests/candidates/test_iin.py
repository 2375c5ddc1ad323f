from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from elections.candidates.iin import (
    IinError,
    IinInfo,
    check_digit,
    make_iin,
    parse_iin,
    validate_iin,
)

# Weights written out again here so the tests do not trust the module's own tables.
FIRST = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
SECOND = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)


def weighted(first11: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(first11, weights, strict=True)) % 11


def first_serial(birth: str, want_second: int | None) -> str:
    """First 11 digits (birth YYMMDD + century digit + serial) whose first pass gives 10
    and whose second pass gives 10 too (``want_second`` None) or not (any other value)."""
    for serial in range(10_000):
        first11 = f"{birth}{serial:04d}"
        second = weighted(first11, SECOND)
        if weighted(first11, FIRST) == 10 and (second == 10) == (want_second is None):
            return first11
    raise AssertionError("no such serial")


@pytest.mark.parametrize(
    ("iin", "birth_date", "sex"),
    [
        pytest.param("500304101230", date(1850, 3, 4), "male", id="1800s-male"),
        pytest.param("991231201233", date(1899, 12, 31), "female", id="1800s-female"),
        pytest.param("850715301233", date(1985, 7, 15), "male", id="1900s-male"),
        pytest.param("900101401238", date(1990, 1, 1), "female", id="1900s-female"),
        pytest.param("010203501234", date(2001, 2, 3), "male", id="2000s-male"),
        pytest.param("040229601238", date(2004, 2, 29), "female", id="2000s-female-leap-day"),
    ],
)
def test_valid_iin_gives_birth_date_and_sex(iin, birth_date, sex):
    assert parse_iin(iin) == IinInfo(iin=iin, birth_date=birth_date, sex=sex)
    assert validate_iin(iin, birth_date) == IinInfo(iin=iin, birth_date=birth_date, sex=sex)


def test_first_pass_only_check_digit():
    first11 = "85011530001"
    assert weighted(first11, FIRST) == 1
    assert check_digit(first11) == 1
    assert parse_iin("850115300011").sex == "male"


def test_second_weights_used_when_first_pass_gives_ten():
    first11 = first_serial("8501153", want_second=0)
    expected = weighted(first11, SECOND)
    assert check_digit(first11) == expected
    info = parse_iin(f"{first11}{expected}")
    assert info.birth_date == date(1985, 1, 15)


def test_both_passes_ten_means_no_valid_iin():
    first11 = first_serial("8501153", want_second=None)
    assert check_digit(first11) is None
    for last in "0123456789":
        with pytest.raises(IinError) as error:
            parse_iin(first11 + last)
        assert error.value.code == "iin_checksum"


def test_make_iin_skips_a_serial_without_check_digit():
    first11 = first_serial("8501153", want_second=None)
    serial = int(first11[7:])
    iin = make_iin(date(1985, 1, 15), "male", serial)
    assert iin[7:11] == f"{serial + 1:04d}"
    assert parse_iin(iin).birth_date == date(1985, 1, 15)


@pytest.mark.parametrize(
    ("iin", "code"),
    [
        pytest.param("850715301234", "iin_checksum", id="wrong-check-digit"),
        pytest.param("85071530123", "iin_format", id="eleven-digits"),
        pytest.param("8507153012333", "iin_format", id="thirteen-digits"),
        pytest.param("85O715301233", "iin_format", id="letter-o-for-zero"),
        pytest.param("8507153012 3", "iin_format", id="space"),
        pytest.param("٨٥٠٧١٥٣٠١٢٣٣", "iin_format", id="non-ascii-digits"),
        pytest.param("", "iin_format", id="empty"),
        pytest.param("850715001230", "iin_format", id="century-digit-0"),
        pytest.param("850715701230", "iin_format", id="century-digit-7"),
    ],
)
def test_invalid_iin(iin, code):
    with pytest.raises(IinError) as error:
        parse_iin(iin)
    assert error.value.code == code
    assert set(error.value.message) == {"kk", "ru", "en"}
    assert all(error.value.message.values())


@pytest.mark.parametrize(
    "first11",
    [
        pytest.param("85131530123", id="month-13"),
        pytest.param("85001530123", id="month-00"),
        pytest.param("85023030123", id="february-30"),
        pytest.param("00022930123", id="february-29-1900-not-leap"),
    ],
)
def test_invalid_birth_date(first11):
    # A correct check digit, so only the date can be what is wrong.
    digit = check_digit(first11)
    assert digit is not None
    with pytest.raises(IinError) as error:
        parse_iin(f"{first11}{digit}")
    assert error.value.code == "iin_birth_date"


def test_birth_date_that_disagrees():
    with pytest.raises(IinError) as error:
        validate_iin("850715301233", date(1985, 7, 16))
    assert error.value.code == "iin_birth_date_mismatch"
    assert "1985-07-16" in error.value.message["ru"]
    assert "1985-07-15" in error.value.message["kk"]
    assert str(error.value) == error.value.message["en"]


def test_iin_error_is_a_value_error():
    with pytest.raises(ValueError):
        parse_iin("abc")


@pytest.mark.parametrize(
    ("birth_date", "sex", "serial"),
    [
        pytest.param(date(1799, 12, 31), "male", 0, id="before-1800"),
        pytest.param(date(2100, 1, 1), "female", 0, id="after-2099"),
        pytest.param(date(1985, 1, 1), "other", 0, id="unknown-sex"),
        pytest.param(date(1985, 1, 1), "male", 10_000, id="serial-too-large"),
        pytest.param(date(1985, 1, 1), "male", -1, id="negative-serial"),
    ],
)
def test_make_iin_rejects(birth_date, sex, serial):
    with pytest.raises(ValueError):
        make_iin(birth_date, sex, serial)


@given(
    birth_date=st.dates(min_value=date(1800, 1, 1), max_value=date(2099, 12, 31)),
    sex=st.sampled_from(["male", "female"]),
    serial=st.integers(min_value=0, max_value=9998),
)
def test_make_iin_round_trips(birth_date, sex, serial):
    # Serial 9998 is safe: a skipped serial is always followed by a valid one.
    iin = make_iin(birth_date, sex, serial)
    assert validate_iin(iin, birth_date) == IinInfo(iin=iin, birth_date=birth_date, sex=sex)
    assert int(iin[7:11]) in (serial, serial + 1)


@given(st.text(alphabet="0123456789", min_size=12, max_size=12))
def test_any_twelve_digits_parse_or_raise_iin_error(iin):
    try:
        info = parse_iin(iin)
    except IinError as error:
        assert error.code in {"iin_format", "iin_checksum", "iin_birth_date"}
    else:
        assert check_digit(iin[:11]) == int(iin[11])
        assert info.birth_date.strftime("%m%d") == iin[2:6]
