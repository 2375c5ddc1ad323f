"""Every election's live result at once, worked out again only where something changed.

Election night asks for the national picture far more often than any one election changes.
Each call reads every election's change counter (``election_revisions``: one row per election,
moved by triggers in the same transaction as each change, migration c17a0revisions), and sums
and decides again only the elections whose counter moved since the last call in this process.
The counters grow in commit order (each is a row lock), and reading them costs the same
whatever the history stored.

The rest of a result (the candidates on the ballot and their names, the number of precincts,
the profile's refund share) moves an election's ``frame`` counter: the sum of those keys the
frames for the whole country, and when it moves, the elections whose frame came out the same
keep their results.

Counters cannot tell a restored database from the one before it: after a failover or a
restore, restart the workers (docs/deployment.md).

A transaction that has written may see rows a rollback takes away, and the same counters may
later stand for other rows: such a transaction works everything out afresh and leaves the
memory alone.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from fractions import Fraction

from sqlalchemy import Select, func, select

from elections.ballots.services import ballot_lines
from elections.core.db import has_written
from elections.core.extensions import db
from elections.results.models import ResultVersion
from elections.results.services import (
    Sums,
    draft_result,
    grounds_by_election,
    published,
    sums_for,
)
from elections.territory.models import Election, ElectionRevision, Precinct

EMPTY = Sums(0, 0, 0, 0, 0, None, {})
# Beyond this many changed elections one national sum costs less than a list of ids.
_SUM_ALL_ABOVE = 200


@dataclass(frozen=True)
class Line:
    """A candidate as a result names them: enough for draft_result, without the ORM row."""

    id: int
    full_name: str


@dataclass(frozen=True)
class Frame:
    """What an election's result depends on besides its protocols."""

    lines: tuple[Line, ...]
    precincts_total: int
    refund_share: Fraction


@dataclass(frozen=True)
class _Election:
    """What draft_result reads of an election when the rest is given."""

    id: int


@dataclass
class Memory:
    frames_key: tuple = ()
    frames: dict[int, Frame] = field(default_factory=dict)
    # election id -> (its revision, the result worked out at it)
    results: dict[int, tuple[int, dict]] = field(default_factory=dict)


_memories: dict[str, Memory] = {}
# (database, serialiser) -> election id -> (its revision, its entry of the document as JSON)
_fragments: dict[tuple, dict[int, tuple[int, bytes]]] = {}
_lock = threading.Lock()


def forget() -> None:
    """Drop what this process remembers (tests, and the benchmark's cold runs)."""
    with _lock:
        _memories.clear()
        _fragments.clear()


def _sum_of(counter) -> Select:
    return select(func.coalesce(func.sum(counter), 0), func.count())


# What keys the memory and the cache: one row per election, never a table of history.
FRAMES_KEY = _sum_of(ElectionRevision.frame)
PUBLISHED_KEY = _sum_of(ElectionRevision.revision)
REVISIONS = select(ElectionRevision.election_id, ElectionRevision.revision)


def _frames_key(connection) -> tuple:
    return tuple(connection.execute(FRAMES_KEY).one())


def published_key() -> tuple:
    """What :func:`every_result` depends on, in one small query over one row per election:
    the sum and number of their change counters, which move with every commit that could
    change the answer."""
    return tuple(db.session.execute(PUBLISHED_KEY).one())


def _frames(connection) -> dict[int, Frame]:
    """Ballot lines, precinct count and refund share of every election, in three queries."""
    refund = Election.profile_snapshot[("rules", "refund_vote_share", "value")]
    elections = connection.execute(select(Election.id, refund).order_by(Election.id)).all()
    totals = dict(
        connection.execute(
            select(Precinct.election_id, func.count(Precinct.id)).group_by(Precinct.election_id)
        ).all()
    )
    lines = ballot_lines()
    return {
        election_id: Frame(
            tuple(Line(c.candidate_id, c.full_name) for c in lines.get(election_id, ())),
            totals.get(election_id, 0),
            Fraction(raw),  # as profile_from_dict reads it
        )
        for election_id, raw in elections
    }


