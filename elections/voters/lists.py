"""A precinct's voter list: loaded whole from the akimat's file, then changed voter by voter.

The list is the organising commission's to load and change, until the day before election
day; it and the precinct's own secretary read it, and every read of a whole list is audited.
A precinct's ``voters_on_list`` follows its list once one is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time
from itertools import islice

from flask_babel import gettext as _
from sqlalchemy import delete, select

from elections.auth.access import ensure_organiser, ensure_precinct_access
from elections.core import audit
from elections.core.audit import Action
from elections.core.clock import now
from elections.core.db import bulk_insert
from elections.core.errors import ErrorItem, ServiceError, conflict, invalid
from elections.core.extensions import db
from elections.territory.calendar import local_instant
from elections.territory.models import Election, Precinct
from elections.voters.messages import refusal_item
from elections.voters.models import Voter, VoterList
from elections.voters.pii import iin_hash, iin_hasher
from elections.voters.reading import Upload
from elections.voters.rules import ListRow, Refusal, check_list_row

CHUNK = 2000  # rows checked against the other lists in one query, and inserted in one batch


def ensure_list_keeper(user, precinct: Precinct) -> None:
    """The organising commission loads and changes the lists of its elections."""
    ensure_organiser(user, precinct.election)


def ensure_list_reader(user, precinct: Precinct) -> None:
    """The organising commission, and the secretary of this precinct only."""
    ensure_precinct_access(user, precinct)


def changes_closed(election: Election) -> ServiceError | None:
    """Why the lists can no longer change (None while they can): they change until the day
    before election day ends, while the election is open."""
    if election.state != "open":
        return conflict(
            "election_settled", _("The election is settled: its lists stay as they are.")
        )
    if now() >= local_instant(election.election_day, time(0, 0), election.tz):
        return conflict(
            "voter_lists_closed",
            _("Voter lists change until the day before election day: they are closed now."),
        )
    return None


def ensure_changes_open(election: Election) -> None:
    closed = changes_closed(election)
    if closed is not None:
        raise closed


def voter_list(precinct: Precinct) -> VoterList | None:
    return db.session.get(VoterList, precinct.id)


def required_list(precinct: Precinct) -> VoterList:
    kept = voter_list(precinct)
    if kept is None:
        raise conflict("no_voter_list", _("No voter list is loaded for this precinct yet."))
    return kept


def listed_precincts(election: Election) -> set[int]:
    """The precincts of the election whose list is loaded."""
    found = select(VoterList.precinct_id).where(VoterList.election_id == election.id)
    return set(db.session.execute(found).scalars())


def _locked(precinct: Precinct) -> Precinct:
    """The precinct row locked (PostgreSQL): two loads of one list wait for each other."""
    return db.session.execute(
        select(Precinct).where(Precinct.id == precinct.id).with_for_update(),
        execution_options={"populate_existing": True},
    ).scalar_one()


@dataclass
class Loaded:
    voters_on_list: int
    digest: str
    refused: list[dict] = field(default_factory=list)


def load_list(precinct: Precinct, upload: Upload, accept_valid: bool, actor) -> Loaded:
    """Replace the precinct's list by the uploaded one, in the caller's transaction.

    Every row is checked; by default one refused row refuses the upload (422 naming every
    refused row), with ``accept_valid`` the rest is loaded and the refused rows reported.
    """
    ensure_changes_open(precinct.election)
    return replace_list(precinct, upload, accept_valid, actor)


def replace_list(precinct: Precinct, upload: Upload, accept_valid: bool, actor) -> Loaded:
    """:func:`load_list` whatever the calendar says: for the demo's past elections, whose
    lists were (in the story it tells) loaded before their election day."""
    precinct = _locked(precinct)
    election_id = precinct.election_id
    before = precinct.voters_on_list
    db.session.execute(delete(Voter).where(Voter.precinct_id == precinct.id))
    seen: set[bytes] = set()
    refused: list[Refusal] = []
    count, hashed = 0, iin_hasher()
    connection = db.session.connection()
    iso = connection.dialect.name != "postgresql"
    rows = iter(upload)
    while chunk := list(islice(rows, CHUNK)):
        checked = []
        for line, cells in chunk:
            row = check_list_row(line, cells, precinct.election.election_day)
            if isinstance(row, Refusal):
                refused.append(row)
                continue
            digest = hashed(row.iin)
            if digest in seen:
                refused.append(Refusal(line, "duplicate_in_list"))
                continue
            seen.add(digest)
            checked.append((digest, row))
        elsewhere = _listed(election_id, [digest for digest, _row in checked])
        batch = []
        for digest, row in checked:
            if digest in elsewhere:
                refused.append(Refusal(row.line, "on_another_list"))
                continue
            count += 1
            batch.append(voter_record(election_id, precinct.id, count, digest, row, iso))
        if accept_valid or not refused:
            bulk_insert(connection, "voters", VOTER_COLUMNS, batch)
    report = [refusal_item(r.line, r.code) for r in sorted(refused, key=lambda r: r.line)]
    if refused and not accept_valid:
        raise _refused(report)
    _keep(precinct, upload.digest, count, actor)
    audit.record(
        Action.VOTER_LIST_LOADED,
        "precinct",
        precinct.id,
        {
            "election_id": election_id,
            "number": precinct.number,
            "voters": count,
            "refused": len(refused),
            "digest": upload.digest,
            "voters_before": before,
        },
        actor,
    )
    return Loaded(count, upload.digest, report)


def _refused(report: list[dict]) -> ServiceError:
    items = [
        ErrorItem(
            item["code"],
            item["message"],
            field=f"line {item['line']}",
            extra={"line": item["line"]},
        )
        for item in report
    ]
    return ServiceError(422, items, cap=None)


def _listed(election_id: int, digests: list[bytes]) -> set[bytes]:
    """Which of these IIN hashes are on a list of the election already."""
    if not digests:
        return set()
    found = db.session.execute(
        select(Voter.iin_hash).where(Voter.iin_hash.in_(digests), Voter.election_id == election_id)
    )
    return set(found.scalars())


VOTER_COLUMNS = (
    "election_id",
    "precinct_id",
    "line",
    "iin_hash",
    "last_name",
    "first_name",
    "patronymic",
    "birth_date",
    "address",
)


def voter_record(election_id, precinct_id, line, digest: bytes, row: ListRow, iso: bool) -> tuple:
    """A ``voters`` row for :func:`~elections.core.db.bulk_insert` (``iso``: SQLite's dates)."""
    born = row.birth_date.isoformat() if iso else row.birth_date
    return (
        election_id,
        precinct_id,
        line,
        digest,
        row.last_name,
        row.first_name,
        row.patronymic,
        born,
        row.address,
    )


def _keep(precinct: Precinct, digest: str, count: int, actor) -> None:
    kept = voter_list(precinct) or VoterList(
        precinct_id=precinct.id, election_id=precinct.election_id
    )
    kept.digest, kept.loaded_at, kept.changes, kept.next_line = digest, now(), 0, count + 1
    kept.loaded_by = getattr(actor, "username", None) or "system"
    db.session.add(kept)
    precinct.voters_on_list = count
    db.session.flush()


def _open_list(precinct: Precinct) -> VoterList:
    ensure_changes_open(precinct.election)
    kept = voter_list(_locked(precinct))
    if kept is None:
        raise conflict(
            "no_voter_list", _("Load the precinct's list first: voters are added to a list.")
        )
    return kept


def add_voter(precinct: Precinct, data: dict, actor) -> Voter:
    """One voter added to a loaded list (moved in, a court decision...), with the reason."""
    kept = _open_list(precinct)
    row = check_list_row(kept.next_line, data, precinct.election.election_day)
    if isinstance(row, Refusal):
        raise invalid([ErrorItem(row.code, refusal_item(0, row.code)["message"])])
    digest = iin_hash(row.iin)
    taken = db.session.execute(
        select(Voter.precinct_id).where(
            Voter.iin_hash == digest, Voter.election_id == precinct.election_id
        )
    ).scalar_one_or_none()
    if taken is not None:
        code = "duplicate_in_list" if taken == precinct.id else "on_another_list"
        raise invalid([ErrorItem(code, refusal_item(0, code)["message"], field="iin")])
    record = voter_record(precinct.election_id, precinct.id, kept.next_line, digest, row, False)
    voter = Voter(**dict(zip(VOTER_COLUMNS, record, strict=True)))
    db.session.add(voter)
    kept.next_line += 1
    _changed(precinct, kept, +1)
    _record_change(Action.VOTER_ADDED, precinct, voter.line, data, actor)
    return voter


def remove_voter(precinct: Precinct, data: dict, actor) -> int:
    """One voter taken off the list (moved, deceased...), found by the IIN, with the reason."""
    kept = _open_list(precinct)
    voter = db.session.execute(
        select(Voter).where(
            Voter.iin_hash == iin_hash(data["iin"]), Voter.precinct_id == precinct.id
        )
    ).scalar_one_or_none()
    if voter is None:
        raise invalid(
            [ErrorItem("not_on_list", _("No voter with this IIN is on this list."), field="iin")]
        )
    line = voter.line
    db.session.delete(voter)
    _changed(precinct, kept, -1)
    _record_change(Action.VOTER_REMOVED, precinct, line, data, actor)
    return line


def _changed(precinct: Precinct, kept: VoterList, by: int) -> None:
    kept.changes += 1
    precinct.voters_on_list += by
    db.session.flush()


def _record_change(action: Action, precinct: Precinct, line: int, data: dict, actor) -> None:
    """The audit event of a change names the row and the reason, never the voter."""
    payload = {
        "election_id": precinct.election_id,
        "number": precinct.number,
        "line": line,
        "reason": data["reason"],
        "note": data.get("note") or None,
        "voters": precinct.voters_on_list,
    }
    audit.record(action, "precinct", precinct.id, payload, actor)


def voters_of(precinct: Precinct, actor, shown_as: str) -> list[Voter]:
    """The whole list, in its order; the read is audited (who read which list, and how)."""
    voters = list(
        db.session.execute(
            select(Voter).where(Voter.precinct_id == precinct.id).order_by(Voter.line)
        ).scalars()
    )
    audit.record(
        Action.VOTER_LIST_READ,
        "precinct",
        precinct.id,
        {"election_id": precinct.election_id, "voters": len(voters), "as": shown_as},
        actor,
    )
    return voters
