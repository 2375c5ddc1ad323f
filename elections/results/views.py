"""Public results pages (no login) and the commission's results dashboard."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, TextAreaField
from wtforms.validators import DataRequired, Length

from elections.auth.access import current_actor, ensure_organiser, public, roles
from elections.errors import ServiceError
from elections.extensions import db
from elections.forms import attach_errors
from elections.results import services
from elections.results.caching import cached_public
from elections.results.chart import bar_chart
from elections.territory.services import elections_page, get_election, precinct_counts

bp = Blueprint("results", __name__)

COMMISSION = ("territorial_member", "territorial_chair")


class CertifyForm(FlaskForm):
    confirm = BooleanField(_l("I confirm: certify this result"), validators=[DataRequired()])


class CorrectionForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for the correction"), validators=[DataRequired(), Length(3, 2000)]
    )
    confirm = BooleanField(
        _l("I confirm: reopen the certified result"), validators=[DataRequired()]
    )


@bp.get("/results")
@public
def index():
    page = elections_page(request.args.get("page", 1, type=int))
    ids = [e.id for e in page.items]
    sums, totals = services.sums_for(ids), precinct_counts(ids)
    rows = [(e, sums[e.id].reporting, totals[e.id]) for e in page.items]
    return render_template("results/index.html", rows=rows, page=page)


@bp.get("/results/<int:election_id>")
@public
@cached_public
def election(election_id: int):
    election = get_election(election_id)
    result = services.result(election)
    return render_template(
        "results/election.html",
        election=election,
        result=result,
        chart=bar_chart(result),
        precincts=services.precinct_rows(election),
        corrections=services.corrections(election),
        versions=services.versions(election),
    )


@bp.route("/commission/elections/<int:election_id>/results", methods=["GET", "POST"])
@roles(*COMMISSION)
def dashboard(election_id: int):
    election = get_election(election_id)
    actor = current_actor()
    ensure_organiser(actor, election)
    certify_form, correction_form = CertifyForm(prefix="certify"), CorrectionForm(prefix="correct")
    status = 200
    try:
        action = request.form.get("action") if request.method == "POST" else None
        if action == "certify" and certify_form.validate_on_submit():
            ensure_organiser(actor, election, chair=True)
            version = services.certify(election, actor)
            db.session.commit()
            flash(_("Result certified as version %(version)d.", version=version.version))
            return redirect(url_for("results.dashboard", election_id=election.id))
        if action == "correct" and correction_form.validate_on_submit():
            ensure_organiser(actor, election, chair=True)
            services.open_correction(election, correction_form.reason.data, actor)
            db.session.commit()
            flash(_("Correction opened: protocols are unlocked."))
            return redirect(url_for("results.dashboard", election_id=election.id))
    except ServiceError as error:
        db.session.rollback()
        attach_errors(certify_form, error)
        status = error.status
    if certify_form.errors or correction_form.errors:
        status = 422 if status == 200 else status
    draft = services.draft_result(election)
    missing = [p for p, version in services.precinct_rows(election) if version is None]
    return render_template(
        "results/dashboard.html",
        election=election,
        draft=draft,
        result=services.result(election),
        chart=bar_chart(draft),
        missing=missing,
        certify_form=certify_form,
        correction_form=correction_form,
        is_chair=actor.role == "territorial_chair",
        versions=services.versions(election),
    ), status
