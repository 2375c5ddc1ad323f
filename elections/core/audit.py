"""Typed audit events, hash-chained and written in the same transaction as the change.

Each event stores the SHA-256 of its own content and of the event before it in its chain,
and the chain's head row holds its last sequence number and hash. Appending locks the head
row, so concurrent writers of one chain queue instead of forking it; ``verify`` recomputes
every chain and names the first event that was altered or removed.

Chains: election night's events (protocols, scans, observers' copies) are chained per
territorial commission (:func:`commission_chain`), so two commissions' saves never wait for
each other; everything else is on the national chain, whose head is the public one. The
commissions' heads are anchored into the national chain (:func:`anchor`) at each
certification and at a fixed interval (``audit anchor``), so the public head vouches for them.

:func:`record` only queues an event in the session: the transaction's events are chained
when it commits, as its last statements (each head locked, in the order of the chains' names,
national last; one INSERT; the head moved), and the locks are held for those and the commit
alone. A rollback drops them with the rest.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from dataclasses import replace as _replace
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import (
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    insert,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from elections.core.db import UTCDateTime, dialect_insert, utcnow
from elections.core.extensions import db

GENESIS = "0" * 64
NATIONAL = "national"
# A commission's save anchors its chain's head into the national chain when the last anchor
# is older than this: the public head then vouches for its events within a minute.
ANCHOR_EVERY = timedelta(seconds=60)


def commission_chain(unit_id: int) -> str:
    """The chain of the territorial commission of this unit."""
    return f"commission:{unit_id}"


class Action(StrEnum):
    UNIT_CREATED = "unit.created"
    PARTY_CREATED = "party.created"
    ELECTION_CALLED = "election.called"
    ELECTION_PROFILE_REBOUND = "election.profile_rebound"
    ELECTION_NOMINATION_EXTENDED = "election.nomination_extended"
    ELECTION_POSTPONED = "election.postponed"
    ELECTION_INVALIDATED = "election.invalidated"
    ELECTION_REPEAT_CALLED = "election.repeat_called"
    ELECTION_RULE_ENABLED = "election.rule_enabled"
    ELECTION_VOTING_HOURS_CHANGED = "election.voting_hours_changed"
    UNIT_TIMEZONE_SET = "unit.timezone_set"
    PRECINCT_CREATED = "precinct.created"
    VOTER_LIST_LOADED = "precinct.voter_list_loaded"
    VOTER_ADDED = "precinct.voter_added"
    VOTER_REMOVED = "precinct.voter_removed"
    VOTER_LIST_READ = "voter_list.read"
    PERSONAL_DATA_ERASED = "voter_list.erased"
    USER_CREATED = "user.created"
    TOKEN_ISSUED = "user.token_issued"  # noqa: S105 (an action name, not a secret)
    LOGIN_SUCCEEDED = "user.login_succeeded"
    LOGIN_FAILED = "user.login_failed"  # no longer written: failures go to sign_in_failures
    ACCOUNT_LOCKED = "user.locked"  # no longer written: throttling replaced the lockout
    USER_LOGGED_OUT = "user.logged_out"
    USER_DEACTIVATED = "user.deactivated"
    PASSWORD_CHANGED = "user.password_changed"  # noqa: S105 (an action name, not a secret)
    TOKENS_REVOKED = "user.tokens_revoked"  # noqa: S105 (an action name, not a secret)
    DEMO_LOADED = "demo.loaded"
    NATIONAL_DEMO_LOADED = "demo.national_loaded"
    CANDIDATE_NOMINATED = "candidate.nominated"
    CANDIDATE_UPDATED = "candidate.updated"
    CANDIDATE_REGISTERED = "candidate.registered"
    CANDIDATE_REFUSED = "candidate.refused"
    CANDIDATE_WITHDRAWN = "candidate.withdrawn"
    CANDIDATE_REGISTRATION_CANCELLED = "candidate.registration_cancelled"
    CANDIDATE_ELECTED = "candidate.elected"
    CANDIDATE_NOT_ELECTED = "candidate.not_elected"
    SIGNATURES_CHECKED = "candidate.signatures_checked"
    PROTOCOL_SAVED = "protocol.saved"
    PROTOCOL_SCAN_ATTACHED = "protocol.scan_attached"
    OBSERVER_ACCREDITED = "observer.accredited"
    OBSERVER_WITHDRAWN = "observer.withdrawn"
    OBSERVER_COPY_ENTERED = "observer.copy_entered"
    OBSERVER_PHOTO_ATTACHED = "observer.photo_attached"
    DIFFERENCE_ANSWERED = "observer.difference_answered"
    RESULT_CERTIFIED = "result.certified"
    CORRECTION_OPENED = "result.correction_opened"
    CHAINS_ANCHORED = "audit.chains_anchored"


class AuditEvent(db.Model):
    __tablename__ = "audit_events"
    __table_args__ = (UniqueConstraint("chain", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    chain: Mapped[str] = mapped_column(String(40), default=NATIONAL, server_default=NATIONAL)
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(60), index=True)
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(40))
    payload: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


# Kinds of event after which a public list (units, elections, precincts) may read differently.
LIST_KINDS = ("unit", "election", "precinct", "result", "demo")


class AuditHead(db.Model):
    """The end of a chain: lets verify notice events removed from the tail. The national
    chain's head is row 1.

    ``lists_seq`` (national head) is the newest event of a :data:`LIST_KINDS` kind, always on
    the national chain, moved in the same locked update as the head, so the public lists key
    their cache on one row read by its key (elections/territory/lists.py) instead of a scan
    that grows with the trail.
    """

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    chain: Mapped[str] = mapped_column(
        String(40), unique=True, default=NATIONAL, server_default=NATIONAL
    )
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
    lists_seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # A commission chain's last anchoring into the national chain (not hashed: a schedule).
    anchored_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


def canonical(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def event_hash(event: AuditEvent) -> str:
    # A commission's event hashes its chain too, so it cannot be moved to another; the national
    # events hash as they did before there were chains.
    chain = {} if event.chain in (None, NATIONAL) else {"chain": event.chain}
    content = canonical(
        {
            **chain,
            "seq": event.seq,
            "at": event.at.isoformat(),
            "actor": event.actor,
            "actor_id": event.actor_id,
            "action": event.action,
            "entity_type": event.entity_type,
            "entity_id": event.entity_id,
            "payload": event.payload,
            "prev_hash": event.prev_hash,
        }
    )
    return hashlib.sha256(content.encode()).hexdigest()


def _locked_head(session, chain: str, wait: bool = True) -> AuditHead | None:
    """The chain's head, locked. A commission's first event makes its head (ON CONFLICT DO
    NOTHING: two transactions starting one chain at once both find the one row); the national
    head is never made anew, so a deleted one stops every write instead of restarting.

    ``wait=False`` (the national head, for an anchor that can wait for the next save): None
    when another transaction holds it (``SKIP LOCKED``; SQLite has one writer at a time)."""
    locking = (
        select(AuditHead).where(AuditHead.chain == chain).with_for_update(skip_locked=not wait)
    )
    options = {"populate_existing": True}
    head = session.execute(locking, execution_options=options).scalar_one_or_none()
    if head is None and not wait:
        return None
    if head is None and chain != NATIONAL:
        session.execute(
            dialect_insert(session.get_bind().dialect.name)(AuditHead.__table__)
            .values(chain=chain, seq=0, hash=GENESIS, lists_seq=0)
            .on_conflict_do_nothing(index_elements=["chain"])
        )
        head = session.execute(locking, execution_options=options).scalar_one_or_none()
    if head is None:
        raise RuntimeError(f"the head of the audit chain {chain} is missing")
    return head


@dataclass(frozen=True)
class _Pending:
    """An event waiting for its transaction's commit, its content fixed when it was recorded
    (its time and place in the chain are given when it is chained)."""

    actor_id: int | None
    actor: str
    action: str
    entity_type: str
    entity_id: str
    payload: str | None  # None: an anchor, whose payload is read as it is chained
    chain: str = NATIONAL


_PENDING = "audit_pending"


def _chained(head: AuditHead, at: datetime, pending: _Pending) -> dict:
    """The next event of the chain, linked to the head, which moves on to it."""
    row = {
        "chain": head.chain,
        "seq": head.seq + 1,
        "at": at,
        "actor_id": pending.actor_id,
        "actor": pending.actor,
        "action": pending.action,
        "entity_type": pending.entity_type,
        "entity_id": pending.entity_id,
        "payload": pending.payload,
        "prev_hash": head.hash,
    }
    row["hash"] = event_hash(AuditEvent(**row))
    head.seq, head.hash = row["seq"], row["hash"]
    if pending.action.split(".", 1)[0] in LIST_KINDS:
        head.lists_seq = row["seq"]
    return row


def record(
    action: Action, entity_type: str, entity_id, payload: dict, actor=None, chain: str = NATIONAL
) -> None:
    """Add an event to the caller's transaction; it is chained when that commits, on ``chain``
    (:func:`commission_chain`), or on the national chain when its kind is a list's."""
    if str(action).split(".", 1)[0] in LIST_KINDS:
        chain = NATIONAL
    db.session.info.setdefault(_PENDING, []).append(
        _Pending(
            getattr(actor, "id", None),
            getattr(actor, "username", None) or "system",
            str(action),
            entity_type,
            str(entity_id),
            canonical(payload),
            chain,
        )
    )


