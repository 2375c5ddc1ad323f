"""The commission's pages for its calendar decisions: extend nomination, postpone the election.

Each page offers its decision only when it applies (``calendar_decisions``) and posts to the
same service the API calls, so the page and the API refuse the same things.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import Length

from elections.auth.access import ensure_organiser
from elections.candidates import calendar_decisions
from elections.core.errors import ServiceError
from elections.core.extensions import db
from elections.territory.services import get_election
from elections.web.access import current_actor, roles
from elections.web.forms import LocalDateField, attach_errors

bp = Blueprint("commission_calendar", __name__, url_prefix="/commission")

COMMISSION = ("territorial_member", "territorial_chair")


class ExtendNominationForm(FlaskForm):
    days = StringField(_l("Days to extend by"), render_kw={"inputmode": "numeric"})
    reason = TextAreaField(_l("The commission's reason"), validators=[Length(max=2000)])


class PostponeForm(FlaskForm):
    election_day = LocalDateField(_l("New election day"))
    reason = TextAreaField(_l("The commission's reason"), validators=[Length(max=2000)])


def _status(form: FlaskForm, applies: bool) -> int:
    """422 with the form's errors; 409 when the decision does not apply now (the page says
    why, and the commission's home links it only while it applies)."""
    if form.errors or form.form_errors:
        return 422
    return 200 if applies else 409


def _decide(form: FlaskForm, decide, done: str):
    """Take the decision the posted form asks for: the redirect home once it is committed,
    None when the form or the service refused it (the service's errors go on the form)."""
    if not form.validate_on_submit():
        return None
    try:
        decide()
    except ServiceError as error:
        db.session.rollback()
        attach_errors(form, error)
        return None
    db.session.commit()
    flash(done)
    return redirect(url_for("commission.index"))


def _whole_number(text: str | None) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 6 else None


@bp.route("/elections/<int:election_id>/extend-nomination", methods=["GET", "POST"])
@roles(*COMMISSION)
def extend_nomination(election_id: int):
    election = get_election(election_id)
    ensure_organiser(current_actor(), election)
    form = ExtendNominationForm()
    taken = _decide(
        form,
        lambda: calendar_decisions.extend_nomination(
            election_id, _whole_number(form.days.data), form.reason.data, current_actor()
        ),
        _("Nomination extended."),
    )
    if taken is not None:
        return taken
    election = get_election(election_id)  # as it stands after a refusal's rollback
    counts = calendar_decisions.counts_of(election)
    applies = calendar_decisions.extension_applies(election, counts)
    return render_template(
        "commission/extend_nomination.html",
        election=election,
        form=form,
        counts=counts,
        applies=applies,
        days_left=calendar_decisions.extension_days_left(election),
        calendar=election.calendar(),
    ), _status(form, applies)


@bp.route("/elections/<int:election_id>/postpone", methods=["GET", "POST"])
@roles("territorial_chair")
def postpone(election_id: int):
    election = get_election(election_id)
    ensure_organiser(current_actor(), election, chair=True)
    form = PostponeForm()
    taken = _decide(
        form,
        lambda: calendar_decisions.postpone(
            election_id, form.election_day.data, form.reason.data, current_actor()
        ),
        _("Election day moved."),
    )
    if taken is not None:
        return taken
    election = get_election(election_id)  # as it stands after a refusal's rollback
    counts = calendar_decisions.counts_of(election)
    applies = calendar_decisions.postponement_applies(election, counts)
    return render_template(
        "commission/postpone.html",
        election=election,
        form=form,
        counts=counts,
        applies=applies,
        latest=calendar_decisions.latest_election_day(election),
        cap=calendar_decisions.postponement_cap(election),
        confirmed=calendar_decisions.postponement_confirmed(election),
    ), _status(form, applies)
