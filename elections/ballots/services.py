"""The ballot paper and precinct protocols: control relations, versions, no lost updates."""

from __future__ import annotations

import hashlib
from datetime import datetime

from blinker import Namespace
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value

from elections.ballots.models import FIGURE_FIELDS, Protocol, ProtocolVersion, ProtocolVote
from elections.ballots.paper import (
    AGAINST_ALL_LABEL,
    SELF_NOMINATED,
    BallotCandidate,
    ballot_order,
    print_run,
)
from elections.ballots.tally import ProtocolFigures, failed_relations, figure_errors
from elections.candidates.models import ON_BALLOT, Candidate
from elections.core import audit
from elections.core.audit import Action, canonical
from elections.core.clock import now
from elections.core.db import INTEGER_MAX, dialect_insert
from elections.core.errors import MAX_ERROR_ITEMS, ErrorItem, ServiceError, conflict, invalid
from elections.core.extensions import db
from elections.territory.models import Election, Precinct
from elections.web.i18n import pick_language
from elections.web.templating import local_datetime

# Sent with each new protocol version, inside the save's transaction: the layers above (the
# observers' copies, compared line by line with the official figures) follow it there
# without the save importing them.
protocol_saved = Namespace().signal("protocol-saved")


def ballot_candidates(election: Election) -> list[Candidate]:
    """Registered candidates in the Kazakh alphabetical order of the ballot."""
    candidates = db.session.execute(
        select(Candidate).where(
            Candidate.election_id == election.id, Candidate.status.in_(ON_BALLOT)
        )
    ).scalars()
    by_id = {c.id: c for c in candidates}
    lines = ballot_order(
        BallotCandidate(c.id, c.last_name, c.first_name, c.patronymic, {}) for c in by_id.values()
    )
    return [by_id[line.candidate_id] for line in lines]


def nomination_label(candidate: Candidate) -> dict:
    if candidate.nomination_type == "party" and candidate.party is not None:
        return {"type": "party", "party_id": candidate.party_id, "label": candidate.party.name}
    return {"type": "self", "label": SELF_NOMINATED}


def ballot(election: Election) -> dict:
    candidates = ballot_candidates(election)
    precincts = [
        {
            "precinct_id": p.id,
            "number": p.number,
            "voters_on_list": p.voters_on_list,
            "ballots": print_run(p.voters_on_list),
        }
        for p in election.precincts
    ]
    return {
        "election_id": election.id,
        "lines": [
            {
                "position": position,
                "candidate_id": c.id,
                "last_name": c.last_name,
                "first_name": c.first_name,
                "patronymic": c.patronymic,
                "nomination": nomination_label(c),
            }
            for position, c in enumerate(candidates, start=1)
        ],
        "against_all": {"position": len(candidates) + 1, "label": AGAINST_ALL_LABEL},
        "print_run": {"total": sum(p["ballots"] for p in precincts), "precincts": precincts},
    }


def ensure_writable(election: Election) -> None:
    """Protocols exist from the start of the count (20:00 on election day) until the result is
    certified; a correction opens them again. An election declared invalid takes none."""
    if election.state == "invalid":
        raise conflict(
            "election_invalid",
            _("The election was declared invalid: protocols are locked."),
            legal_basis="art. 113-9",
        )
    if election.state != "open":
        raise conflict("results_certified", _("The result is certified: protocols are locked."))
    opens = count_not_started(election)
    if opens:
        raise conflict(
            "counting_not_started",
            _(
                "Protocols are accepted from %(moment)s, when voting ends and the count starts.",
                moment=local_datetime(opens, election.tz),
            ),
        )


def count_not_started(election: Election) -> datetime | None:
    """When the count of the election starts (the end of voting, 20:00 local unless the
    hours were changed), while it is still to come; None once it has started."""
    opens = election.calendar().counting_opens
    return opens if now() < opens else None


def current_version(precinct: Precinct) -> ProtocolVersion | None:
    return db.session.execute(
        select(ProtocolVersion).where(
            ProtocolVersion.precinct_id == precinct.id, ProtocolVersion.is_current.is_(True)
        )
    ).scalar_one_or_none()


def versions(precinct: Precinct) -> list[ProtocolVersion]:
    return list(
        db.session.execute(
            select(ProtocolVersion)
            .where(ProtocolVersion.precinct_id == precinct.id)
            .order_by(ProtocolVersion.version)
        ).scalars()
    )