def anchor(actor=None) -> None:
    """Anchor every commission chain's head into the national chain when the caller's
    transaction commits: one national event naming each head, read after this transaction's
    own events are chained. Certification does it, and ``audit anchor``."""
    db.session.info.setdefault(_PENDING, []).append(_anchor_entry(actor, None))


def _anchor_entry(actor, payload: str | None) -> _Pending:
    return _Pending(
        getattr(actor, "id", None),
        getattr(actor, "username", None) or "system",
        str(Action.CHAINS_ANCHORED),
        "audit",
        NATIONAL,
        payload,
    )


def commission_heads(session) -> dict[str, dict]:
    """``{chain: {seq, hash}}`` of every commission chain, as this transaction sees them."""
    rows = session.execute(
        select(AuditHead.chain, AuditHead.seq, AuditHead.hash)
        .where(AuditHead.chain != NATIONAL)
        .order_by(AuditHead.chain)
    )
    return {row.chain: {"seq": row.seq, "hash": row.hash} for row in rows}


def record_many(entries: list[tuple[Action, str, object, dict]], actor=None) -> None:
    """Add several events, each ``(action, entity_type, entity_id, payload)``."""
    for entry in entries:
        record(*entry, actor=actor)


def has_pending(session: Session) -> bool:
    """Whether the session's transaction has recorded events not chained yet."""
    return bool(session.info.get(_PENDING))


