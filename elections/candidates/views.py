"""Pages for the organising commission (candidates, decisions) and the public status lookup."""

from __future__ import annotations

import json
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
from wtforms.fields.choices import SelectChoice

from elections.auth.access import ensure_organiser
from elections.candidates import services
from elections.candidates.forms import (
    FIELD_ALIASES,
    FORM_FIELDS,
    DecisionForm,
    ForgetForm,
    NominationForm,
    StatusForm,
)
from elections.candidates.grounds import GROUND_CODES, ground
from elections.candidates.models import STATUSES, Candidate
from elections.candidates.presenters import (
    candidate_view,
    checks_of,
    checks_view,
    next_step,
    status_view,
)
from elections.candidates.schemas import NominationIn
from elections.core.errors import ServiceError, validation_error
from elections.core.extensions import db
from elections.territory.models import Election
from elections.territory.services import get_election, list_parties
from elections.web import ratelimit
from elections.web.access import current_actor, public, roles
from elections.web.forms import attach_errors
from elections.web.i18n import pick_language

bp = Blueprint("commission", __name__, url_prefix="/commission")
public_bp = Blueprint("candidate_status", __name__)

COMMISSION = ("territorial_member", "territorial_chair")
ACTIONS = {
    "register": _l("Register the candidate"),
    "refuse": _l("Refuse registration"),
    "withdraw": _l("Record the withdrawal"),
    "cancel": _l("Cancel the registration"),
}


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
    checks = checks_of(election.profile, None)
    page = render_template("candidates/nominate.html", election=election, form=form, checks=checks)
    return page, status


@bp.get("/candidates/<int:candidate_id>")
@roles(*COMMISSION)
def candidate(candidate_id: int):
    found = services.get_candidate(candidate_id)
    ensure_organiser(current_actor(), found.election)
    return render_template(
        "candidates/detail.html",
        candidate=found,
        view=candidate_view(found),
        checks=checks_view(found),
        actions=ACTIONS,
    )


@bp.route("/candidates/<int:candidate_id>/edit", methods=["GET", "POST"])
@roles(*COMMISSION)
def edit(candidate_id: int):
    """The nomination form again, filled in, until the commission decides.

    The form carries the stored body it showed (``shown``); a save sends only the fields the
    user changed, so a colleague's change to another field stands. When a field the user
    changed was changed meanwhile by someone else too, nothing is saved: 409, the page shows
    the values now saved beside those fields and keeps what the user typed.
    """
    found = services.get_candidate(candidate_id)
    ensure_organiser(current_actor(), found.election)
    closed = services.editing_closed(found)
    if closed is not None:
        # Decided or closed (perhaps while this form was open): say why, show no form.
        return _closed_page(found, closed, 409 if request.method == "POST" else 200)
    if request.method == "POST":
        form = NominationForm()
    else:
        form = NominationForm(data=NominationForm.initial_data(found))
        form.shown.data = _shown(found)
    form.party_id.choices = _party_choices()
    status = 200
    if form.validate_on_submit():
        try:
            status = _save_edit(form, found)
        except ServiceError as error:
            db.session.rollback()
            found = services.get_candidate(candidate_id)
            closed = services.editing_closed(found)
            if closed is not None:
                return _closed_page(found, closed, 409)
            attach_errors(form, error, FIELD_ALIASES)
            status = error.status
        if status == 302:
            return redirect(url_for("commission.candidate", candidate_id=candidate_id))
    if status == 200 and (form.errors or form.form_errors):
        status = 422
    _person_fixed(form, found)
    page = "candidates/edit.html"
    return render_template(
        page, candidate=found, view=candidate_view(found), form=form, closed=None
    ), status


def _shown(candidate) -> str:
    return json.dumps(services.nomination_body(candidate), sort_keys=True, ensure_ascii=False)


