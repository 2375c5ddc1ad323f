"""Pages for the organising commission (candidates, decisions) and the public status lookup."""

from __future__ import annotations

import time

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from elections import ratelimit
from elections.auth.access import current_actor, ensure_organiser, public, roles
from elections.candidates import services
from elections.candidates.desk import election_desk
from elections.candidates.forms import (
    FIELD_ALIASES,
    DecisionForm,
    ForgetForm,
    NominationForm,
    StatusForm,
)
from elections.candidates.grounds import GROUND_CODES, ground
from elections.candidates.models import STATUSES, Candidate
from elections.candidates.presenters import candidate_view, next_step, status_view
from elections.candidates.schemas import NominationIn
from elections.errors import ServiceError
from elections.extensions import db
from elections.forms import attach_errors
from elections.http import validation_error
from elections.i18n import pick_language
from elections.territory.models import Election
from elections.territory.services import get_election, list_parties

bp = Blueprint("commission", __name__, url_prefix="/commission")
public_bp = Blueprint("candidate_status", __name__)

COMMISSION = ("territorial_member", "territorial_chair")
ACTIONS = {
    "register": _l("Register the candidate"),
    "refuse": _l("Refuse registration"),
    "withdraw": _l("Record the withdrawal"),
    "cancel": _l("Cancel the registration"),
}


@bp.get("/")
@roles(*COMMISSION)
def index():
    """The commission's home: what awaits it in each election it organises, then every
    page of each election."""
    actor = current_actor()
    elections = db.session.execute(
        select(Election)
        .where(Election.organiser_id == actor.commission_unit_id)
        .order_by(Election.election_day)
    ).scalars()
    desks = [election_desk(election) for election in elections]
    return render_template(
        "candidates/commission.html",
        commission=actor.commission,
        desks=desks,
        is_chair=actor.role == "territorial_chair",
    )


def _my_election(election_id: int) -> Election:
    election = get_election(election_id)
    ensure_organiser(current_actor(), election)
    return election


@bp.get("/elections/<int:election_id>/candidates")
@roles(*COMMISSION)
def candidates(election_id: int):
    election = _my_election(election_id)
    status = request.args.get("status") or None
    if status not in (None, *STATUSES):
        status = None
    territory = services.territory_of(election)
    rows = [candidate_view(c, territory) for c in services.list_candidates(election, status)]
    return render_template(
        "candidates/list.html", election=election, rows=rows, status=status, statuses=STATUSES
    )


def _party_choices() -> list[SelectChoice]:
    return [SelectChoice(p.id, f"{p.short_name} — {pick_language(p.name)}") for p in list_parties()]


