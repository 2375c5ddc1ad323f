"""The individual identification number (IIN; ЖСН in Kazakh, ИИН in Russian).

Twelve digits: the birth date as YYMMDD, a digit giving century and sex, four
serial digits and a check digit (domain.md, "Candidates"). Standard library only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

FIRST_WEIGHTS = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
SECOND_WEIGHTS = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)

# Digit 7: (first year of the century, sex). Odd digits are men, even digits women.
CENTURY_SEX = {
    "1": (1800, "male"),
    "2": (1800, "female"),
    "3": (1900, "male"),
    "4": (1900, "female"),
    "5": (2000, "male"),
    "6": (2000, "female"),
}
SEXES = ("male", "female")

_TWELVE_DIGITS = re.compile(r"[0-9]{12}")
_ELEVEN_DIGITS = re.compile(r"[0-9]{11}")


class IinError(ValueError):
    """An IIN that cannot be accepted; ``code`` is the API error code."""

    def __init__(self, code: str, message: dict[str, str]) -> None:
        super().__init__(message["en"])
        self.code = code
        self.message = message


@dataclass(frozen=True)
class IinInfo:
    iin: str
    birth_date: date
    sex: str


def check_digit(first11: str) -> int | None:
    """The check digit for the first 11 digits, or None when no digit can be valid.

    A first pass that gives 10 is retried with the second weights; a second 10
    means the serial cannot be issued.
    """
    if not _ELEVEN_DIGITS.fullmatch(first11):
        raise ValueError(f"expected 11 digits, got {first11!r}")
    digits = [int(c) for c in first11]
    for weights in (FIRST_WEIGHTS, SECOND_WEIGHTS):
        result = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
        if result != 10:
            return result
    return None


def parse_iin(iin: str) -> IinInfo:
    """Birth date and sex read from an IIN; IinError if it is not a valid one."""
    if not _TWELVE_DIGITS.fullmatch(iin):
        raise IinError(
            "iin_format",
            {
                "kk": "ЖСН дәл 12 цифрдан тұруы керек.",
                "ru": "ИИН должен состоять ровно из 12 цифр.",
                "en": "The IIN must consist of exactly 12 digits.",
            },
        )
    if iin[6] not in CENTURY_SEX:
        raise IinError(
            "iin_format",
            {
                "kk": "ЖСН-нің жетінші цифры 1-ден 6-ға дейін болуы керек "
                "(туған ғасыры мен жынысы).",
                "ru": "Седьмая цифра ИИН должна быть от 1 до 6 (век рождения и пол).",
                "en": "The 7th digit of the IIN must be from 1 to 6 (century of birth and sex).",
            },
        )
    century, sex = CENTURY_SEX[iin[6]]
    try:
        birth_date = date(century + int(iin[0:2]), int(iin[2:4]), int(iin[4:6]))
    except ValueError:
        raise IinError(
            "iin_birth_date",
            {
                "kk": "ЖСН-нің алғашқы алты цифры жарамды туған күнді (ЖЖААКК) білдірмейді.",
                "ru": "Первые шесть цифр ИИН не образуют существующую дату рождения (ГГММДД).",
                "en": "The first six digits of the IIN are not a valid birth date (YYMMDD).",
            },
        ) from None
    expected = check_digit(iin[:11])
    if expected is None or expected != int(iin[11]):
        raise IinError(
            "iin_checksum",
            {
                "kk": "ЖСН-нің бақылау цифры дұрыс емес: нөмірде қате жоқ екенін тексеріңіз.",
                "ru": "Неверная контрольная цифра ИИН: проверьте номер на опечатки.",
                "en": "The IIN check digit is wrong: check the number for typos.",
            },
        )
    return IinInfo(iin=iin, birth_date=birth_date, sex=sex)


def validate_iin(iin: str, birth_date: date | None = None) -> IinInfo:
    """Parse an IIN and, when a birth date is declared too, require that they agree."""
    info = parse_iin(iin)
    if birth_date is not None and birth_date != info.birth_date:
        given, read = birth_date.isoformat(), info.birth_date.isoformat()
        raise IinError(
            "iin_birth_date_mismatch",
            {
                "kk": f"Көрсетілген туған күні ({given}) ЖСН-дегі туған күнмен ({read}) "
                "сәйкес келмейді.",
                "ru": f"Указанная дата рождения ({given}) не совпадает с датой рождения "
                f"в ИИН ({read}).",
                "en": f"The birth date given ({given}) does not match the one in the IIN ({read}).",
            },
        )
    return info


def make_iin(birth_date: date, sex: str, serial: int) -> str:
    """A valid IIN for test factories and demo data.

    ``serial`` (0..9999) fills digits 8-11; a serial that admits no check digit is
    skipped for the next one.
    """
    if not 1800 <= birth_date.year <= 2099:
        raise ValueError(f"an IIN encodes birth years 1800-2099, not {birth_date.year}")
    if sex not in SEXES:
        raise ValueError(f"sex must be one of {SEXES}, not {sex!r}")
    if not 0 <= serial <= 9999:
        raise ValueError(f"serial must be 0..9999, not {serial}")
    century_digit = 2 * (birth_date.year // 100 - 18) + (1 if sex == "male" else 2)
    yymmdd = f"{birth_date.year % 100:02d}{birth_date.month:02d}{birth_date.day:02d}"
    for candidate in range(serial, 10_000):
        first11 = f"{yymmdd}{century_digit}{candidate:04d}"
        digit = check_digit(first11)
        if digit is not None:
            return f"{first11}{digit}"
    raise ValueError(f"no valid IIN from serial {serial} up to 9999")