def _save_edit(form: NominationForm, found) -> int:
    """Save what the user changed -> 302; or 409 with the form showing the clash."""
    typed = form.to_data()
    try:
        shown = json.loads(form.shown.data or "")
        edited = services.changed_paths(shown, typed)
        if "work_experience_years" in edited and _same_at_one_place(
            shown["work_experience_years"], typed["work_experience_years"]
        ):
            edited.discard("work_experience_years")  # the form shows one decimal place
    except (ValueError, TypeError, KeyError, AttributeError):
        # A form from before this field, or mangled: nothing to compare with. What is typed
        # stays; the form now carries what is saved, so the next save compares with that.
        _refresh(form, found, edited=set(), keep_typed=True)
        form.form_errors.append(_("This form is out of date. Check the values and save again."))
        return 409
    patch = services.patch_of(typed, edited)
    locked = services.lock_for_edit(found, patch)
    current = services.nomination_body(locked)
    clashes = edited & services.changed_paths(shown, current)
    if clashes and locked.status == "submitted":
        db.session.rollback()
        _refresh(form, locked, edited=edited)
        form.form_errors.append(
            _(
                "Someone else changed this application while you were editing it. Nothing "
                "was saved. Your entries are kept; beside the marked fields is the value "
                "saved now. Check them and save again."
            )
        )
        for path in sorted(clashes):
            field = getattr(form, FIELD_ALIASES.get(path, path))
            value = _display(form, field, _flat_value(current, path))
            field.errors = [*field.errors, _("Saved meanwhile: %(value)s", value=value)]
        return 409
    changes = services.update(locked, patch, current_actor())
    db.session.commit()
    if changes:
        number = locked.application_number
        flash(_("Changes to application %(number)s saved.", number=number))
    else:
        flash(_("Nothing was changed."))
    return 302


def _same_at_one_place(stored, typed) -> bool:
    """6.25 years stored (through the API) shows as 6.2 in the form: untouched, not a change."""
    try:
        return round(float(stored), 1) == round(float(typed), 1)
    except (TypeError, ValueError):
        return False


def _flat_value(body: dict, path: str):
    top, _dot, inner = path.partition(".")
    return (body.get(top) or {}).get(inner) if inner else body.get(top)


def _form_field_paths() -> dict[str, str]:
    """Form field name -> the body's path it edits."""
    by_field = {alias: path for path, alias in FIELD_ALIASES.items()}
    return {name: by_field.get(name, name) for name in FORM_FIELDS}


def _refresh(form: NominationForm, candidate, edited: set[str], keep_typed=False) -> None:
    """The form now shows the stored values, except the fields the user changed; and it now
    carries the stored body, so the next save compares with what is saved now."""
    if not keep_typed:
        nomination_edited = "nomination.type" in edited
        stored = NominationForm.initial_data(candidate)
        for name, path in _form_field_paths().items():
            if path in edited or (nomination_edited and path.startswith("nomination.")):
                continue
            field = getattr(form, name)
            field.data, field.raw_data = stored[name], None
    form.shown.data = _shown(candidate)


def _display(form: NominationForm, field, value) -> str:
    """A stored value as the form shows it: a choice's label, yes/no, a local date."""
    from elections.web.templating import local_date

    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if field.name == "birth_date":
        return local_date(value)
    for choice in getattr(field, "choices", None) or []:
        choice_value = choice.value if hasattr(choice, "value") else choice[0]
        if str(choice_value) == str(value):
            return str(choice.label if hasattr(choice, "label") else choice[1])
    return str(value)


def _person_fixed(form: NominationForm, candidate) -> None:
    """After nomination closes the person (IIN, date of birth) is shown, not editable."""
    if services.nomination_open(candidate.election):
        return
    for field in (form.iin, form.birth_date):
        field.render_kw = {**(field.render_kw or {}), "readonly": True}


def _closed_page(candidate, refusal: ServiceError, status: int):
    item = refusal.items[0]
    code = candidate.status if item.code == "already_decided" else item.code
    return render_template(
        "candidates/edit.html",
        candidate=candidate,
        view=candidate_view(candidate),
        form=None,
        closed={"code": code, "decided": item.code == "already_decided", "message": item.message},
    ), status


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