def _parse_votes(
    raw_votes: dict, expected: list[int]
) -> tuple[dict[int, object], list[ErrorItem], int]:
    """Votes keyed by candidate id in ballot order; every candidate ``expected`` (the ids on
    the ballot, in its order) exactly once. The third value counts the unknown keys beyond
    the answer's cap (MAX_ERROR_ITEMS), for which no error item is built."""
    errors, given, more = [], {}, 0
    # A key names a candidate only in its one canonical spelling, str(id): "07" would alias
    # candidate 7 (and so name it twice), and "²" or "٧" pass isdigit(). One lookup per key.
    on_ballot, unknown = {str(cid): cid for cid in expected}, None
    for key, value in raw_votes.items():
        candidate_id = on_ballot.get(str(key))
        if candidate_id is None:
            if len(errors) >= MAX_ERROR_ITEMS:
                more += 1
                continue
            unknown = unknown or _("No registered candidate has this id.")
            errors.append(ErrorItem("unknown_candidate", unknown, field=f"votes.{key}"))
        else:
            given[candidate_id] = value
    for candidate_id in expected:
        if candidate_id not in given:
            errors.append(
                ErrorItem(
                    "missing_candidate",
                    _("Votes for this candidate are missing."),
                    field=f"votes.{candidate_id}",
                )
            )
    return {cid: given[cid] for cid in expected if cid in given}, errors, more


def figures_digest(figures: ProtocolFigures) -> str:
    content = {name: getattr(figures, name) for name in FIGURE_FIELDS}
    content["votes"] = {str(k): v for k, v in figures.votes.items()}
    return hashlib.sha256(canonical(content).encode()).hexdigest()


def _too_large(lines: dict, votes: dict) -> list[ErrorItem]:
    """Whole numbers no INTEGER column holds: refused with their field, not by the database."""
    values = {**lines, **{f"votes.{cid}": value for cid, value in votes.items()}}
    return [
        ErrorItem("too_large", _("This figure is too large for a count."), field=field)
        for field, value in values.items()
        if isinstance(value, int) and not isinstance(value, bool) and value > INTEGER_MAX
    ]


def ballot_lines(election_ids: list[int] | None = None) -> dict[int, list[BallotCandidate]]:
    """Per election, the candidates on the ballot (ids and names) in ballot order, from one
    query for any number of elections (every election when ``None``): what a protocol check
    and the national results need, without loading every column of every candidate."""
    query = select(
        Candidate.id,
        Candidate.election_id,
        Candidate.last_name,
        Candidate.first_name,
        Candidate.patronymic,
    ).where(Candidate.status.in_(ON_BALLOT))
    if election_ids is not None:
        query = query.where(Candidate.election_id.in_(election_ids))
    standing: dict[int, list[BallotCandidate]] = {}
    for row in db.session.connection().execute(query):
        standing.setdefault(row.election_id, []).append(
            BallotCandidate(row.id, row.last_name, row.first_name, row.patronymic, {})
        )
    return {election_id: ballot_order(lines) for election_id, lines in standing.items()}


def read_figures(election: Election, data: dict) -> ProtocolFigures:
    """The lines of a protocol body: every line a whole number, every candidate on the
    ballot once; 422 naming every bad line. The control relations are not checked here."""
    expected = [line.candidate_id for line in ballot_lines([election.id]).get(election.id, [])]
    votes, errors, more = _parse_votes(data["votes"], expected)
    lines = {name: data.get(name) for name in FIGURE_FIELDS}
    errors += [
        ErrorItem(e.code, pick_language(e.message), field=e.field)
        for e in figure_errors(lines, votes)
    ]
    errors += _too_large(lines, votes)
    if errors:
        raise invalid(errors, more=more)
    return ProtocolFigures(votes=votes, **lines)


def check_protocol(election: Election, data: dict) -> ProtocolFigures:
    """Parse and check a protocol body; 422 naming every bad line and every failed relation."""
    figures = read_figures(election, data)
    failed = failed_relations(figures)
    if failed:
        raise invalid(
            [
                ErrorItem(
                    "relation_failed",
                    pick_language(r.description),
                    extra={
                        "relation": r.name,
                        "formula": r.formula,
                        "left": r.left,
                        "right": r.right,
                    },
                )
                for r in failed
            ]
        )
    return figures


def _first_header(precinct: Precinct, election: Election):
    """INSERT the protocol header at version 1 unless the precinct has one (ON CONFLICT DO
    NOTHING, which SQLite and PostgreSQL both speak): the id it returns, or none, says who won."""
    insert = dialect_insert(db.session.connection().dialect.name)
    return (
        insert(Protocol.__table__)
        .values(precinct_id=precinct.id, election_id=election.id, version=1)
        .on_conflict_do_nothing(index_elements=["precinct_id"])
        .returning(Protocol.__table__.c.id)
    )


