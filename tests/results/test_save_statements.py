"""A protocol save takes its commission's audit head, the row every writer of that commission
locks, last: its lock is followed only by the events' INSERT and the head's UPDATE, then the
commit (issue 17), and the save issues no more statements than today's count."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from elections.ballots.models import Protocol
from elections.core.extensions import db
from tests.results.support import protocol_body, put_protocol
from tests.results.test_query_counts import counted

# Statements of one API save with an Idempotency-Key (savepoints aside), today: a ceiling
# that may only come down. PostgreSQL adds the row locks SQLite does not need.
CEILING = {"sqlite": 13, "postgresql": 14}


def _save(app, client, headers, world, candidates) -> list[str]:
    with app.app_context():
        current = db.session.execute(
            select(Protocol.version).where(Protocol.precinct_id == world.precinct_a)
        ).scalar_one_or_none()
    votes = {cid: 30 + j for j, cid in enumerate(candidates)}
    body = protocol_body(votes, invalid=1, expected_version=current or 0)
    with counted(app) as statements:
        response = put_protocol(
            client,
            {**headers, "Idempotency-Key": str(uuid.uuid4())},
            world.election_id,
            world.precinct_a,
            body,
        )
    assert response.status_code == 200, response.get_data(as_text=True)
    return [" ".join(s.split()) for s in statements if "SAVEPOINT" not in s]


def test_the_audit_head_is_locked_last_and_held_for_its_insert_alone(
    app, client, world, add_candidates, chair
):
    candidates = add_candidates(world.election_id, 3)
    _save(app, client, chair, world, candidates)  # the first version
    statements = _save(app, client, chair, world, candidates)
    touching_head = [i for i, s in enumerate(statements) if "audit_head" in s]
    first = touching_head[0]
    tail = statements[first:]
    assert tail[0].startswith("SELECT audit_head."), tail
    kinds = sorted(" ".join(statement.split()[:3]) for statement in tail[1:])
    assert kinds == ["INSERT INTO audit_events", "UPDATE audit_head SET"], tail
    with app.app_context():
        engine = db.engine.dialect.name
    assert len(statements) <= CEILING[engine], "\n".join(statements)
