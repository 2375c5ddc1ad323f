"""About 12 million synthetic voters for the national round, each with a valid IIN, unique in
the round, and of voting age on its election day.

The n-th voter of the round (``n`` from 0) is born on day ``n mod SPAN`` from 1 January 1940,
and takes serial ``4 * (n div SPAN) + j``, the first ``j`` of 0-3 that admits a check digit:
two voters born the same day have serials four apart, so no IIN repeats (a voter whose four
serials all admit none, about one in 14,600, is passed over for the next ``n``). Names come
from the precinct's own random stream: the same seed gives the same voters in any order.

Nothing here is kept: the rows are made as they are written (a CSV for the API, a bulk insert
for the demo), a precinct at a time.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta

from elections.candidates.iin import check_digit
from elections.demo.names import STREETS, person

BORN_FROM = date(1940, 1, 1)
SPAN = 24_000  # days: the youngest born in September 2005, 18 before any 2026 election day
_SEXES = ("male", "female")
# A pool of names per precinct stream: ``person`` is the slow part, so it is drawn once.
_POOL = 512


def _century_digit(born: date, sex: str) -> int:
    return 2 * (born.year // 100 - 18) + (1 if sex == "male" else 2)


def iin_of(n: int) -> tuple[str, date, str] | None:
    """The IIN, birth date and sex of the round's n-th voter; None when it has none."""
    born = BORN_FROM + timedelta(days=n % SPAN)
    sex = _SEXES[(n // SPAN) % 2]
    stem = f"{born.year % 100:02d}{born.month:02d}{born.day:02d}{_century_digit(born, sex)}"
    base = 4 * (n // SPAN)
    for serial in range(base, base + 4):
        first11 = f"{stem}{serial:04d}"
        digit = check_digit(first11)
        if digit is not None:
            return f"{first11}{digit}", born, sex
    return None


def precinct_voters(seed: int, precinct: dict, first: int) -> tuple[list[dict], int]:
    """The precinct's ``voters_on_list`` voters from the round's ``first``-th on, as list
    rows; and the next voter's number."""
    rng = random.Random(seed * 1_000_003 + precinct["id"])
    drawn = [person(rng) for _ in range(_POOL)]
    names = {sex: [p for p in drawn if p[3] == sex] or drawn for sex in _SEXES}
    village = precinct["address"].split(",")[0]
    rows, n = [], first
    while len(rows) < precinct["voters_on_list"]:
        made = iin_of(n)
        n += 1
        if made is None:
            continue
        iin, born, sex = made
        last, first_name, patronymic, _ = rng.choice(names[sex])
        rows.append(
            {
                "iin": iin,
                "last_name": last,
                "first_name": first_name,
                "patronymic": patronymic,
                "birth_date": born.isoformat(),
                "address": f"{village}, {STREETS[n % len(STREETS)]} көшесі {1 + n % 97}",
            }
        )
    return rows, n


def round_voters(seed: int, precincts: list[dict]) -> Iterator[tuple[dict, list[dict]]]:
    """Every precinct with its voters, in the order given (the round's precinct order)."""
    n = 0
    for precinct in precincts:
        rows, n = precinct_voters(seed, precinct, n)
        yield precinct, rows