@bp.route("/elections/<int:election_id>/candidates/new", methods=["GET", "POST"])
@roles(*COMMISSION)
def nominate(election_id: int):
    election = _my_election(election_id)
    form = NominationForm()
    form.party_id.choices = _party_choices()
    if form.validate_on_submit():
        try:
            data = NominationIn().load(form.to_data())
            candidate = services.nominate(election, data, current_actor())
        except ValidationError as error:
            attach_errors(form, validation_error(error), FIELD_ALIASES)
        except ServiceError as error:
            db.session.rollback()
            attach_errors(form, error, FIELD_ALIASES)
        else:
            db.session.commit()
            flash(_("Application %(number)s saved.", number=candidate.application_number))
            return redirect(url_for("commission.candidate", candidate_id=candidate.id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("candidates/nominate.html", election=election, form=form), status


@bp.get("/candidates/<int:candidate_id>")
@roles(*COMMISSION)
def candidate(candidate_id: int):
    found = services.get_candidate(candidate_id)
    ensure_organiser(current_actor(), found.election)
    return render_template(
        "candidates/detail.html", candidate=found, view=candidate_view(found), actions=ACTIONS
    )


@bp.route("/candidates/<int:candidate_id>/edit", methods=["GET", "POST"])
@roles(*COMMISSION)
def edit(candidate_id: int):
    """The nomination form again, filled in, until the commission decides."""
    found = services.get_candidate(candidate_id)
    ensure_organiser(current_actor(), found.election)
    page = "candidates/edit.html"
    if found.status != "submitted":
        # Decided (perhaps while this form was open): say why, show no form.
        status = 409 if request.method == "POST" else 200
        return render_template(page, candidate=found, view=candidate_view(found), form=None), status
    if request.method == "POST":
        form = NominationForm()
    else:
        form = NominationForm(data=NominationForm.initial_data(found))
    form.party_id.choices = _party_choices()
    if form.validate_on_submit():
        try:
            body = form.to_data()
            changes = services.update(services.lock_for_edit(found, body), body, current_actor())
        except ServiceError as error:
            db.session.rollback()
            if error.items[0].code == "already_decided":
                found = services.get_candidate(candidate_id)
                return render_template(
                    page, candidate=found, view=candidate_view(found), form=None
                ), 409
            attach_errors(form, error, FIELD_ALIASES)
        else:
            db.session.commit()
            if changes:
                number = found.application_number
                flash(_("Changes to application %(number)s saved.", number=number))
            else:
                flash(_("Nothing was changed."))
            return redirect(url_for("commission.candidate", candidate_id=candidate_id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template(page, candidate=found, view=candidate_view(found), form=form), status


@bp.route("/candidates/<int:candidate_id>/<action>", methods=["GET", "POST"])
@roles(*COMMISSION)
def decide(candidate_id: int, action: str):
    if action not in ACTIONS:
        abort(404)
    found = services.get_candidate(candidate_id)
    ensure_organiser(current_actor(), found.election)
    profile = found.election.profile
    form = DecisionForm()
    form.grounds.choices = [
        SelectChoice(code, pick_language(ground(code, profile).message)) for code in GROUND_CODES
    ]
    if request.method == "GET" and action == "refuse":
        form.grounds.data = [v["code"] for v in candidate_view(found)["eligibility"]["violations"]]
    if form.validate_on_submit():
        try:
            _apply(action, services.lock_candidate(candidate_id), form)
        except ServiceError as error:
            db.session.rollback()
            attach_errors(form, error)
        else:
            db.session.commit()
            flash(_("Decision recorded."))
            return redirect(url_for("commission.candidate", candidate_id=candidate_id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template(
        "candidates/decide.html",
        candidate=found,
        view=candidate_view(found),
        form=form,
        action=action,
        title=ACTIONS[action],
    ), status


def _apply(action: str, candidate, form: DecisionForm) -> None:
    actor, note = current_actor(), form.note.data or None
    if action == "register":
        services.register(candidate, note, actor)
    elif action == "refuse":
        services.refuse(candidate, form.grounds.data or None, note, actor)
    elif action == "withdraw":
        reason = (form.reason.data or "").strip()
        if not reason:
            raise ServiceError.one(422, "required", _("Give the reason."), field="reason")
        services.withdraw(candidate, reason, actor)
    else:
        if not form.grounds.data:
            raise ServiceError.one(422, "required", _("Name the grounds."), field="grounds")
        services.cancel_registration(candidate, form.grounds.data, note, actor)


# A found application stays on the page for this long (a reload, a language switch); the
# browser keeps only the candidate's id, in the signed session, never the IIN.
LOOKUP_SECONDS = 15 * 60
LOOKUP_KEY = "status_lookup"


def _remembered():
    lookup = session.get(LOOKUP_KEY)
    if not isinstance(lookup, dict) or time.time() - lookup.get("at", 0) > LOOKUP_SECONDS:
        session.pop(LOOKUP_KEY, None)
        return None
    return db.session.get(Candidate, lookup.get("id"))


def _language_asked() -> dict:
    """``{"lang": code}`` when the address chose the language: the form and its answer keep it."""
    language = request.args.get("lang")
    return {"lang": language} if language in current_app.config["LANGUAGES"] else {}


def _status_page(form, found=None, problem=None, status=200, headers=None):
    result = status_view(found) if found is not None else None
    body = render_template(
        "candidates/status.html",
        language_asked=_language_asked(),
        form=form,
        forget=ForgetForm(formdata=None),
        result=result,
        next_step=next_step(found) if found is not None else None,
        problem=problem,
    )
    # The answer names an application and its history: no browser or proxy keeps a copy
    # (the back button after "forget", a shared computer).
    return body, status, {**(headers or {}), "Cache-Control": "no-store"}


@public_bp.get("/status")
@public
def status():
    if any(name in request.args for name in ("application_number", "iin")):
        # The old lookup by address (a bookmark, a shared link): nothing is looked up or
        # shown, and the IIN goes no further than this request.
        session.pop(LOOKUP_KEY, None)
        flash(
            _(
                "For your safety the IIN is no longer taken in the page address. "
                "Enter it in the form."
            )
        )
        return redirect(url_for("candidate_status.status", **_language_asked()), 303)
    return _status_page(StatusForm(formdata=None), _remembered())


@public_bp.post("/status")
@public
def look_up():
    session.pop(LOOKUP_KEY, None)  # a new question: the last answer no longer stands
    form = StatusForm()
    if not form.validate():
        return _status_page(form, status=422)
    try:
        ratelimit.check("status", "STATUS_LOOKUP_RATE")
        found = services.find_application(form.application_number.data, form.iin.data)
        if found is None:
            raise services.application_not_found()
    except ServiceError as error:
        return _status_page(form, None, error.items[0].message, error.status, error.headers)
    session[LOOKUP_KEY] = {"id": found.id, "at": int(time.time())}
    # Post/redirect/get: a reload or a language switch shows the answer again, sends nothing.
    return redirect(url_for("candidate_status.status", **_language_asked()), 303)


@public_bp.post("/status/forget")
@public
def forget():
    if ForgetForm().validate_on_submit():
        session.pop(LOOKUP_KEY, None)
    return redirect(url_for("candidate_status.status", **_language_asked()), 303)