@event.listens_for(Session, "before_commit")
def _chain_pending(session: Session) -> None:
    """Chain the transaction's events, last: per chain, one lock of its head and one INSERT
    sent as a batch (pysqlite would send an ORM insert of many rows one row at a time). The
    heads are locked in the order of the chains' names, the national chain ("national" sorts
    after every "commission:") last, so two transactions never wait for each other in a ring.

    A commission chain whose last anchor is older than :data:`ANCHOR_EVERY` is anchored by
    this transaction: one national event naming its new head (an anchor asked for with
    :func:`anchor` names every commission's). Unless the transaction writes national events
    anyway, it takes the national head only if no one holds it: an anchor can wait for the
    chain's next save, and two commissions' saves never wait for each other."""
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    session.flush()  # the changes first: the heads' locks are the transaction's last
    at = utcnow()  # stamped as chained: times rise with seq
    due: dict[str, AuditHead] = {}
    for chain in sorted({entry.chain for entry in pending} - {NATIONAL}):
        head = _locked_head(session, chain)
        rows = [_chained(head, at, entry) for entry in pending if entry.chain == chain]
        session.execute(insert(AuditEvent.__table__), rows)
        if head.anchored_at is None or at - head.anchored_at >= ANCHOR_EVERY:
            due[chain] = head
    national = [entry for entry in pending if entry.chain == NATIONAL]
    asked = any(entry.payload is None for entry in national)
    head = _locked_head(session, NATIONAL, wait=bool(national)) if national or due else None
    if head is not None:
        if due and not asked:
            heads = {chain: {"seq": h.seq, "hash": h.hash} for chain, h in due.items()}
            national.append(_anchor_entry(None, canonical({"heads": heads})))
        for anchored in due.values():
            anchored.anchored_at = at
        if asked:
            session.flush()  # the commission heads this transaction moved, for the anchor
            heads = canonical({"heads": commission_heads(session)})
            national = [e if e.payload else _replace(e, payload=heads) for e in national]
        rows = [_chained(head, at, entry) for entry in national]
        session.execute(insert(AuditEvent.__table__), rows)
    session.flush()