def live_results() -> dict[int, dict]:
    """The live result of every election, by id in id order: for each, what
    :func:`draft_result` gives for that election alone.

    The result dicts are shared with later calls: read them, do not change them.
    """
    connection = db.session.connection()
    learn = not has_written(connection)
    database = str(db.engine.url)
    with _lock:
        memory = _memories.get(database) if learn else None
    frames_key = _frames_key(connection)
    if memory is None:
        memory = Memory(frames_key, _frames(connection))
    elif memory.frames_key != frames_key:
        # A candidate or precinct was added somewhere, or a result settled statuses: the
        # results of elections whose frame is the same as before still stand.
        frames = _frames(connection)
        kept = {e: r for e, r in memory.results.items() if memory.frames.get(e) == frames.get(e)}
        memory = Memory(frames_key, frames, kept)
    revisions = dict(connection.execute(REVISIONS).all())
    known = memory.results
    changed = [e for e in memory.frames if known.get(e, (-1,))[0] != revisions.get(e, 0)]
    if changed:
        sums = sums_for(None if len(changed) > _SUM_ALL_ABOVE else changed)
        known = dict(known)
        for election_id in changed:
            frame = memory.frames[election_id]
            known[election_id] = (
                revisions.get(election_id, 0),
                draft_result(
                    _Election(election_id),
                    sums.get(election_id, EMPTY),
                    frame.precincts_total,
                    list(frame.lines),
                    frame.refund_share,
                ),
            )
        memory = Memory(memory.frames_key, memory.frames, known)
    if learn:
        with _lock:
            _memories[database] = memory
    return {election_id: known[election_id][1] for election_id in memory.frames}


def every_result(election_ids: list[int] | None = None) -> list[dict]:
    """The public result of every election (or of these), in id order: what
    ``GET /elections/{id}/results`` gives for each (the certified version while it stands,
    else the live draft)."""
    newest = select(ResultVersion.election_id, func.max(ResultVersion.version).label("version"))
    states_query = select(Election.id, Election.state)
    if election_ids is not None:
        newest = newest.where(ResultVersion.election_id.in_(election_ids))
        states_query = states_query.where(Election.id.in_(election_ids))
    newest = newest.group_by(ResultVersion.election_id).subquery()
    latest = {
        version.election_id: version
        for version in db.session.execute(
            select(
                ResultVersion.election_id,
                ResultVersion.version,
                ResultVersion.figures,
                ResultVersion.certified_at,
                ResultVersion.digest,
            ).join(
                newest,
                (ResultVersion.election_id == newest.c.election_id)
                & (ResultVersion.version == newest.c.version),
            )
        )
    }
    states = dict(db.session.execute(states_query).all())
    grounds = grounds_by_election([e for e, state in states.items() if state == "invalid"])
    return [
        published(
            states[election_id],
            latest.get(election_id),
            lambda draft=draft: draft,
            grounds.get(election_id),
        )
        for election_id, draft in live_results().items()
        if election_id in states
    ]


def every_result_document(serialise) -> bytes:
    """``{"elections": [...]}``, the open-data document of every result, as JSON bytes.

    Each election's entry is serialised (``serialise(result) -> bytes``) once per revision of
    the election and kept: after a change only the elections that changed are worked out and
    serialised again, and the document is their entries joined. The revisions are read before
    the results, so an entry is never older than the revision it is kept under."""
    connection = db.session.connection()
    learn = not has_written(connection)
    memory = (str(db.engine.url), serialise)
    revisions = dict(connection.execute(REVISIONS).all())
    with _lock:
        known = dict(_fragments.get(memory, {})) if learn else {}
    changed = [e for e, revision in revisions.items() if known.get(e, (None,))[0] != revision]
    if changed:
        subset = None if len(changed) > _SUM_ALL_ABOVE else changed
        for result in every_result(subset):
            election_id = result["election_id"]
            if election_id in revisions:
                known[election_id] = (revisions[election_id], serialise(result))
    entries = [known[e][1] for e in sorted(revisions) if e in known]
    if learn:
        with _lock:
            _fragments[memory] = {e: known[e] for e in revisions if e in known}
    return b'{"elections":[' + b",".join(entries) + b"]}"
