"""``/metrics``: the CEC administrator's scrape (an API token, as Prometheus sends it, or
signed in), or anyone's with ``ELECTIONS_METRICS_PUBLIC=1`` (a scraper on a private network;
the documented nginx does not pass ``/metrics`` on)."""

from __future__ import annotations

from flask import Blueprint, current_app, g

from elections.auth.access import bearer_user
from elections.core.errors import forbidden
from elections.web.access import current_actor, public
from elections.web.metrics import exposition

bp = Blueprint("metrics", __name__)


@bp.get("/metrics")
@public  # checked here: the administrator's token or session, or the setting that opens it
def metrics():
    if not current_app.config["METRICS_PUBLIC"]:
        g.actor = current_actor() or bearer_user(required=True)
        g.actor_name = g.actor.username  # the request log names it
        if g.actor.role != "cec_admin":
            raise forbidden()
    return exposition()