def lock_for_save(election_id: int, precinct_id: int | None = None) -> Election:
    """The election, read afresh under a shared lock on its row, held to the end of the save's
    transaction; with ``precinct_id``, the precinct's row too, FOR NO KEY UPDATE, in the
    same statement.

    On PostgreSQL (``SELECT ... FOR SHARE``) saves of the same election do not wait for each
    other here (they do, briefly, from their first write on: the triggers of migration
    c17a0revisions move the election's revision row), but
    :func:`elections.results.services.certify` and ``open_correction`` take the
    row ``FOR UPDATE``: a certification waits for every save already past this point to
    commit (and then freezes the versions they wrote), and a save arriving meanwhile waits
    for the certification and then reads the state it committed, so it is refused. Without it
    a save that checked ``open`` just before a certification committed just after it, and the
    result froze a version that was no longer current.

    The precinct's lock makes a protocol save and an observer's copy of that precinct run one
    after the other, each seeing what the other committed (elections/observers/differences.py
    compares them on both paths). It is taken first, with the election's, so that every path
    locks in one order (election, precinct, the election's revision row moved by the triggers
    of its writes, then the audit head at commit) and none waits for another in a circle.

    On SQLite there is no row lock and none is needed: every request that writes begins
    ``BEGIN IMMEDIATE`` (:mod:`elections.core.sqlite`), so saves and certifications already run one
    after the other, and the election this save read (or reads, once a commit expired it) is
    read inside that write-locked transaction: it is taken as it is, without a second query.
    """
    if db.session.connection().dialect.name == "sqlite":
        return db.session.get(Election, election_id)
    # Every column read afresh but the rule profile: it is the bulk of the row (a JSON
    # document to decode on every save), and no decision changes it once voting has begun.
    columns = [column for column in Election.__table__.c if column.key != "profile_snapshot"]
    statement = select(*columns).where(Election.id == election_id)
    if precinct_id is None:
        statement = statement.with_for_update(read=True)
    else:
        statement = (
            statement.join(Precinct, Precinct.election_id == Election.id)
            .where(Precinct.id == precinct_id)
            .with_for_update(read=True, of=Election.__table__)
            # NO KEY UPDATE: saves and copies of the precinct wait for each other, but a row
            # that names the precinct (an accreditation's precincts) is not held by its key.
            .suffix_with("FOR NO KEY UPDATE OF precincts")
        )
    row = db.session.execute(statement).one()
    election = db.session.get(Election, election_id)
    for column, value in zip(columns, row, strict=True):
        set_committed_value(election, column.key, value)
    return election


def save_protocol(precinct: Precinct, data: dict, actor) -> ProtocolVersion:
    """Accept a protocol as a new version, if ``expected_version`` is still the current one."""
    election = lock_for_save(precinct.election_id, precinct.id)
    ensure_writable(election)
    figures = check_protocol(election, data)
    expected = data["expected_version"]
    if expected == 0:
        # The header is born at version 1. Of two first saves, the unique precinct_id lets
        # exactly one insert it (the other waits for it, then inserts nothing): the insert
        # is the compare-and-set, with no savepoint to survive a refused insert.
        claimed = len(db.session.execute(_first_header(precinct, election)).all())
    else:
        # Compare-and-set: of two saves against the same version, exactly one matches a row.
        claimed = db.session.execute(
            update(Protocol)
            .where(Protocol.precinct_id == precinct.id, Protocol.version == expected)
            .values(version=expected + 1)
            .execution_options(synchronize_session=False)
        ).rowcount
    if claimed != 1:
        current = db.session.execute(
            select(Protocol.version).where(Protocol.precinct_id == precinct.id)
        ).scalar_one_or_none()
        raise _version_conflict(current or 0)
    if expected > 0:
        db.session.execute(
            update(ProtocolVersion)
            .where(ProtocolVersion.precinct_id == precinct.id, ProtocolVersion.is_current.is_(True))
            .values(is_current=False)
            .execution_options(synchronize_session=False)
        )
    version = ProtocolVersion(
        precinct_id=precinct.id,
        election_id=election.id,
        version=expected + 1,
        is_current=True,
        digest=figures_digest(figures),
        created_at=now(),
        created_by_id=getattr(actor, "id", None),
        created_by=getattr(actor, "username", None) or "system",
        **{name: getattr(figures, name) for name in FIGURE_FIELDS},
    )
    version.votes = [
        ProtocolVote(candidate_id=cid, position=position, votes=votes)
        for position, (cid, votes) in enumerate(figures.votes.items(), start=1)
    ]
    db.session.add(version)
    db.session.flush()
    protocol_saved.send(version)
    audit.record(
        Action.PROTOCOL_SAVED,
        "protocol",
        precinct.id,
        {"version": version.version, "digest": version.digest, "election_id": election.id},
        actor,
        chain=election.audit_chain,
    )
    return version


def _version_conflict(current: int | None) -> ServiceError:
    message = _("The protocol was changed meanwhile: reload it and check the figures.")
    extra = {} if current is None else {"current_version": current}
    return ServiceError(409, [ErrorItem("version_conflict", message, extra=extra)])


def current_versions(election_ids: list[int]) -> dict[int, ProtocolVersion]:
    """The current protocol version of every precinct of these elections that has one."""
    if not election_ids:
        return {}
    return {
        v.precinct_id: v
        for v in db.session.execute(
            select(ProtocolVersion).where(
                ProtocolVersion.election_id.in_(election_ids), ProtocolVersion.is_current.is_(True)
            )
        ).scalars()
    }


def progress(election: Election) -> list[tuple[Precinct, ProtocolVersion | None]]:
    """Every precinct of the election with its current protocol version (or None)."""
    current = current_versions([election.id])
    return [(p, current.get(p.id)) for p in election.precincts]
