"""An observer's copy against the official protocol, line by line.

A difference is one line on which they disagree, kept from the moment it is first seen until
they agree again: when the observer enters the copy again, or when a new protocol version (a
clerical error corrected, a recount) makes the official figure what the copy says. A line that
changes value closes its difference and opens a new one, so "since when" is always the moment
these two figures first stood side by side.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from elections.ballots.models import FIGURE_FIELDS, ProtocolVersion
from elections.ballots.services import ballot_candidates, lock_for_save, protocol_saved
from elections.core import audit
from elections.core.audit import Action
from elections.core.clock import now
from elections.core.errors import ErrorItem, ServiceError, conflict, not_found
from elections.core.extensions import db
from elections.observers.models import ACKNOWLEDGED, Accreditation, Difference, ObserverCopy

VOTES = "votes."


def line_names(election) -> dict[str, str]:
    """Each line of a protocol as its reader calls it: its number and meaning."""
    names = {
        "voters_on_list": _("1. Voters on the list"),
        "ballots_received": _("2. Ballots received"),
        "ballots_issued": _("3. Ballots issued"),
        "ballots_cancelled": _("4. Ballots cancelled"),
        "ballots_in_boxes": _("5. Ballots in the boxes"),
        "invalid_ballots": _("6. Invalid ballots"),
    }
    candidates = ballot_candidates(election)
    for number, candidate in enumerate(candidates, start=7):
        names[f"votes.{candidate.id}"] = f"{number}. {candidate.full_name}"
    names["against_all"] = _("%(number)d. Against all", number=7 + len(candidates))
    return names


def official_lines(version: ProtocolVersion) -> dict[str, int]:
    """The lines of a protocol version, named as a copy names them."""
    lines = {name: getattr(version, name) for name in FIGURE_FIELDS}
    lines.update({f"{VOTES}{vote.candidate_id}": vote.votes for vote in version.votes})
    return lines


def compare(official: dict[str, int], copy: dict[str, int]) -> list[tuple[str, int, int]]:
    """``(line, official, copy)`` of each line on which they differ, in the protocol's order
    (a line one side lacks counts as 0 there: a candidate the other does not show)."""
    names = [*official, *(name for name in copy if name not in official)]
    return [
        (name, official.get(name, 0), copy.get(name, 0))
        for name in names
        if official.get(name, 0) != copy.get(name, 0)
    ]


def reconcile(copy: ObserverCopy, version: ProtocolVersion | None, at: datetime) -> None:
    """Bring the copy's open differences in line with the official ``version`` (none: the
    precinct has not reported yet, so nothing can differ)."""
    wanted = compare(official_lines(version), copy.lines) if version is not None else []
    standing = {
        (d.line, d.official, d.copy): d
        for d in db.session.execute(
            select(Difference).where(Difference.copy_id == copy.id, Difference.closed_at.is_(None))
        ).scalars()
    }
    for line, official, copied in wanted:
        if standing.pop((line, official, copied), None) is None:
            db.session.add(
                Difference(
                    copy_id=copy.id,
                    election_id=copy.election_id,
                    precinct_id=copy.precinct_id,
                    line=line,
                    official=official,
                    copy=copied,
                    official_version=version.version,
                    since=at,
                )
            )
    for gone in standing.values():
        gone.closed_at = at


@protocol_saved.connect
def _on_protocol_saved(version: ProtocolVersion) -> None:
    """Every copy of the precinct whose observer is still accredited is compared again with
    its new official version. The save holds the precinct's row (ballots' lock_for_save), so
    a copy being entered meanwhile is compared after it, with this version."""
    copies = db.session.execute(
        select(ObserverCopy)
        .join(Accreditation, Accreditation.id == ObserverCopy.accreditation_id)
        .where(
            ObserverCopy.precinct_id == version.precinct_id,
            Accreditation.withdrawn_at.is_(None),
        )
    ).scalars()
    for copy in copies:
        reconcile(copy, version, version.created_at)


def close_for_withdrawal(accreditation: Accreditation, at: datetime) -> None:
    """An observer withdrawn: their open differences close, kept on the record as they
    stood; they no longer hold a certification."""
    db.session.execute(
        update(Difference)
        .where(
            Difference.closed_at.is_(None),
            Difference.copy_id.in_(
                select(ObserverCopy.id).where(ObserverCopy.accreditation_id == accreditation.id)
            ),
        )
        .values(closed_at=at)
        .execution_options(synchronize_session=False)
    )


def of_copy(copy: ObserverCopy) -> list[Difference]:
    return list(
        db.session.execute(
            select(Difference)
            .where(Difference.copy_id == copy.id, Difference.closed_at.is_(None))
            .order_by(Difference.id)
        ).scalars()
    )


def of_election(election_id: int) -> list[Difference]:
    """Every difference ever seen in the election, open first, each precinct's together,
    with the precinct and the observer the pages name (loaded with them, not one by one)."""
    return list(
        db.session.execute(
            select(Difference)
            .where(Difference.election_id == election_id)
            .order_by(Difference.closed_at.is_not(None), Difference.precinct_id, Difference.id)
            .options(
                joinedload(Difference.precinct),
                joinedload(Difference.observer_copy).joinedload(ObserverCopy.accreditation),
            )
        ).scalars()
    )


def get_difference(election_id: int, precinct_id: int, difference_id: int) -> Difference:
    found = db.session.get(Difference, difference_id) if difference_id > 0 else None
    if found is None or (found.election_id, found.precinct_id) != (election_id, precinct_id):
        raise not_found()
    return found


def answer(difference: Difference, kind: str, note: str, actor) -> Difference:
    """The organising commission's answer: a recount ordered, the clerical error corrected (in
    a new protocol version) or an explanation. A later answer replaces it; the audit trail
    keeps each. Not once the result is certified: the certified result recorded it.

    The election is read under the protocol saves' shared lock: an answer waits for a
    certification under way, then sees it, as a save does."""
    election = lock_for_save(difference.election_id)
    if election.state != "open":
        raise conflict("results_certified", _("The result is certified: its answers are kept."))
    difference.answer, difference.answer_note = kind, note
    difference.answered_at, difference.answered_by = now(), actor.username
    difference.answers = (difference.answers or 0) + 1
    audit.record(
        Action.DIFFERENCE_ANSWERED,
        "difference",
        difference.id,
        {
            "election_id": difference.election_id,
            "precinct_id": difference.precinct_id,
            "line": difference.line,
            "answer": kind,
            "note": note,
        },
        actor,
        chain=election.audit_chain,
    )
    return difference


def settle_for_certification(election_id: int, acknowledged: Iterable[int], actor) -> list[dict]:
    """Before a certification: every open difference, answered or acknowledged by the chair
    now; 409 ``differences_open`` naming each one still without either. What is returned is
    what the certified result records of them."""
    acknowledged = set(acknowledged)
    standing = list(
        db.session.execute(
            select(Difference)
            .where(Difference.election_id == election_id, Difference.closed_at.is_(None))
            .order_by(Difference.precinct_id, Difference.id)
        ).scalars()
    )
    unanswered = [d for d in standing if d.answer is None and d.id not in acknowledged]
    if unanswered:
        raise ServiceError(
            409,
            [
                ErrorItem(
                    "differences_open",
                    _(
                        "An observer's copy differs on this line: answer it or acknowledge "
                        "it before certifying."
                    ),
                    extra=difference_view(d),
                )
                for d in unanswered
            ],
        )
    at = now()
    for difference in standing:
        if difference.answer is None:
            difference.answer, difference.answer_note = ACKNOWLEDGED, None
            difference.answered_at, difference.answered_by = at, actor.username
            difference.answers = (difference.answers or 0) + 1
    return [difference_view(d) for d in standing]


def difference_view(difference: Difference) -> dict:
    return {
        "id": difference.id,
        "precinct_id": difference.precinct_id,
        "line": difference.line,
        "official": difference.official,
        "copy": difference.copy,
        "official_version": difference.official_version,
        "since": difference.since.isoformat(),
        "answer": difference.answer,
    }


@dataclass(frozen=True)
class Comparison:
    """How the copies of one election stand: how many came in, agree, differ, await a
    protocol to compare with."""

    copies: int = 0
    agree: int = 0
    differ: int = 0
    awaiting: int = 0


def comparisons(election_ids: list[int]) -> dict[int, Comparison]:
    """Per election, the standing of its observers' copies, in two grouped queries."""
    if not election_ids:
        return {}
    differing = {
        (election_id, copy_id)
        for election_id, copy_id in db.session.execute(
            select(Difference.election_id, Difference.copy_id)
            .where(Difference.election_id.in_(election_ids), Difference.closed_at.is_(None))
            .distinct()
        )
    }
    reported = select(ProtocolVersion.precinct_id).where(ProtocolVersion.is_current.is_(True))
    rows = db.session.execute(
        select(
            ObserverCopy.election_id,
            ObserverCopy.id,
            ObserverCopy.precinct_id.in_(reported.scalar_subquery()).label("reported"),
        ).where(ObserverCopy.election_id.in_(election_ids))
    ).all()
    counts: dict[int, dict[str, int]] = {}
    for election_id, copy_id, was_reported in rows:
        tally = counts.setdefault(
            election_id, {"copies": 0, "agree": 0, "differ": 0, "awaiting": 0}
        )
        tally["copies"] += 1
        if (election_id, copy_id) in differing:
            tally["differ"] += 1
        elif was_reported:
            tally["agree"] += 1
        else:
            tally["awaiting"] += 1
    return {eid: Comparison(**counts.get(eid, {})) for eid in election_ids}
