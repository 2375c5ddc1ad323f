"""corrected rule profiles: rural-2026 is withdrawn

Revision ID: c12a0profiles
Revises: a51b946e9e84
Create Date: 2026-12-01 23:15:00

No source shows a 2026 change to akim elections (domain.md, "Rule profiles"), so the
``rural-2026`` profile is withdrawn. Every election still bound to it is re-bound to the
profile its kind and call date take (``rural-2023``: rural, called from 2023 on; ``rural-2021``
before), with a fresh snapshot of that profile, and an ``election.profile_rebound`` event
saying why is appended to the audit chain (hash-linked like every other event).
"""

import hashlib
import json
from datetime import UTC, date, datetime
from importlib import resources

import sqlalchemy as sa
from alembic import op

from elections.core.db import UTCDateTime

# revision identifiers, used by Alembic.
revision = "c12a0profiles"
down_revision = "a51b946e9e84"
branch_labels = None
depends_on = None

WITHDRAWN = "rural-2026"
REASON = (
    "Profile rural-2026 withdrawn: no source shows a 2026 change to akim elections "
    "(domain.md, Rule profiles); re-bound to the profile for a rural election called on "
    "this date, with the CEC's day counting (18:00 on election day minus N+1 days)."
)

elections = sa.table(
    "elections",
    sa.column("id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("called_on", sa.Date),
    sa.column("profile_key", sa.String),
    sa.column("profile_snapshot", sa.JSON),
)
audit_events = sa.table(
    "audit_events",
    sa.column("seq", sa.Integer),
    sa.column("at", UTCDateTime),
    sa.column("actor_id", sa.Integer),
    sa.column("actor", sa.String),
    sa.column("action", sa.String),
    sa.column("entity_type", sa.String),
    sa.column("entity_id", sa.String),
    sa.column("payload", sa.Text),
    sa.column("prev_hash", sa.String),
    sa.column("hash", sa.String),
)
audit_head = sa.table(
    "audit_head",
    sa.column("id", sa.Integer),
    sa.column("seq", sa.Integer),
    sa.column("hash", sa.String),
)


def _canonical(value) -> str:
    # The same canonical form as elections.core.audit.canonical, frozen here.
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def _hash(event: dict) -> str:
    content = _canonical(
        {
            "seq": event["seq"],
            "at": event["at"].isoformat(),
            "actor": event["actor"],
            "actor_id": event["actor_id"],
            "action": event["action"],
            "entity_type": event["entity_type"],
            "entity_id": event["entity_id"],
            "payload": event["payload"],
            "prev_hash": event["prev_hash"],
        }
    )
    return hashlib.sha256(content.encode()).hexdigest()


def _shipped(key: str) -> dict:
    folder = resources.files("elections.rules") / "profiles"
    return json.loads((folder / f"{key}.json").read_text(encoding="utf-8"))


def _target(kind: str, called_on: date) -> str:
    if kind == "district":
        return "district-2023"
    return "rural-2021" if called_on < date(2023, 1, 1) else "rural-2023"


def upgrade():
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(
            elections.c.id, elections.c.kind, elections.c.called_on, elections.c.profile_snapshot
        )
        .where(elections.c.profile_key == WITHDRAWN)
        .order_by(elections.c.id)
    ).all()
    if not rows:
        return
    head = conn.execute(
        sa.select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1)
    ).one()
    seq, prev = head.seq, head.hash
    at = datetime.now(UTC).replace(microsecond=0)
    for row in rows:
        called_on = row.called_on
        if isinstance(called_on, str):
            called_on = date.fromisoformat(called_on)
        key = _target(row.kind, called_on)
        profile = _shipped(key)
        old_version = (row.profile_snapshot or {}).get("version")
        conn.execute(
            elections.update()
            .where(elections.c.id == row.id)
            .values(profile_key=key, profile_snapshot=profile)
        )
        seq += 1
        event = {
            "seq": seq,
            "at": at,
            "actor_id": None,
            "actor": "system",
            "action": "election.profile_rebound",
            "entity_type": "election",
            "entity_id": str(row.id),
            "payload": _canonical(
                {
                    "from": {"profile": WITHDRAWN, "version": old_version},
                    "to": {"profile": key, "version": profile["version"]},
                    "reason": REASON,
                    "migration": revision,
                }
            ),
            "prev_hash": prev,
        }
        event["hash"] = _hash(event)
        conn.execute(audit_events.insert().values(**event))
        prev = event["hash"]
    conn.execute(audit_head.update().where(audit_head.c.id == 1).values(seq=seq, hash=prev))


def downgrade():
    # The re-binding is a recorded decision in the audit trail; it is not undone.
    pass
