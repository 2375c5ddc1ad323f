"""The public home page."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from elections.core.clock import now
from elections.territory.services import elections_page
from elections.web.access import public

bp = Blueprint("pages", __name__)


@bp.get("/")
@public
def home():
    moment = now()
    page = elections_page(request.args.get("page", 1, type=int))
    elections = [
        (election, election.calendar(), election.status_at(moment)) for election in page.items
    ]
    return render_template("home.html", elections=elections, page=page)
