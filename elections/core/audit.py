"""Typed audit events, hash-chained and written in the same transaction as the change.

Each event stores the SHA-256 of its own content and of the event before it, and a
one-row head holds the last sequence number and hash. Appending locks the head row,
so concurrent writers queue instead of forking the chain; ``verify`` recomputes the
chain and names the first event that was altered or removed.

The head is the one row every writer in the country locks, so :func:`record` only queues
an event in the session: the transaction's events are chained when it commits, as its last
statements (the head locked, one INSERT, the head moved), and the lock is held for those and
the commit alone. A rollback drops them with the rest.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, String, Text, event, insert, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from elections.core.db import UTCDateTime, utcnow
from elections.core.extensions import db

GENESIS = "0" * 64


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


class AuditEvent(db.Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, unique=True)
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
    """The end of the chain: lets verify notice events removed from the tail.

    ``lists_seq`` is the newest event of a :data:`LIST_KINDS` kind, moved in the same locked
    update as the head, so the public lists key their cache on one row read by its key
    (elections/territory/lists.py) instead of a scan that grows with the trail.
    """

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
    lists_seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


def canonical(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def event_hash(event: AuditEvent) -> str:
    content = canonical(
        {
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


def _locked_head(session) -> AuditHead:
    return session.execute(
        select(AuditHead).where(AuditHead.id == 1).with_for_update(),
        execution_options={"populate_existing": True},
    ).scalar_one()


@dataclass(frozen=True)
class _Pending:
    """An event waiting for its transaction's commit, its content fixed when it was recorded
    (its time and place in the chain are given when it is chained)."""

    actor_id: int | None
    actor: str
    action: str
    entity_type: str
    entity_id: str
    payload: str


_PENDING = "audit_pending"


def _chained(head: AuditHead, at: datetime, pending: _Pending) -> dict:
    """The next event of the chain, linked to the head, which moves on to it."""
    row = {
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


def record(action: Action, entity_type: str, entity_id, payload: dict, actor=None) -> None:
    """Add an event to the caller's transaction; it is chained when that commits."""
    db.session.info.setdefault(_PENDING, []).append(
        _Pending(
            getattr(actor, "id", None),
            getattr(actor, "username", None) or "system",
            str(action),
            entity_type,
            str(entity_id),
            canonical(payload),
        )
    )


def record_many(entries: list[tuple[Action, str, object, dict]], actor=None) -> None:
    """Add several events, each ``(action, entity_type, entity_id, payload)``."""
    for entry in entries:
        record(*entry, actor=actor)


def has_pending(session: Session) -> bool:
    """Whether the session's transaction has recorded events not chained yet."""
    return bool(session.info.get(_PENDING))


@event.listens_for(Session, "before_commit")
def _chain_pending(session: Session) -> None:
    """Chain the transaction's events, last: one lock of the head and one INSERT sent as a
    batch (pysqlite would send an ORM insert of many rows one row at a time)."""
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    session.flush()  # the changes first: the head's lock is the transaction's last
    head, at = _locked_head(session), utcnow()  # stamped as chained: times rise with seq
    rows = [_chained(head, at, entry) for entry in pending]
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
    expected_seq, prev, count = 1, GENESIS, 0
    events = db.session.execute(select(AuditEvent).order_by(AuditEvent.seq)).yield_per(1000)
    for stored in events.scalars():
        if stored.seq != expected_seq:
            return Verdict(False, count, f"event {expected_seq} was removed")
        if event_hash(stored) != stored.hash:
            return Verdict(False, count, f"event {stored.seq} was altered")
        if stored.prev_hash != prev:
            # The content of this event is intact, so its predecessor was rewritten.
            return Verdict(False, count - 1, f"event {stored.seq - 1} was altered")
        prev, expected_seq, count = stored.hash, expected_seq + 1, count + 1
    head = db.session.get(AuditHead, 1)
    if head is None or head.seq > count:
        return Verdict(False, count, f"event {count + 1} was removed")
    if head.seq < count:
        # The chain runs past its head: an event was written without going through record().
        return Verdict(False, head.seq, f"event {head.seq + 1} was added outside the chain")
    if head.hash != prev:
        # Every link holds, but the last event is not the one the head remembers: it was
        # rewritten together with its own hash.
        problem = f"event {count} was altered" if count else "the head of the chain was altered"
        return Verdict(False, max(count - 1, 0), problem)
    return Verdict(True, count)
