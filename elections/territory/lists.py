"""The public lists of the API, paged and cached: elections, units and an election's precincts.

``?per_page=`` (default 100, at most 500) and ``?page=`` (from 1) choose the slice; the body
stays a JSON list, with ``X-Total-Count`` and, while more remain, ``Link: <...>; rel="next"``
(api.md, "Lists"). Out-of-range values are a 422 with the field named.

Each page is kept in the results page cache (elections/results/caching.py) under the
parameters it reads, never the raw query string, so a made-up parameter is a hit. Its state
key is one small query: the newest audit event of the kinds that change these lists (every
write is audited in its own transaction, and appending to the chain is serialised, so the
newest sequence number grows with every commit), with the row count of each table read. A
protocol save or a sign-in does not touch them. An election's status also follows the clock;
every deadline and voting hour falls on a whole minute, so the minute of the clock completes
the key of the elections list.
"""

from __future__ import annotations

import time
from functools import cache

from flask import request, url_for
from flask_babel import gettext as _
from marshmallow import EXCLUDE, Schema, fields, validate
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from elections.audit import Action, AuditEvent
from elections.db import INTEGER_MAX
from elections.errors import ErrorItem, invalid
from elections.extensions import db
from elections.http import load
from elections.territory.models import Election, Precinct, Unit

DEFAULT_PER_PAGE = 100
MAX_PER_PAGE = 500
# The kinds of audit event after which a public list may read differently.
_LIST_KINDS = ("unit", "election", "precinct", "result", "demo")


class PageQuery(Schema):
    class Meta:
        unknown = EXCLUDE  # lang= and made-up parameters change nothing

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=INTEGER_MAX))
    per_page = fields.Integer(
        load_default=DEFAULT_PER_PAGE, validate=validate.Range(min=1, max=MAX_PER_PAGE)
    )


def page_query() -> tuple[int, int]:
    """``(page, per_page)`` of this request; a 422 naming the field when out of range."""
    query = load(PageQuery(), request.args.to_dict())
    return query["page"], query["per_page"]


def parent_query() -> str | None:
    parent = request.args.get("parent")
    if parent is not None and not (parent.isdigit() and len(parent) == 9):
        raise invalid([ErrorItem("invalid", _("A KATO code is 9 digits."), field="parent")])
    return parent


@cache
def _list_actions() -> tuple[str, ...]:
    return tuple(action.value for action in Action if action.value.split(".")[0] in _LIST_KINDS)


@cache
def _state_statement():
    newest = (
        select(func.max(AuditEvent.seq))
        .where(AuditEvent.action.in_(_list_actions()))
        .scalar_subquery()
    )

    def count(model):
        return select(func.count(model.id)).scalar_subquery()

    return select(
        select(AuditEvent.seq).where(AuditEvent.seq == newest).scalar_subquery(),
        # Its hash too: a sequence number rolled back and drawn again names another event.
        select(AuditEvent.hash).where(AuditEvent.seq == newest).scalar_subquery(),
        count(Unit),
        count(Election),
        count(Precinct),
    )


def list_state(clock: bool = False) -> tuple:
    """What the public lists depend on, in one small query: the newest audit event that
    could change them and the rows of each table (and, for the elections' status, the
    minute of the clock)."""
    row = db.session.execute(_state_statement()).one()
    return (*row, int(time.time() // 60) if clock else 0)


def units_query(parent: str | None):
    query = select(Unit).options(selectinload(Unit.parent)).order_by(Unit.kato)
    if parent:
        parent_ids = select(Unit.id).where(Unit.kato == parent).scalar_subquery()
        query = query.where(Unit.parent_id == parent_ids)
    return query


def elections_query():
    return (
        select(Election)
        .options(selectinload(Election.unit), selectinload(Election.organiser))
        .order_by(Election.election_day, Election.id)
    )


def precincts_query(election_id: int):
    return (
        select(Precinct)
        .options(selectinload(Precinct.unit))
        .where(Precinct.election_id == election_id)
        .order_by(Precinct.number, Precinct.id)
    )


def paged(query, schema: Schema, **keep):
    """One page of ``query`` dumped by ``schema`` (many), with its Link and X-Total-Count.
    ``keep``: the other parameters the list reads, repeated in the next page's link."""
    page, per_page = page_query()
    total = db.session.execute(
        select(func.count()).select_from(query.order_by(None).subquery())
    ).scalar_one()
    items = db.session.execute(query.limit(per_page).offset((page - 1) * per_page)).scalars()
    headers = {"X-Total-Count": str(total)}
    if page * per_page < total:
        arguments = {name: value for name, value in keep.items() if value is not None}
        target = url_for(
            request.endpoint,
            **(request.view_args or {}),
            **arguments,
            page=page + 1,
            per_page=per_page,
        )
        headers["Link"] = f'<{target}>; rel="next"'
    return schema.dump(list(items)), 200, headers
