"""The commission's page to change the voting hours of an election (art. 43).

It posts to the same service as ``POST /api/v1/elections/<id>/voting-hours``, so the page and
the API refuse the same things.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Regexp

from elections.auth.access import ensure_organiser
from elections.core.clock import now
from elections.core.errors import ServiceError
from elections.core.extensions import db
from elections.territory import hours
from elections.territory.schemas import HHMM
from elections.territory.services import get_election
from elections.web.access import current_actor, roles
from elections.web.forms import attach_errors

bp = Blueprint("voting_hours", __name__, url_prefix="/commission")

TIME = Regexp(HHMM, message=_l("Give the time as HH:MM, for example 20:00."))


class VotingHoursForm(FlaskForm):
    starts = StringField(
        _l("Voting starts"), validators=[DataRequired(), TIME], render_kw={"inputmode": "numeric"}
    )
    ends = StringField(
        _l("Voting ends"), validators=[DataRequired(), TIME], render_kw={"inputmode": "numeric"}
    )
    reason = TextAreaField(
        _l("The commission's reason"), validators=[DataRequired(), Length(3, 2000)]
    )


@bp.route("/elections/<int:election_id>/voting-hours", methods=["GET", "POST"])
@roles("territorial_member", "territorial_chair")
def edit(election_id: int):
    election = get_election(election_id)
    ensure_organiser(current_actor(), election)
    starts, ends = hours.voting_hours(election)
    form = VotingHoursForm()
    if not form.is_submitted():
        form.starts.data, form.ends.data = (t.strftime("%H:%M") for t in (starts, ends))
    if form.validate_on_submit():
        try:
            hours.change_voting_hours(
                election,
                hours.parse_hhmm(form.starts.data),
                hours.parse_hhmm(form.ends.data),
                form.reason.data,
                current_actor(),
            )
        except ServiceError as error:
            db.session.rollback()
            attach_errors(form, error)
            election = get_election(election_id)
        else:
            db.session.commit()
            flash(_("Voting hours changed."))
            return redirect(url_for("commission.index"))
    begins = hours.voting_begins(election)
    applies = election.state == "open" and now() < begins
    failed = form.errors or form.form_errors
    return render_template(
        "commission/voting_hours.html",
        election=election,
        form=form,
        applies=applies,
        begins=begins,
        calendar=election.calendar(),
    ), 422 if failed else (200 if applies else 409)
