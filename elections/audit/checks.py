"""Anchors of the audit trail outside the database, and checks of what the chain vouches for.

The hash chain (:mod:`elections.core.audit`) proves that no event in the middle was changed, but
whoever can write the database can cut the newest events off and rewind ``audit_head``, or
wipe everything and start again, and the chain still holds. So its head is published
(``GET /api/v1/audit/head``, and a line on the public results pages): anyone who kept a copy
checks it with ``audit verify --expect-head SEQ:HASH``. Signed checkpoints (``audit
checkpoint``, Ed25519, the key outside the database) keep the same anchor in a file the
database cannot change.

The chain records digests, not the figures themselves: ``verify_records`` recomputes every
protocol version's digest from its stored figures, and every certified result version's from
its stored figures and the protocol versions it used, and compares each with the stored digest
and with the digest its chained event recorded (the national demo writes protocol versions
without one event each: those are compared with their stored digest only).
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from elections.ballots.models import FIGURE_FIELDS, ProtocolVersion, ProtocolVote
from elections.ballots.services import figures_digest
from elections.ballots.tally import ProtocolFigures
from elections.core import audit
from elections.core.audit import GENESIS, NATIONAL, Action, AuditEvent, canonical
from elections.core.extensions import db
from elections.results.models import ResultVersion
from elections.results.services import result_digest
from elections.territory.models import Election

DEFAULT_CHECKPOINTS = "audit-checkpoints.jsonl"  # in the instance folder


def head() -> dict:
    """``{seq, hash, at}`` of the national chain's newest event (which anchors the commissions'
    chains); seq 0 and the genesis hash for an empty chain."""
    newest = db.session.execute(
        select(AuditEvent.seq, AuditEvent.hash, AuditEvent.at)
        .where(AuditEvent.chain == NATIONAL)
        .order_by(AuditEvent.seq.desc())
        .limit(1)
    ).one_or_none()
    if newest is None:
        return {"seq": 0, "hash": GENESIS, "at": None}
    return {"seq": newest.seq, "hash": newest.hash, "at": newest.at}


def parse_head(text: str) -> tuple[int, str]:
    """``SEQ:HASH`` -> (seq, hash); ValueError when it is not that."""
    seq, sep, digest = text.strip().partition(":")
    digest = digest.strip().lower()
    if not sep or not seq.isascii() or not seq.isdigit() or len(digest) != 64:
        raise ValueError(text)
    int(digest, 16)
    return int(seq), digest


def holds(seq: int, digest: str) -> str | None:
    """None when the national chain still holds event ``seq`` with this hash; else what is
    wrong."""
    if seq == 0:
        return None if digest == GENESIS else "event 0 is the genesis, whose hash is all zeros"
    stored = db.session.execute(
        select(AuditEvent.hash).where(AuditEvent.chain == NATIONAL, AuditEvent.seq == seq)
    ).scalar_one_or_none()
    if stored is None:
        last = head()["seq"]
        return f"the chain no longer holds event {seq} (it ends at event {last}): it was truncated"
    if stored != digest:
        return f"event {seq} has hash {stored}, not the expected {digest}: the chain was rewritten"
    return None


def anchor_if_moved() -> dict[str, dict] | None:
    """Anchor the commissions' heads into the national chain, in a transaction of its own,
    unless none moved since the newest anchor; -> the heads as read before anchoring, or
    None. For a timer (``audit anchor``) and before a signed checkpoint."""
    heads = audit.commission_heads(db.session)
    newest = db.session.execute(
        select(AuditEvent.payload)
        .where(AuditEvent.chain == NATIONAL, AuditEvent.action == str(Action.CHAINS_ANCHORED))
        .order_by(AuditEvent.seq.desc())
        .limit(1)
    ).scalar_one_or_none()
    points = audit.anchor_points(newest) if newest is not None else None
    named = {chain: {"seq": seq, "hash": digest} for chain, seq, digest in points or []}
    if not heads or named == heads:
        db.session.rollback()
        return None
    audit.anchor()
    db.session.commit()
    return heads


# --- what the chain vouches for --------------------------------------------------------------


def _chained_digests(action: Action) -> dict[tuple[str, int], set[str]]:
    """(entity id, version) -> every digest a chained event of this action recorded for it:
    more than one is a forgery (an event added on a chain of its own, say)."""
    rows = db.session.execute(
        select(AuditEvent.entity_id, AuditEvent.payload).where(AuditEvent.action == str(action))
    )
    recorded: dict[tuple[str, int], set[str]] = {}
    for entity_id, payload in rows:
        body = _as_dict(payload)
        if type(body.get("version")) is int and isinstance(body.get("digest"), str):
            recorded.setdefault((entity_id, body["version"]), set()).add(body["digest"])
    return recorded


def _as_dict(payload: str) -> dict:
    """An event's payload as a dict; {} for anything else (a forged row must not crash)."""
    try:
        body = json.loads(payload)
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _recorded_problem(name: str, digest: str, recorded: set[str] | None) -> str | None:
    if not recorded or recorded == {digest}:
        return None
    if len(recorded) > 1:
        return f"{name}: the audit records {len(recorded)} different digests for it"
    return f"{name}: its digest {digest} is not the {next(iter(recorded))} the audit recorded"


