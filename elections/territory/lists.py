"""The public lists of the API, paged and cached: elections, units and an election's precincts.

``?per_page=`` (default 100, at most 500) and ``?page=`` (from 1) choose the slice; the body
stays a JSON list, with ``X-Total-Count`` and, while more remain, ``Link: <...>; rel="next"``
(api.md, "Lists"). Out-of-range values are a 422 with the field named.

Each page is kept in the page cache (elections/web/page_cache.py) under the
parameters it reads, never the raw query string, so a made-up parameter is a hit. Its state
key is one row read by its key: ``audit_head.lists_seq``, the newest audit event of the kinds
that change these lists, moved in the same transaction as the change (every write is audited,
and appending to the chain is serialised). A protocol save or a sign-in does not touch it, and
its cost does not grow with the trail. An election's status also follows the clock: the
elections list says until when each page holds (the first status change on it), and is kept
until then.
"""

from __future__ import annotations

from datetime import datetime

from flask import request, url_for
from flask_babel import gettext as _
from marshmallow import EXCLUDE, Schema, fields, validate
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from elections.core.audit import NATIONAL, AuditHead
from elections.core.clock import now
from elections.core.db import INTEGER_MAX
from elections.core.errors import ErrorItem, invalid
from elections.core.extensions import db
from elections.core.reads import read_one
from elections.territory.models import Election, Precinct, Unit
from elections.web.api import query

DEFAULT_PER_PAGE = 100
MAX_PER_PAGE = 500


class PageQuery(Schema):
    class Meta:
        unknown = EXCLUDE  # lang= and made-up parameters change nothing

    page = fields.Integer(
        load_default=1,
        validate=validate.Range(min=1, max=INTEGER_MAX),
        metadata={"description": "Which page of the list, from 1."},
    )
    per_page = fields.Integer(
        load_default=DEFAULT_PER_PAGE,
        validate=validate.Range(min=1, max=MAX_PER_PAGE),
        metadata={"description": "Items per page."},
    )


class UnitsQuery(PageQuery):
    # Checked by parent_query(), which words its refusal for the reader.
    parent = fields.String(
        metadata={
            "description": "KATO code of the parent unit: only its direct children are listed.",
            "pattern": "^[0-9]{9}$",
        }
    )


def page_query() -> tuple[int, int]:
    """``(page, per_page)`` of this request; a 422 naming the field when out of range."""
    page = query(PageQuery())
    return page["page"], page["per_page"]


def parent_query() -> str | None:
    parent = request.args.get("parent")
    if parent is not None and not (parent.isdigit() and len(parent) == 9):
        raise invalid([ErrorItem("invalid", _("A KATO code is 9 digits."), field="parent")])
    return parent


def list_state() -> tuple:
    """What the public lists depend on, in one row read by its key: the newest audit event
    that could change them."""
    return read_one(select(AuditHead.lists_seq).where(AuditHead.chain == NATIONAL))


def election_exists(election_id: int) -> bool:
    """Without loading the election (its rule profile is the bulk of its row)."""
    found = db.session.execute(select(Election.id).where(Election.id == election_id)).first()
    return found is not None


def until_a_status_changes(elections) -> datetime | None:
    """The first instant at which one of these elections' status changes by the clock."""
    moment = now()
    changes = [election.status_changes_after(moment) for election in elections]
    return min((change for change in changes if change is not None), default=None)


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
        .options(joinedload(Precinct.unit))
        .where(Precinct.election_id == election_id)
        .order_by(Precinct.number, Precinct.id)
    )


def paged(statement, page: dict, seen=None, **keep):
    """The items of one page of ``statement``, with its Link and X-Total-Count. ``page``: the
    parsed PageQuery. ``seen``: called with the page's items. ``keep``: the other parameters
    the list reads, repeated in the next page's link."""
    page, per_page = page["page"], page["per_page"]
    offset = (page - 1) * per_page
    items = list(db.session.execute(statement.limit(per_page).offset(offset)).scalars().unique())
    if 0 < len(items) < per_page or (page == 1 and not items):
        total = offset + len(items)  # the last page: nothing left to count
    else:
        total = db.session.execute(
            select(func.count()).select_from(statement.order_by(None).subquery())
        ).scalar_one()
    if seen is not None:
        seen(items)
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
    return items, 200, headers
