"""The plan into the database, in bulk, and what the command prints about it."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from datetime import date

from sqlalchemy import insert, text

from elections.auth.models import User
from elections.ballots.models import Protocol, ProtocolVersion, ProtocolVote
from elections.candidates.models import Candidate, CandidateEvent
from elections.core import audit
from elections.core.audit import Action
from elections.core.db import bulk_insert, utcnow
from elections.core.extensions import db
from elections.demo.national.plan import Plan
from elections.demo.national.voters import round_voters
from elections.territory.models import Election, Party, Precinct, Unit
from elections.voters.rules import LIST_FIELDS

CHUNK = 2000

# In insertion order: every table after the ones its foreign keys point to.
TABLES = {
    "units": Unit,
    "parties": Party,
    "elections": Election,
    "precincts": Precinct,
    "users": User,
    "candidates": Candidate,
    "candidate_events": CandidateEvent,
    "protocols": Protocol,
    "protocol_versions": ProtocolVersion,
    "protocol_votes": ProtocolVote,
}


def _chunks(rows: list[dict]) -> Iterator[list[dict]]:
    for start in range(0, len(rows), CHUNK):
        yield rows[start : start + CHUNK]


def load_plan(plan: Plan, progress: Callable[[int], None] | None = None) -> None:
    """Insert the plan's rows in the current transaction (no commit) and record one event."""
    connection = db.session.connection()
    for name, model in TABLES.items():
        rows = plan.rows.get(name, [])
        statement = insert(model.__table__)
        for chunk in _chunks(rows):
            connection.execute(statement, chunk)
            if progress:
                progress(len(chunk))
    if connection.dialect.name == "postgresql":
        # Ids were given explicitly: move each serial sequence past them.
        for name, model in TABLES.items():
            if "id" in model.__table__.c and plan.rows.get(name):
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "  # noqa: S608
                        f"(SELECT max(id) FROM {name}))"
                    )
                )
    # Fresh statistics for the planner: with the ones of an empty database, PostgreSQL scans
    # whole tables for the per-election lookups of the results pages (measured: 10x slower).
    connection.exec_driver_sql("ANALYZE")
    audit.record(
        Action.NATIONAL_DEMO_LOADED,
        "demo",
        plan.seed,
        {**plan.summary, "rows": {name: len(rows) for name, rows in plan.rows.items()}},
        None,
    )


def summary_lines(plan: Plan) -> list[str]:
    s = plan.summary
    kinds = ", ".join(f"{n:,} {k}" for k, n in s["elections_by_unit_kind"].items())
    lines = [
        f"National round (seed {s['seed']}), election day {s['election_day']} ({s['profile']}):",
        f"  {s['regions']} regions and cities of republican significance, "
        f"{s['organisers']} territorial commissions, {s['units']:,} units",
        f"  {s['elections']:,} rural elections ({kinds})",
        f"  {s['precincts']:,} precincts, {s['voters']:,} voters",
        f"  {s['candidates']:,} registered candidates ({s['self_nominated']:,} self-nominated)",
        f"  {s['protocols']:,} protocols; fingerprint of every row {s['fingerprint'][:16]}",
        "API accounts: one territorial_member per commission, named tec-<KATO> (API only;",
        "  issue a token with: flask --app elections users token tec-<KATO>)",
    ]
    return lines


def voter_records(precinct: dict, rows: list[dict], digest_of, iso: bool) -> Iterator[tuple]:
    """The ``voters`` rows of one precinct's list, the IIN as its keyed hash (``iso``: the
    birth date as SQLite keeps it)."""
    for line, row in enumerate(rows, start=1):
        yield (
            precinct["election_id"],
            precinct["id"],
            line,
            digest_of(row["iin"]),
            row["last_name"],
            row["first_name"],
            row["patronymic"],
            row["birth_date"] if iso else date.fromisoformat(row["birth_date"]),
            row["address"],
        )


def load_voters(plan: Plan, progress: Callable[[int], None] | None = None) -> int:
    """Every precinct's list of the national round (about 12 million voters), in bulk: COPY on
    PostgreSQL, batched INSERTs on SQLite; each list with its digest. -> voters written."""
    from elections.voters.lists import VOTER_COLUMNS
    from elections.voters.models import VoterList
    from elections.voters.pii import iin_hasher

    connection = db.session.connection()
    iso = connection.dialect.name != "postgresql"
    written, lists, hashed = 0, [], iin_hasher()
    for precinct, rows in round_voters(plan.seed, plan.rows["precincts"]):
        records = list(voter_records(precinct, rows, hashed, iso))
        bulk_insert(connection, "voters", VOTER_COLUMNS, records)
        lists.append(
            {
                "precinct_id": precinct["id"],
                "election_id": precinct["election_id"],
                "digest": _rows_digest(rows),
                "loaded_at": utcnow(),
                "loaded_by": "demo",
                "changes": 0,
                "next_line": len(rows) + 1,
            }
        )
        written += len(records)
        if progress:
            progress(len(records))
    for chunk in _chunks(lists):
        connection.execute(insert(VoterList.__table__), chunk)
    connection.exec_driver_sql("ANALYZE")
    return written


def _rows_digest(rows: list[dict]) -> str:
    """The SHA-256 of the list as the CSV a commission would upload (header and rows)."""
    digest = hashlib.sha256(",".join(LIST_FIELDS).encode() + b"\r\n")
    for row in rows:
        digest.update((",".join(row[name] or "" for name in LIST_FIELDS) + "\r\n").encode())
    return digest.hexdigest()
