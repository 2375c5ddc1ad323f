"""The public home page and a health check."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import text

from elections.auth.access import public
from elections.clock import now, service_timezone
from elections.extensions import db
from elections.territory.services import list_elections

bp = Blueprint("pages", __name__)


@bp.get("/")
@public
def home():
    tz = service_timezone()
    moment = now()
    elections = [
        (election, election.calendar_in(tz), election.status_at(moment, tz))
        for election in list_elections()
    ]
    return render_template("home.html", elections=elections)


@bp.get("/healthz")
@public
def health():
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}
