"""The checks of a voter-list row and of a signature-sheet row: plain values in, codes out.

Standard library only (and the IIN rules beside it). A row of a voter list is refused for
the first of these it fails, in this order: a missing field, an IIN that is not one, a birth
date that disagrees with the IIN, a voter under 18 on election day, a voter already on this
list. Whether the voter is on another list of the election needs the database: the service
asks it (``on_another_list``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from elections.candidates.iin import IinError, parse_iin
from elections.candidates.rules import age_on

VOTING_AGE = 18  # Constitution, art. 33; Constitutional Law on Elections, art. 4

LIST_FIELDS = ("iin", "last_name", "first_name", "patronymic", "birth_date", "address")
LIST_REQUIRED = ("iin", "last_name", "first_name", "birth_date", "address")
SHEET_FIELDS = ("sheet", "line", "iin", "last_name", "first_name", "patronymic", "signed_on")
SHEET_REQUIRED = ("sheet", "line", "iin", "last_name", "first_name", "signed_on")
NAME_MAX, ADDRESS_MAX = 100, 500

# Why a list row is refused (api.md, "Voter lists").
LIST_REFUSALS = (
    "missing_field",
    "too_long",
    "iin_invalid",
    "birth_date_invalid",
    "birth_date_mismatch",
    "under_voting_age",
    "duplicate_in_list",
    "on_another_list",
)
# A signature row's verdicts (api.md), in the order they are tried; valid when none applies.
VERDICTS = (
    "valid",
    "iin_invalid",
    "signed_before_nomination",
    "duplicate_signature",
    "signed_for_another_candidate",
    "outside_territory",
    "not_on_voter_list",
    "name_mismatch",
)


def normalise_name(name: str | None) -> str:
    """A name as the comparison sees it: case, Ё/Е, spaces and hyphens' spacing ignored."""
    text = unicodedata.normalize("NFC", name or "").casefold().replace("ё", "е")
    return re.sub(r"\s+", " ", text.replace(" -", "-").replace("- ", "-")).strip()


def same_person_names(
    typed: tuple[str | None, str | None, str | None],
    listed: tuple[str | None, str | None, str | None],
) -> bool:
    """Surname, first name and patronymic agree once normalised (an absent patronymic
    on both sides agrees)."""
    return all(normalise_name(a) == normalise_name(b) for a, b in zip(typed, listed, strict=True))


def clean(value) -> str:
    """A cell as text: None and whitespace-only cells are empty."""
    return "" if value is None else str(value).strip()


def parse_day(value) -> date | None:
    """An ISO date (YYYY-MM-DD), or None when the cell is not one."""
    try:
        return date.fromisoformat(clean(value))
    except ValueError:
        return None


@dataclass(frozen=True)
class ListRow:
    """A row of a voter list that passed every check the row alone can fail."""

    line: int
    iin: str
    last_name: str
    first_name: str
    patronymic: str | None
    birth_date: date
    address: str


@dataclass(frozen=True)
class Refusal:
    line: int
    code: str


def check_list_row(line: int, row: dict, election_day: date) -> ListRow | Refusal:
    """The row as a voter, or why it cannot be one (duplicates are the caller's)."""
    cells = {name: clean(row.get(name)) for name in LIST_FIELDS}
    if any(not cells[name] for name in LIST_REQUIRED):
        return Refusal(line, "missing_field")
    if (
        any(len(cells[n]) > NAME_MAX for n in ("last_name", "first_name", "patronymic"))
        or len(cells["address"]) > ADDRESS_MAX
    ):
        return Refusal(line, "too_long")
    iin = cells["iin"].replace(" ", "")
    try:
        info = parse_iin(iin)
    except IinError:
        return Refusal(line, "iin_invalid")
    birth_date = parse_day(cells["birth_date"])
    if birth_date is None:
        return Refusal(line, "birth_date_invalid")
    if birth_date != info.birth_date:
        return Refusal(line, "birth_date_mismatch")
    if age_on(birth_date, election_day) < VOTING_AGE:
        return Refusal(line, "under_voting_age")
    return ListRow(
        line=line,
        iin=iin,
        last_name=cells["last_name"],
        first_name=cells["first_name"],
        patronymic=cells["patronymic"] or None,
        birth_date=birth_date,
        address=cells["address"],
    )


@dataclass(frozen=True)
class SheetRow:
    """A row of a signature sheet as typed: the IIN, when it is one, and the names."""

    sheet: int
    line: int
    iin: str | None
    last_name: str
    first_name: str
    patronymic: str | None
    signed_on: date | None


@dataclass(frozen=True)
class Listed:
    """Where a signer's IIN was found on the voter lists: the names there, and the
    settlement (the precinct's unit) that counts for settlements covered."""

    names: tuple[str, str, str | None]
    settlement_id: int


def signature_verdict(
    row: SheetRow,
    *,
    nominated_on: date,
    seen_before: bool,
    signed_for_another: bool = False,
    lists_loaded: bool,
    listed: Listed | None,
    listed_elsewhere: bool,
) -> str:
    """The verdict on one signature, the first of :data:`VERDICTS` that applies.

    ``seen_before``: the same signer signed an earlier row for this candidate.
    ``signed_for_another``: the signer's valid signature for another candidate of the
    election was checked before, and the commission turned on ``one_candidate_per_signer``.
    ``lists_loaded``: the territory's lists are loaded (otherwise nobody is "not on" them).
    ``listed``: the signer on this election's lists; ``listed_elsewhere``: on another
    election's (another territory's) lists.
    """
    if row.iin is None:
        return "iin_invalid"
    if row.signed_on is None or row.signed_on < nominated_on:
        return "signed_before_nomination"
    if seen_before:
        return "duplicate_signature"
    if signed_for_another:
        return "signed_for_another_candidate"
    if listed is None and listed_elsewhere:
        return "outside_territory"
    if listed is None and lists_loaded:
        return "not_on_voter_list"
    if listed is not None and not same_person_names(
        (row.last_name, row.first_name, row.patronymic), listed.names
    ):
        return "name_mismatch"
    return "valid"


def sheet_row(row: dict) -> SheetRow | Refusal:
    """A signature-sheet row read from its cells; a Refusal when sheet or line is no number.

    An IIN that is not one stays in the row (its verdict is ``iin_invalid``); so does a
    signing date that is no date (``signed_before_nomination``: no date, no proof of time).
    """
    try:
        sheet, line = int(clean(row.get("sheet"))), int(clean(row.get("line")))
    except ValueError:
        return Refusal(0, "missing_field")
    if not (0 < sheet < 1_000_000 and 0 < line < 1_000_000):
        return Refusal(0, "missing_field")
    iin = clean(row.get("iin")).replace(" ", "")
    try:
        parse_iin(iin)
    except IinError:
        iin = None
    names = [clean(row.get(n))[:NAME_MAX] for n in ("last_name", "first_name", "patronymic")]
    return SheetRow(
        sheet=sheet,
        line=line,
        iin=iin,
        last_name=names[0],
        first_name=names[1],
        patronymic=names[2] or None,
        signed_on=parse_day(row.get("signed_on")),
    )