def _chain_problems() -> Iterator[str]:
    """Every chain is the national one or a territorial commission's that organises an
    election, and a commission's events name only elections it organises."""
    organisers = dict(db.session.execute(select(Election.id, Election.organiser_id)).all())
    commissions = {audit.commission_chain(unit) for unit in organisers.values()}
    for chain in db.session.scalars(select(AuditEvent.chain).distinct()):
        if chain != NATIONAL and chain not in commissions:
            yield f"{chain}: no territorial commission organising an election has this chain"
    rows = db.session.execute(
        select(AuditEvent.chain, AuditEvent.seq, AuditEvent.payload).where(
            AuditEvent.chain != NATIONAL
        )
    )
    for chain, seq, payload in rows:
        election = _as_dict(payload).get("election_id")
        if election is not None and audit.commission_chain(organisers.get(election)) != chain:
            yield f"{chain} event {seq} names election {election}, which it does not organise"


def _protocol_problems() -> Iterator[str]:
    votes: dict[int, dict[int, int]] = {}
    for version_id, candidate_id, count in db.session.execute(
        select(ProtocolVote.version_id, ProtocolVote.candidate_id, ProtocolVote.votes)
    ):
        votes.setdefault(version_id, {})[candidate_id] = count
    chained = _chained_digests(Action.PROTOCOL_SAVED)
    versions = db.session.execute(
        select(ProtocolVersion).order_by(ProtocolVersion.precinct_id, ProtocolVersion.version)
    ).yield_per(1000)
    for version in versions.scalars():
        figures = ProtocolFigures(
            votes=votes.get(version.id, {}),
            **{name: getattr(version, name) for name in FIGURE_FIELDS},
        )
        name = f"protocol version {version.version} of precinct {version.precinct_id}"
        recomputed = figures_digest(figures)
        if recomputed != version.digest:
            yield f"{name}: its stored figures give digest {recomputed}, not {version.digest}"
        problem = _recorded_problem(
            name, version.digest, chained.get((str(version.precinct_id), version.version))
        )
        if problem:
            yield problem


def _result_problems() -> Iterator[str]:
    chained = _chained_digests(Action.RESULT_CERTIFIED)
    protocols = {
        (v.precinct_id, v.version): v.digest
        for v in db.session.execute(
            select(ProtocolVersion.precinct_id, ProtocolVersion.version, ProtocolVersion.digest)
        )
    }
    results = db.session.execute(
        select(ResultVersion).order_by(ResultVersion.election_id, ResultVersion.version)
    ).scalars()
    for result in results:
        name = f"result version {result.version} of election {result.election_id}"
        recomputed = result_digest(result.figures, result.protocols, result.version)
        if recomputed != result.digest:
            yield f"{name}: its figures and protocols give digest {recomputed}, not {result.digest}"
        problem = _recorded_problem(
            name, result.digest, chained.get((str(result.election_id), result.version))
        )
        if problem:
            yield problem
        for used in result.protocols:
            stored = protocols.get((used["precinct_id"], used["version"]))
            if stored != used["digest"]:
                yield (
                    f"{name}: it used protocol version {used['version']} of precinct "
                    f"{used['precinct_id']} with digest {used['digest']}, which is "
                    + ("no longer stored" if stored is None else f"now {stored}")
                )


def verify_records() -> list[str]:
    """Every protocol version and certified result whose digest no longer matches, and every
    event on a chain that is not a commission's, named."""
    return [*_chain_problems(), *_protocol_problems(), *_result_problems()]


# --- signed checkpoints ----------------------------------------------------------------------


def checkpoints_path(app) -> Path:
    configured = os.environ.get("ELECTIONS_AUDIT_CHECKPOINTS")
    return Path(configured) if configured else Path(app.instance_path) / DEFAULT_CHECKPOINTS


def _signed_content(point: dict) -> bytes:
    return canonical({"seq": point["seq"], "hash": point["hash"], "at": point["at"]}).encode()


def keygen(path: Path) -> Path:
    """Write a new Ed25519 private key to ``path`` (mode 0600, PEM) and its public key beside
    it (``path`` + ``.pub``); -> the public key's path. Refuses to overwrite a key."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(private)
    public_path = Path(f"{path}.pub")
    public_path.write_bytes(public)
    return public_path


def load_private(path: Path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} does not hold an Ed25519 private key")
    return key


def _load_public(path: Path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    key = serialization.load_pem_public_key(path.read_bytes())
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError(f"{path} does not hold an Ed25519 public key")
    return key


def checkpoint(key_path: Path, out: Path) -> dict:
    """Sign the current head and append it to ``out`` as one JSON line; -> the line."""
    key = load_private(key_path)
    now_head = head()
    point = {
        "seq": now_head["seq"],
        "hash": now_head["hash"],
        "at": now_head["at"].isoformat() if isinstance(now_head["at"], datetime) else None,
    }
    point["signature"] = base64.b64encode(key.sign(_signed_content(point))).decode()
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("a", encoding="utf-8") as file:
        file.write(json.dumps(point, sort_keys=True) + "\n")
    return point


@dataclass(frozen=True)
class CheckpointReport:
    checked: int
    problems: list[str]


def verify_checkpoints(path: Path, public_key: Path) -> CheckpointReport:
    """Each line's signature under the public key, and that the chain still holds its event."""
    from cryptography.exceptions import InvalidSignature

    key = _load_public(public_key)
    problems, checked = [], 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        checked += 1
        where = f"checkpoint on line {number} of {path}"
        try:
            point = json.loads(line)
            signature = base64.b64decode(point["signature"], validate=True)
            key.verify(signature, _signed_content(point))
            seq, digest = int(point["seq"]), str(point["hash"])
        except InvalidSignature:
            problems.append(f"{where}: the signature does not match (forged or altered)")
            continue
        except (ValueError, KeyError, TypeError):
            problems.append(f"{where}: not a checkpoint line")
            continue
        problem = holds(seq, digest)
        if problem:
            problems.append(f"{where}: {problem}")
    return CheckpointReport(checked, problems)
