"""GET /api/v1/audit: the audit trail, for the CEC administrators."""

from __future__ import annotations

import json

from flask import Blueprint, request
from marshmallow import EXCLUDE, Schema, fields, validate
from sqlalchemy import select

from elections.audit import AuditEvent
from elections.auth.access import roles
from elections.db import INTEGER_MAX
from elections.extensions import db
from elections.http import load
from elections.schema_fields import LocalDateTime

bp = Blueprint("audit_api", __name__, url_prefix="/api/v1")


class AuditQuery(Schema):
    class Meta:
        unknown = EXCLUDE  # a query string may carry lang= and the like

    after = fields.Integer(load_default=0, validate=validate.Range(min=0, max=INTEGER_MAX))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


class AuditEventOut(Schema):
    seq = fields.Integer()
    at = LocalDateTime()
    actor = fields.String()
    action = fields.String()
    entity_type = fields.String()
    entity_id = fields.String()
    payload = fields.Function(lambda event: json.loads(event.payload))
    hash = fields.String()
    prev_hash = fields.String()


@bp.get("/audit")
@roles("cec_admin")
def list_events():
    query = load(AuditQuery(), request.args.to_dict())
    events = db.session.execute(
        select(AuditEvent)
        .where(AuditEvent.seq > query["after"])
        .order_by(AuditEvent.seq)
        .limit(query["limit"])
    ).scalars()
    return {"events": AuditEventOut(many=True).dump(events)}