@event.listens_for(Session, "after_transaction_end")
def _drop_pending(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


@dataclass(frozen=True)
class Verdict:
    ok: bool
    count: int
    problem: str | None = None


def verify() -> Verdict:
    """Every chain, the national one first; then each commission chain against its own head
    and against every head the national chain anchored for it. ``count``: events that hold.

    On PostgreSQL call it in one REPEATABLE READ transaction (``audit verify`` does): the
    heads and the events must be read as of one moment while saves go on."""
    session = db.session
    heads = {head.chain: head for head in session.scalars(select(AuditHead))}
    chains = (set(heads) | set(session.scalars(select(AuditEvent.chain).distinct()))) - {NATIONAL}
    anchored: dict[str, dict[int, tuple[int, str]]] = {}
    total = 0
    for chain in [NATIONAL, *sorted(chains)]:
        verdict = _verify_chain(chain, heads.get(chain), anchored)
        total += verdict.count
        if not verdict.ok:
            return Verdict(False, total, verdict.problem)
    for chain in sorted(set(anchored) - chains):  # a whole chain gone, its head too
        seq, (by, _hash) = max(anchored[chain].items())
        problem = f"{chain} was removed entirely (national event {by} anchored its event {seq})"
        return Verdict(False, total, problem)
    return Verdict(True, total)


def anchor_points(payload: str) -> list[tuple[str, int, str]] | None:
    """``(chain, seq, hash)`` of each head an anchor event names; None when it is not an
    anchor's payload (a forged event must give a verdict, not an exception)."""
    try:
        heads = json.loads(payload)["heads"]
        points = [(chain, point["seq"], point["hash"]) for chain, point in heads.items()]
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    valid = all(
        isinstance(chain, str)
        and chain.startswith("commission:")
        and type(seq) is int
        and seq >= 1
        and isinstance(digest, str)
        and len(digest) == 64
        for chain, seq, digest in points
    )
    return points if valid else None


def _verify_chain(chain: str, head: AuditHead | None, anchored: dict) -> Verdict:
    """One chain, event by event. On the national chain, the heads it anchors are collected
    into ``anchored`` (``{chain: {seq: (anchoring seq, hash)}}``); two anchors naming one event
    with two hashes are a forgery. A commission chain must hold each anchored event."""
    name = "event" if chain == NATIONAL else f"{chain} event"
    claims = anchored.get(chain, {})
    expected_seq, prev, count = 1, GENESIS, 0
    events = db.session.execute(
        select(AuditEvent).where(AuditEvent.chain == chain).order_by(AuditEvent.seq)
    ).yield_per(1000)
    for stored in events.scalars():
        if stored.seq != expected_seq:
            return Verdict(False, count, f"{name} {expected_seq} was removed")
        if event_hash(stored) != stored.hash:
            return Verdict(False, count, f"{name} {stored.seq} was altered")
        if stored.prev_hash != prev:
            # The content of this event is intact, so its predecessor was rewritten.
            return Verdict(False, count - 1, f"{name} {stored.seq - 1} was altered")
        claim = claims.get(stored.seq)
        if claim is not None and claim[1] != stored.hash:
            # Relinked all the way to its head, but the national chain anchored another hash:
            # this event, or one before it, was rewritten.
            problem = f"{name} {stored.seq} or one before it was altered"
            return Verdict(False, count, f"{problem} (anchored by event {claim[0]})")
        if chain == NATIONAL and stored.action == Action.CHAINS_ANCHORED:
            points = anchor_points(stored.payload)
            if points is None:
                return Verdict(False, count, f"event {stored.seq} is not a valid anchor")
            for other, seq, digest in points:
                earlier = anchored.setdefault(other, {}).setdefault(seq, (stored.seq, digest))
                if earlier[1] != digest:
                    problem = f"event {stored.seq} anchors {other} event {seq} with another hash"
                    return Verdict(False, count, f"{problem} than event {earlier[0]} did")
        prev, expected_seq, count = stored.hash, expected_seq + 1, count + 1
    beyond = [seq for seq in claims if seq > count]
    if beyond:
        by = claims[min(beyond)][0]
        return Verdict(False, count, f"{name} {count + 1} was removed (anchored by event {by})")
    whose = "the chain" if chain == NATIONAL else chain
    if head is None:
        return Verdict(False, count, f"the head of {whose} is missing")
    if head.seq > count:
        return Verdict(False, count, f"{name} {count + 1} was removed")
    if head.seq < count:
        # The chain runs past its head: an event was written without going through record().
        return Verdict(False, head.seq, f"{name} {head.seq + 1} was added outside the chain")
    if head.hash != prev:
        # Every link holds, but the last event is not the one the head remembers: it was
        # rewritten together with its own hash.
        problem = f"{name} {count} was altered" if count else f"the head of {whose} was altered"
        return Verdict(False, max(count - 1, 0), problem)
    return Verdict(True, count)
