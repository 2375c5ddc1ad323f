"""Pages: the printable ballot, protocol entry for the precinct, progress for the commission."""

from __future__ import annotations

import uuid

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from elections import idempotency
from elections.auth.access import (
    current_actor,
    ensure_organiser,
    ensure_precinct_access,
    public,
    roles,
)
from elections.ballots import services
from elections.ballots.forms import ProtocolForm
from elections.ballots.models import FIGURE_FIELDS
from elections.ballots.tally import ProtocolFigures, check_relations
from elections.errors import ServiceError
from elections.extensions import db
from elections.territory.models import Precinct
from elections.territory.services import get_election

bp = Blueprint("protocols", __name__)
public_bp = Blueprint("ballot_paper", __name__)

PROTOCOL_ROLES = ("precinct_secretary", "territorial_member", "territorial_chair")
COMMISSION = ("territorial_member", "territorial_chair")


@public_bp.get("/elections/<int:election_id>/ballot")
@public
def ballot(election_id: int):
    election = get_election(election_id)
    return render_template(
        "ballots/ballot.html", election=election, paper=services.ballot(election)
    )


@bp.get("/precinct")
@roles("precinct_secretary")
def my_precinct():
    precinct_id = current_actor().precinct_id
    return redirect(url_for("protocols.protocol", precinct_id=precinct_id))


def _precinct(precinct_id: int) -> Precinct:
    precinct = db.session.get(Precinct, precinct_id)
    if precinct is None:
        raise ServiceError.one(404, "not_found", _("Nothing was found at this address."))
    ensure_precinct_access(current_actor(), precinct)
    return precinct


def _typed(form_data) -> dict:
    """The protocol body from the posted fields; what is not a whole number stays as typed."""

    def value(raw: str | None):
        raw = (raw or "").strip()
        return int(raw) if raw.isascii() and raw.isdigit() else raw  # "²".isdigit() too

    body = {name: value(form_data.get(name)) for name in FIGURE_FIELDS}
    body["votes"] = {
        key.removeprefix("votes-"): value(raw)
        for key, raw in form_data.items()
        if key.startswith("votes-")
    }
    return body


@bp.route("/precincts/<int:precinct_id>/protocol", methods=["GET", "POST"])
@roles(*PROTOCOL_ROLES)
def protocol(precinct_id: int):
    precinct = _precinct(precinct_id)
    election = precinct.election
    current = services.current_version(precinct)
    form = ProtocolForm()
    typed, errors, conflict, status = None, [], False, 200
    if form.validate_on_submit():
        typed = _typed(request.form)
        body = {**typed, "expected_version": form.expected_version.data}
        try:
            return _save(precinct, body, form.idempotency_key.data)
        except ServiceError as error:
            db.session.rollback()
            errors, status = error.items, error.status
            conflict = any(item.code == "version_conflict" for item in error.items)
            current = services.current_version(precinct)
    elif request.method == "POST":
        errors, status = [ServiceError.one(400, "bad_request", _("Reload the page.")).items[0]], 400
    if typed is None or conflict:
        # After a refusal for its figures the form keeps the version they were typed against:
        # moving it on would let the next save overwrite a version its author never saw.
        form.expected_version.data = current.version if current else 0
    form.idempotency_key.data = str(uuid.uuid4())
    candidates = services.ballot_candidates(election)
    shown = typed or _figures_of(current)
    return render_template(
        "ballots/protocol.html",
        precinct=precinct,
        election=election,
        candidates=candidates,
        current=current,
        shown=shown,
        form=form,
        errors=errors,
        field_errors={item.field: item.message for item in errors if item.field},
        conflict=conflict,
        relations=_relations(shown, candidates),
        saved=request.args.get("saved", type=int),
        locked=election.state == "certified",
        opens=services.count_not_started(election),
    ), status


def _save(precinct: Precinct, body: dict, key: str | None):
    actor = current_actor()
    print_ = idempotency.fingerprint("PUT", request.path, body)
    try:
        stored = idempotency.replay(actor, key, print_) if key else None
    except ServiceError:
        stored, key = None, None  # the key was spent on other figures: save on the merits
    if stored is None:
        version = services.save_protocol(precinct, body, actor)
        if key:
            idempotency.remember(actor, key, print_, 200, {"version": version.version})
        db.session.commit()
        saved = version.version
    else:
        saved = stored[1]["version"]
    flash(_("Protocol saved as version %(version)d.", version=saved))
    return redirect(url_for("protocols.protocol", precinct_id=precinct.id, saved=saved))


def _figures_of(version) -> dict | None:
    if version is None:
        return None
    shown = {name: getattr(version, name) for name in FIGURE_FIELDS}
    shown["votes"] = {str(cid): n for cid, n in version.votes_by_candidate().items()}
    return shown


def _relations(shown: dict | None, candidates) -> list | None:
    """The relations evaluated on what is shown, when every line is a whole number."""
    if not shown:
        return None
    lines = [shown.get(name) for name in FIGURE_FIELDS]
    votes = {c.id: shown.get("votes", {}).get(str(c.id)) for c in candidates}
    if not all(isinstance(v, int) for v in [*lines, *votes.values()]):
        return None
    return check_relations(ProtocolFigures(votes=votes, **{n: shown[n] for n in FIGURE_FIELDS}))


@bp.get("/precincts/<int:precinct_id>/protocol/versions")
@roles(*PROTOCOL_ROLES)
def versions(precinct_id: int):
    precinct = _precinct(precinct_id)
    candidates = services.ballot_candidates(precinct.election)
    return render_template(
        "ballots/versions.html",
        precinct=precinct,
        versions=services.versions(precinct),
        candidates=candidates,
    )


@bp.get("/commission/elections/<int:election_id>/protocols")
@roles(*COMMISSION)
def progress(election_id: int):
    election = get_election(election_id)
    ensure_organiser(current_actor(), election)
    rows = services.progress(election)
    reported = sum(1 for _p, version in rows if version is not None)
    return render_template("ballots/progress.html", election=election, rows=rows, reported=reported)
