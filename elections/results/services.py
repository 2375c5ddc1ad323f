"""Results: totals summed by the database, the outcome, certification and corrections."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from fractions import Fraction

from flask_babel import gettext as _
from sqlalchemy import func, null, select, union_all
from sqlalchemy.orm import joinedload, selectinload

from elections.ballots.models import ProtocolVersion, ProtocolVote
from elections.ballots.services import ballot_candidates
from elections.candidates.services import record_status
from elections.core import audit
from elections.core.audit import Action, canonical
from elections.core.clock import now
from elections.core.errors import ErrorItem, ServiceError, conflict
from elections.core.extensions import db
from elections.observers.differences import settle_for_certification
from elections.results.models import Correction, ResultVersion
from elections.results.tally import Totals, decide, deposit_refunds, share, turnout
from elections.territory.models import Election, ElectionDecision, Precinct
from elections.territory.services import lock_election


def _rows(statement):
    """Plain rows through the session's connection: the ORM's row machinery costs more than
    the query when a national view reads thousands of grouped rows."""
    return db.session.connection().execute(statement)


@dataclass(frozen=True)
class Sums:
    """What the database summed over the current protocol versions of one election."""

    reporting: int
    voters_on_list: int
    ballots_in_boxes: int
    invalid_ballots: int
    against_all: int
    last_saved: datetime | None
    votes: dict[int, int]


def sums_for(election_ids: list[int] | None) -> dict[int, Sums]:
    """One grouped query for any number of elections: per election, a row of figures (with no
    candidate) and a row of votes per candidate, over the current protocol versions.

    ``None`` sums every election (no list of ids to send): the national view.
    """
    versions, votes_table = ProtocolVersion.__table__, ProtocolVote.__table__
    where = versions.c.is_current.is_(True)
    if election_ids is not None:
        where = where & versions.c.election_id.in_(election_ids)
    current = (
        select(
            versions.c.id,
            versions.c.election_id,
            versions.c.voters_on_list,
            versions.c.ballots_in_boxes,
            versions.c.invalid_ballots,
            versions.c.against_all,
            versions.c.created_at,
        )
        .where(where)
        .cte("current_versions")
    )
    figures = select(
        current.c.election_id,
        null().label("candidate_id"),
        func.count(current.c.id),
        func.sum(current.c.voters_on_list),
        func.sum(current.c.ballots_in_boxes),
        func.sum(current.c.invalid_ballots),
        func.sum(current.c.against_all),
        func.max(current.c.created_at),
    ).group_by(current.c.election_id)
    per_candidate = (
        select(
            current.c.election_id,
            votes_table.c.candidate_id,
            null(),
            func.sum(votes_table.c.votes),
            null(),
            null(),
            null(),
            null(),
        )
        .join_from(current, votes_table, votes_table.c.version_id == current.c.id)
        .group_by(current.c.election_id, votes_table.c.candidate_id)
    )
    rows, votes = [], {}
    for row in _rows(union_all(figures, per_candidate)):
        if row[1] is None:
            rows.append(row)
        else:
            votes.setdefault(row[0], {})[row[1]] = int(row[3])
    sums = {
        row[0]: Sums(
            int(row[2]),
            int(row[3]),
            int(row[4]),
            int(row[5]),
            int(row[6]),
            _aware(row[7]),
            votes.get(row[0], {}),
        )
        for row in rows
    }
    if election_ids is None:
        return sums
    empty = Sums(0, 0, 0, 0, 0, None, {})
    return {election_id: sums.get(election_id, empty) for election_id in election_ids}


def _aware(value: datetime | None) -> datetime | None:
    """SQLite returns max() of a timestamp column as text or naive; bring it back to aware UTC."""
    if value is None or (isinstance(value, datetime) and value.tzinfo is not None):
        return value
    parsed = datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def precinct_count(election: Election) -> int:
    return db.session.execute(
        select(func.count(Precinct.id)).where(Precinct.election_id == election.id)
    ).scalar_one()


def latest_version(election: Election) -> ResultVersion | None:
    return db.session.execute(
        select(ResultVersion)
        .where(ResultVersion.election_id == election.id)
        .order_by(ResultVersion.version.desc())
        .limit(1)
    ).scalar_one_or_none()


def draft_result(
    election: Election,
    sums: Sums | None = None,
    precincts_total: int | None = None,
    candidates: list | None = None,
    refund_share: Fraction | None = None,
) -> dict:
    """The live, unofficial result over the current protocol versions.

    ``candidates`` (in ballot order, each with ``id`` and ``full_name``) and the profile's
    ``refund_share`` may come from the caller, as :func:`elections.results.national.live_results`
    does for every election.
    """
    sums = sums or sums_for([election.id])[election.id]
    total = precinct_count(election) if precincts_total is None else precincts_total
    candidates = ballot_candidates(election) if candidates is None else candidates
    votes = {c.id: sums.votes.get(c.id, 0) for c in candidates}
    totals = Totals(
        precincts_reporting=sums.reporting,
        precincts_total=total,
        voters_on_list=sums.voters_on_list,
        ballots_in_boxes=sums.ballots_in_boxes,
        invalid_ballots=sums.invalid_ballots,
        against_all=sums.against_all,
        votes=votes,
    )
    if candidates:
        outcome = decide(votes, totals.precincts_reporting, totals.precincts_total)
    else:
        outcome = None
    winner = outcome.winner_candidate_id if outcome else None
    refunds = []
    if outcome and outcome.kind != "pending":
        if refund_share is None:
            refund_share = election.profile.refund_vote_share
        refunds = deposit_refunds(votes, totals.ballots_in_boxes, winner, refund_share)
    if sums.reporting == 0:
        status = "no_results"
    elif sums.reporting < total:
        status = "unofficial_partial"
    else:
        status = "unofficial_complete"
    return {
        "election_id": election.id,
        "status": status,
        "as_of": sums.last_saved,
        "precincts_reporting": totals.precincts_reporting,
        "precincts_total": totals.precincts_total,
        "voters_on_list": totals.voters_on_list,
        "ballots_in_boxes": totals.ballots_in_boxes,
        "turnout": turnout(totals.ballots_in_boxes, totals.voters_on_list),
        "invalid_ballots": totals.invalid_ballots,
        "against_all": totals.against_all,
        "candidates": [
            {
                "candidate_id": c.id,
                "name": c.full_name,
                "votes": votes[c.id],
                "share": share(votes[c.id], totals.ballots_in_boxes),
            }
            for c in candidates
        ],
        "outcome": outcome.kind if outcome else "pending",
        "winner_candidate_id": winner,
        "tied_candidate_ids": list(outcome.tied_candidate_ids) if outcome else [],
        "deposit_refund_candidate_ids": refunds,
    }


def result(election: Election) -> dict:
    """The public result: the frozen certified version when certified, else the live draft."""
    grounds = invalid_grounds(election) if election.state == "invalid" else None
    return published(
        election.state, latest_version(election), lambda: draft_result(election), grounds
    )


def invalid_grounds(election: Election) -> str | None:
    """The grounds of the newest decision declaring the election invalid."""
    reasons = [d.reason for d in election.decisions if d.kind == "invalidated"]
    return reasons[-1] if reasons else None


def grounds_by_election(election_ids: list[int]) -> dict[int, str]:
    """The grounds of invalidity of each of these elections that has them, in one query."""
    if not election_ids:
        return {}
    rows = db.session.execute(
        select(ElectionDecision.election_id, ElectionDecision.reason)
        .where(
            ElectionDecision.election_id.in_(election_ids),
            ElectionDecision.kind == "invalidated",
        )
        .order_by(ElectionDecision.id)
    ).all()
    return {election_id: reason for election_id, reason in rows}


def declared_invalid(figures: dict, grounds: str | None) -> dict:
    """A result of an election declared invalid (elections/results/invalidity.py): the
    figures counted so far stay, unofficial; nobody wins, ties or gets a refund decided."""
    return {
        **figures,
        "outcome": "invalid",
        "winner_candidate_id": None,
        "tied_candidate_ids": [],
        "deposit_refund_candidate_ids": [],
        "invalid_grounds": grounds,
    }


def published(state: str, latest: ResultVersion | None, draft, grounds: str | None = None) -> dict:
    """What the public reads of an election in ``state`` whose newest certified version is
    ``latest``: that version while the result stands, else a copy of ``draft()``; for an
    election declared invalid, that copy without a winner and with the ``grounds``."""
    if state == "invalid":
        figures = {**draft(), "version": latest.version if latest else None, "digest": None}
        return declared_invalid(figures, grounds)
    if state != "open" and latest is not None:
        return {
            **latest.figures,
            "status": "certified",
            "as_of": latest.certified_at,
            "version": latest.version,
            "digest": latest.digest,
        }
    return {**draft(), "version": latest.version if latest else None, "digest": None}


def _frozen(figures: dict) -> dict:
    return {k: v for k, v in figures.items() if k not in ("status", "as_of", "version", "digest")}


def certify(election: Election, actor, acknowledged: Iterable[int] = ()) -> ResultVersion:
    """Freeze the result as a new numbered, hashed version and settle the candidates' statuses.

    Every observer's difference still open must have the commission's answer, or be in
    ``acknowledged`` (the chair's acknowledgement, given now); the version records them all.
    """
    election = lock_election(election.id)
    if election.state == "invalid":
        raise conflict(
            "election_invalid",
            _("The election was declared invalid: there is no result to certify."),
        )
    if election.state != "open":
        raise conflict("already_certified", _("The result is already certified."))
    used = db.session.execute(
        select(ProtocolVersion.precinct_id, ProtocolVersion.version, ProtocolVersion.digest)
        .where(ProtocolVersion.election_id == election.id, ProtocolVersion.is_current.is_(True))
        .order_by(ProtocolVersion.precinct_id)
    ).all()
    reported = {row.precinct_id for row in used}
    if not election.precincts:  # nothing was counted: no result to certify, not a tie
        raise conflict("no_precincts", _("The election has no precincts: nothing to certify."))
    missing = [p for p in election.precincts if p.id not in reported]
    if missing:
        numbers = ", ".join(str(p.number) for p in missing)
        raise ServiceError(
            409,
            [
                ErrorItem(
                    "precincts_missing",
                    _("These precincts have not reported: %(numbers)s", numbers=numbers),
                    extra={"precinct_ids": [p.id for p in missing]},
                )
            ],
        )
    open_differences = settle_for_certification(election.id, acknowledged, actor)
    figures = _frozen(draft_result(election))
    figures["status"] = "certified"
    protocols = [
        {"precinct_id": r.precinct_id, "version": r.version, "digest": r.digest} for r in used
    ]
    latest = latest_version(election)
    correction = _open_correction(election)
    version = ResultVersion(
        election_id=election.id,
        version=(latest.version if latest else 0) + 1,
        certified_at=now(),
        certified_by_id=getattr(actor, "id", None),
        certified_by=getattr(actor, "username", None) or "system",
        outcome=figures["outcome"],
        figures=canonical_figures(figures),
        protocols=protocols,
        correction_reason=correction.reason if correction else None,
        differences=open_differences,
    )
    version.digest = result_digest(version.figures, protocols, version.version)
    db.session.add(version)
    election.state = "certified" if figures["outcome"] == "winner" else "repeat_required"
    _settle_candidates(election, figures, actor)
    db.session.flush()
    audit.record(
        Action.RESULT_CERTIFIED,
        "election",
        election.id,
        {
            "version": version.version,
            "digest": version.digest,
            "outcome": version.outcome,
            "open_differences": [(d["id"], d["answer"]) for d in open_differences],
        },
        actor,
    )
    audit.anchor(actor)  # the certified protocols' chain is vouched for by the national head
    return version


def canonical_figures(figures: dict) -> dict:
    """JSON-safe figures (instants as ISO text): the stored copy hashes the same when read back."""
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in figures.items()}


def result_digest(figures: dict, protocols: list, version: int) -> str:
    """The digest of a certified version: its stored figures, the protocol versions it used
    and its number (``audit verify`` recomputes it from the stored row)."""
    content = {"figures": figures, "protocols": protocols, "version": version}
    return hashlib.sha256(canonical(content).encode()).hexdigest()


def _settle_candidates(election: Election, figures: dict, actor) -> None:
    winner = figures["winner_candidate_id"]
    if figures["outcome"] != "winner":
        return  # a tie elects nobody: a repeat election follows on the same lists
    events = []
    for candidate in ballot_candidates(election):
        status = "elected" if candidate.id == winner else "not_elected"
        previous = candidate.status
        payload = {"election_id": election.id, "status": status, "previous_status": previous}
        record_status(candidate, status, actor, None)
        action = Action.CANDIDATE_ELECTED if status == "elected" else Action.CANDIDATE_NOT_ELECTED
        events.append((action, "candidate", candidate.id, payload))
    audit.record_many(events, actor)  # one event each, in as many statements for any number


def _open_correction(election: Election) -> Correction | None:
    latest = latest_version(election)
    if latest is None:
        return None
    return db.session.execute(
        select(Correction)
        .where(Correction.election_id == election.id, Correction.after_version == latest.version)
        .limit(1)
    ).scalar_one_or_none()


def open_correction(election: Election, reason: str, actor) -> Correction:
    """Reopen a certified result: protocols unlock, the next certification is a new version."""
    election = lock_election(election.id)
    latest = latest_version(election)
    if election.state == "invalid":
        raise conflict(
            "election_invalid",
            _("The election was declared invalid: there is no result to correct."),
        )
    if election.state == "open" or latest is None:
        raise conflict("not_certified", _("Only a certified result can be corrected."))
    correction = Correction(
        election_id=election.id,
        after_version=latest.version,
        opened_at=now(),
        opened_by_id=getattr(actor, "id", None),
        opened_by=getattr(actor, "username", None) or "system",
        reason=reason,
    )
    db.session.add(correction)
    election.state = "open"
    for candidate in ballot_candidates(election):
        if candidate.status in ("elected", "not_elected"):
            record_status(candidate, "registered", actor, reason)
    db.session.flush()
    audit.record(
        Action.CORRECTION_OPENED,
        "election",
        election.id,
        {"after_version": latest.version, "reason": reason},
        actor,
    )
    return correction


def versions(election: Election) -> list[ResultVersion]:
    return list(
        db.session.execute(
            select(ResultVersion)
            .where(ResultVersion.election_id == election.id)
            .order_by(ResultVersion.version)
        ).scalars()
    )


def corrections(election: Election) -> list[Correction]:
    return list(
        db.session.execute(
            select(Correction).where(Correction.election_id == election.id).order_by(Correction.id)
        ).scalars()
    )


def precinct_rows(election: Election) -> list[tuple[Precinct, ProtocolVersion | None]]:
    """Each precinct with its current protocol version, votes loaded in one query."""
    current = {
        v.precinct_id: v
        for v in db.session.execute(
            select(ProtocolVersion)
            .where(ProtocolVersion.election_id == election.id, ProtocolVersion.is_current.is_(True))
            .options(selectinload(ProtocolVersion.votes))
        ).scalars()
    }
    precincts = db.session.execute(
        select(Precinct)
        .where(Precinct.election_id == election.id)
        .order_by(Precinct.number)
        .options(joinedload(Precinct.unit))  # the dashboard and NIST name each precinct's unit
    ).scalars()
    return [(p, current.get(p.id)) for p in precincts]
