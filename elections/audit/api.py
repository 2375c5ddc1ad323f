"""GET /api/v1/audit: the audit trail, for the CEC administrators."""

from __future__ import annotations

import json

from flask import url_for
from marshmallow import EXCLUDE, Schema, fields, validate
from sqlalchemy import func, select

from elections.audit import checks as audit_checks
from elections.core.audit import NATIONAL, AuditEvent
from elections.core.db import INTEGER_MAX
from elections.core.extensions import db
from elections.web.access import public, roles
from elections.web.api import AUDIT, PAGED, ApiBlueprint
from elections.web.schema_fields import LocalDateTime, shown_as

bp = ApiBlueprint("audit_api", __name__, tag=AUDIT)


class AuditQuery(Schema):
    class Meta:
        unknown = EXCLUDE  # a query string may carry lang= and the like

    # One chain at a time, its events in order: "national" or "commission:<unit id>".
    chain = fields.String(
        load_default=NATIONAL,
        validate=validate.Regexp(r"^(national|commission:[1-9][0-9]{0,9})\Z"),
        metadata={
            "description": "the chain: national, or commission:<unit id> of a territorial"
            " commission's election-night events"
        },
    )
    after = fields.Integer(load_default=0, validate=validate.Range(min=0, max=INTEGER_MAX))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
    # api.md "Lists": ?per_page= (at most 500; wins over the older limit=) and ?page= from 1.
    per_page = fields.Integer(load_default=None, validate=validate.Range(min=1, max=500))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=INTEGER_MAX))


class AuditEventOut(Schema):
    chain = fields.String()
    seq = fields.Integer()
    at = LocalDateTime()
    actor = fields.String()
    action = fields.String()
    entity_type = fields.String()
    entity_id = fields.String()
    payload = fields.Function(
        lambda event: json.loads(event.payload), metadata=shown_as({"type": "object"})
    )
    hash = fields.String()
    prev_hash = fields.String()


class AuditEventsOut(Schema):
    events = fields.List(fields.Nested(AuditEventOut), required=True)


@bp.get("/audit")
@roles("cec_admin")
@bp.doc(description=PAGED)
@bp.arguments(AuditQuery, location="query")
@bp.response(200, AuditEventsOut)
def list_events(query):
    """Read the audit trail

    One chain's events in order: the national chain by default, or a territorial
    commission's (`chain=commission:<unit id>`), where protocols, scans and observers' copies
    are chained on election night.
    """
    size = query["per_page"] or query["limit"]
    after = (AuditEvent.chain == query["chain"]) & (AuditEvent.seq > query["after"])
    total = db.session.execute(select(func.count(AuditEvent.id)).where(after)).scalar_one()
    events = db.session.execute(
        select(AuditEvent)
        .where(after)
        .order_by(AuditEvent.seq)
        .limit(size)
        .offset((query["page"] - 1) * size)
    ).scalars()
    headers = {"X-Total-Count": str(total)}
    if query["page"] * size < total:
        sizing = {"per_page": size} if query["per_page"] else {"limit": size}
        cursor = {"after": query["after"]} if query["after"] else {}
        if query["chain"] != NATIONAL:
            cursor["chain"] = query["chain"]
        target = url_for("audit_api.list_events", **cursor, **sizing, page=query["page"] + 1)
        headers["Link"] = f'<{target}>; rel="next"'
    return {"events": events}, 200, headers


class AuditHeadOut(Schema):
    seq = fields.Integer()
    hash = fields.String()
    at = LocalDateTime(allow_none=True)


@bp.get("/audit/head")
@public
@bp.response(200, AuditHeadOut)
def audit_head():
    """The head of the audit trail

    The national chain's newest event: its sequence number, hash and time (seq 0 and the
    genesis hash of 64 zeros, at null, while the trail is empty). The territorial
    commissions' chains are anchored into it at each certification and every minute. Keep a
    copy: `flask --app elections audit verify --expect-head SEQ:HASH` fails once the chain
    no longer holds that event with that hash.
    ---
    Checked by elections.audit.checks.
    """
    return audit_checks.head(), 200, {"Cache-Control": "no-cache"}


@bp.app_template_global("audit_head")
def audit_head_for_page() -> dict:
    """The head as a page shows it (templates/results/_audit_head.html): read as the page is
    drawn, so the page says "as of" its time."""
    return audit_checks.head()
