"""Plain helpers for the ballot and protocol integration tests: bodies, URLs, row counts."""

from __future__ import annotations

from sqlalchemy import func, select

from elections.ballots.models import Protocol, ProtocolVersion, ProtocolVote
from elections.core.audit import AuditEvent
from elections.core.extensions import db
from elections.core.idempotency import IdempotencyRecord

# A protocol that satisfies every control relation, for three candidates:
# 1000 = 800 + 200; 800 <= 1200; 790 <= 800; 790 = 10 + (400 + 200 + 100) + 80.
FIGURES = {
    "voters_on_list": 1200,
    "ballots_received": 1000,
    "ballots_issued": 800,
    "ballots_cancelled": 200,
    "ballots_in_boxes": 790,
    "invalid_ballots": 10,
    "against_all": 80,
}
VOTES = (400, 200, 100)

# Everything a protocol save may write.
WRITTEN_BY_A_SAVE = (Protocol, ProtocolVersion, ProtocolVote, AuditEvent, IdempotencyRecord)


def protocol_body(candidate_ids, expected_version: int = 0, votes=None, **figures) -> dict:
    """A valid protocol body for these candidates (three by default figures), with overrides."""
    votes = VOTES if votes is None else votes
    return {
        **FIGURES,
        **figures,
        "votes": {str(cid): n for cid, n in zip(candidate_ids, votes, strict=True)},
        "expected_version": expected_version,
    }


def protocol_url(election_id: int, precinct_id: int, suffix: str = "") -> str:
    return f"/api/v1/elections/{election_id}/precincts/{precinct_id}/protocol{suffix}"


def codes(response) -> list[str]:
    return [item["code"] for item in response.json["errors"]]


def row_counts(app) -> dict[str, int]:
    """How many rows each table a save writes to holds (call outside any app context)."""
    with app.app_context():
        return {
            model.__tablename__: db.session.execute(
                select(func.count()).select_from(model)
            ).scalar_one()
            for model in WRITTEN_BY_A_SAVE
        }


def version_count(app, precinct_id: int) -> int:
    with app.app_context():
        return db.session.execute(
            select(func.count())
            .select_from(ProtocolVersion)
            .where(ProtocolVersion.precinct_id == precinct_id)
        ).scalar_one()
