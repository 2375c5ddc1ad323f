"""Small helpers shared by the foundation tests."""

from __future__ import annotations

import json
import re

from sqlalchemy import func, select, text

from elections.core import audit
from elections.core.audit import AuditEvent
from elections.core.extensions import db


def errors_of(response, status: int) -> list[dict]:
    """Assert the API error envelope with this status; return its error items."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json", response.mimetype
    body = response.get_json()
    assert set(body) == {"errors"}, body
    assert body["errors"], "an error envelope names at least one error"
    for item in body["errors"]:
        assert isinstance(item["code"], str) and item["code"], item
        assert isinstance(item["message"], str) and item["message"], item
        assert set(item) >= {"code", "message"}
    return body["errors"]


def codes(items: list[dict]) -> list[str]:
    return [item["code"] for item in items]


def fields(items: list[dict]) -> list[str | None]:
    return [item.get("field") for item in items]


def audit_count(app, action: str | None = None) -> int:
    with app.app_context():
        query = select(func.count()).select_from(AuditEvent)
        if action is not None:
            query = query.where(AuditEvent.action == action)
        return db.session.execute(query).scalar_one()


def verify(app) -> audit.Verdict:
    with app.app_context():
        return audit.verify()


def run_sql(app, statement: str, **params) -> None:
    """What an intruder with the database does, committed."""
    with app.app_context():
        db.session.execute(text(statement), params)
        db.session.commit()


def audit_actions(app, entity_type: str, entity_id) -> list[tuple[str, dict]]:
    """(action, payload) of the events about one entity, in the order they were chained."""
    with app.app_context():
        events = db.session.execute(
            select(AuditEvent)
            .where(AuditEvent.entity_type == entity_type, AuditEvent.entity_id == str(entity_id))
            .order_by(AuditEvent.id)
        ).scalars()
        return [(event.action, json.loads(event.payload)) for event in events]


SOURCE_EN = re.compile(r"art\.|arts |CEC|commission|Concept|Unconfirmed")


def names_a_source(basis: str) -> bool:
    """An English basis names a source: a law article, a CEC or commission publication,
    the 2021 Concept, or says that no source confirms the rule (issue 12)."""
    return bool(SOURCE_EN.search(basis))
