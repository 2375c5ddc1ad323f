"""Declaring an election invalid and calling its repeat (art. 113-9): the API and the
chair's forms on the results dashboard.

The services are elections/results/invalidity.py and elections/territory/repeat.py.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from marshmallow import Schema, fields, validate
from wtforms import BooleanField, TextAreaField
from wtforms.validators import DataRequired, Length

from elections.auth.access import ensure_organiser
from elections.core.errors import ServiceError
from elections.core.extensions import db
from elections.results import invalidity, services
from elections.territory import repeat
from elections.territory.models import Election
from elections.territory.schemas import ElectionOut
from elections.territory.services import get_election
from elections.web.access import current_actor, roles
from elections.web.api import RESULTS, ApiBlueprint, errors
from elections.web.forms import LocalDateField, attach_errors

api_bp = ApiBlueprint("invalidity_api", __name__, tag=RESULTS)
bp = Blueprint("invalidity", __name__)

COMMISSION = ("territorial_member", "territorial_chair")


# --- JSON -------------------------------------------------------------------------------------


class InvalidateIn(Schema):
    grounds = fields.String(
        required=True, validate=validate.Length(min=1, max=invalidity.GROUNDS_MAX)
    )


class RepeatIn(Schema):
    called_on = fields.Date(required=True)
    election_day = fields.Date(required=True)
    # Kept as the reason of the "repeat called" decision; by default the article and the day.
    reason = fields.String(load_default=None, validate=validate.Length(max=2000))


def _ensure_may_repeat(actor, election: Election) -> None:
    """The CEC's administrator, or the chair of the organising commission."""
    if actor.role != "cec_admin":
        ensure_organiser(actor, election, chair=True)


@api_bp.post("/elections/<int:election_id>/invalidate")
@roles(*COMMISSION)
@errors(409)
@api_bp.body(InvalidateIn)
@api_bp.response(200, ElectionOut)
def invalidate(read, election_id: int):
    """Declare the election invalid

    The organising commission's chair, with the grounds (art. 113-9): status invalid, nobody
    elected, protocols locked; the result shows outcome invalid and invalid_grounds. 409
    already_certified after certification, already_invalid.
    """
    election = get_election(election_id)
    ensure_organiser(current_actor(), election, chair=True)
    invalidity.invalidate(election, read()["grounds"], current_actor())
    db.session.commit()
    return election


@api_bp.post("/elections/<int:election_id>/repeat")
@roles("cec_admin", *COMMISSION)
@errors(409)
@api_bp.body(RepeatIn)
@api_bp.response(201, ElectionOut)
def call_repeat(read, election_id: int):
    """Call the repeat election

    cec_admin or the organising commission's chair, after a tie (repeat_required) or
    invalidity (art. 113-9): a new election of the same unit, kind and rule profile with
    repeat_of and the same precincts; the lead time is not applied. 409 not_repeatable
    otherwise or when a repeat exists; 422 deadline_before_call.
    """
    election = get_election(election_id)
    _ensure_may_repeat(current_actor(), election)
    new = repeat.call_repeat(election, read(), current_actor())
    db.session.commit()
    return new


# --- The chair's forms on the dashboard -------------------------------------------------------


class InvalidateForm(FlaskForm):
    grounds = TextAreaField(
        _l("Grounds: the violations that make the voters' will impossible to establish"),
        validators=[DataRequired(), Length(1, invalidity.GROUNDS_MAX)],
    )
    confirm = BooleanField(
        _l("I confirm: declare this election invalid. Nobody is elected and protocols lock."),
        validators=[DataRequired()],
    )


class RepeatForm(FlaskForm):
    called_on = LocalDateField(_l("Called on"), validators=[DataRequired()])
    election_day = LocalDateField(_l("Election day"), validators=[DataRequired()])


def dashboard_forms(election: Election, invalidate_form=None, repeat_form=None) -> dict:
    """What the dashboard shows of invalidity and the repeat, with the forms (as posted)."""
    never_certified = election.state == "open" and not services.versions(election)
    repeated_by = repeat.repeat_of(election)
    return {
        "invalidate_form": invalidate_form or InvalidateForm(prefix="invalid"),
        "repeat_form": repeat_form or RepeatForm(prefix="repeat"),
        "can_invalidate": never_certified and invalidity.voting_ended(election),
        "can_repeat": election.state in repeat.REPEATABLE_STATES and repeated_by is None,
        "repeated_by": repeated_by,
    }


def _again(election: Election, error: ServiceError | None = None, **forms):
    from elections.results.views import render_dashboard

    db.session.rollback()
    form = next(iter(forms.values()))
    if error is not None:
        attach_errors(form, error)
    status = error.status if error is not None else 422
    return render_dashboard(get_election(election.id), current_actor(), status, **forms)


@bp.post("/commission/elections/<int:election_id>/invalidate")
@roles(*COMMISSION)
def invalidate_page(election_id: int):
    election = get_election(election_id)
    ensure_organiser(current_actor(), election, chair=True)
    form = InvalidateForm(prefix="invalid")
    if not form.validate_on_submit():
        return _again(election, invalidate_form=form)
    try:
        invalidity.invalidate(election, form.grounds.data, current_actor())
    except ServiceError as error:
        return _again(election, error, invalidate_form=form)
    db.session.commit()
    flash(_("The election is declared invalid. Call the repeat election."))
    return redirect(url_for("results.dashboard", election_id=election_id))


@bp.post("/commission/elections/<int:election_id>/repeat")
@roles(*COMMISSION)
def repeat_page(election_id: int):
    election = get_election(election_id)
    ensure_organiser(current_actor(), election, chair=True)
    form = RepeatForm(prefix="repeat")
    if not form.validate_on_submit():
        return _again(election, repeat_form=form)
    data = {"called_on": form.called_on.data, "election_day": form.election_day.data}
    try:
        new = repeat.call_repeat(election, data, current_actor())
    except ServiceError as error:
        return _again(election, error, repeat_form=form)
    db.session.commit()
    flash(
        _(
            "Repeat election called: election day %(day)s.",
            day=new.election_day.strftime("%d.%m.%Y"),
        )
    )
    return redirect(url_for("results.dashboard", election_id=election_id))


# --- Public pages: the link between an election and its repeat ---------------------------------


@bp.app_template_global("repeat_links")
def repeat_links(election: Election) -> tuple[Election | None, Election | None]:
    """(the election this one repeats, the repeat called for this one)."""
    return election.repeat_of, repeat.repeat_of(election)
