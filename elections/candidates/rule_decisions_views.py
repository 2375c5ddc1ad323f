"""The organising commission's page of an election's rules: re-bind to a corrected profile,
turn an unconfirmed rule on or off (elections/candidates/rule_decisions.py says when and why)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from elections.auth.access import ensure_organiser
from elections.candidates.rule_decisions import (
    TEXT_MAX,
    enabled_by,
    ensure_rule_decider,
    newer_version,
    rebind_profile,
    rebinding_closed,
    rules_closed,
    set_rule,
    togglable,
)
from elections.candidates.rule_page import RULE_LABELS, shown_value
from elections.core.errors import ServiceError
from elections.core.extensions import db
from elections.rules import rule_entries
from elections.territory.services import get_election, lock_election
from elections.web.access import current_actor, roles
from elections.web.forms import attach_errors
from elections.web.i18n import pick_language

bp = Blueprint("rule_decisions", __name__, url_prefix="/commission")

COMMISSION = ("territorial_member", "territorial_chair")


def _required():
    return [DataRequired(message=_l("Fill this in.")), Length(max=TEXT_MAX)]


class RebindForm(FlaskForm):
    reason = TextAreaField(_l("Reason for the re-binding"), validators=_required())


class RuleOnForm(FlaskForm):
    basis_kk = TextAreaField(_l("Source that confirms the rule, in Kazakh"), validators=_required())
    basis_ru = TextAreaField(
        _l("Source that confirms the rule, in Russian"), validators=_required()
    )
    basis_en = TextAreaField(
        _l("Source that confirms the rule, in English"), validators=_required()
    )
    reason = TextAreaField(_l("Reason for the decision"), validators=_required())


class RuleOffForm(FlaskForm):
    reason = TextAreaField(_l("Reason for the decision"), validators=_required())


def _election(election_id: int):
    election = get_election(election_id)
    ensure_organiser(current_actor(), election)
    return election


def _rows(election) -> list[dict]:
    return [
        {
            "rule": entry["rule"],
            "label": RULE_LABELS.get(entry["rule"], entry["rule"]),
            "value": shown_value(entry["value"]),
            "basis": pick_language(entry["basis"]),
            "confirmed": entry["confirmed"],
            "enabled_by": enabled_by(election, entry["rule"]),
            "togglable": togglable(election, entry["rule"]),
        }
        for entry in rule_entries(election.profile)
    ]


def _page(election, rebind_form, status=200):
    actor = current_actor()
    return render_template(
        "commission/rules.html",
        election=election,
        profile=election.profile,
        rows=_rows(election),
        newer=newer_version(election),
        rebinding_closed=rebinding_closed(election),
        rules_closed=rules_closed(election),
        rebind_form=rebind_form,
        is_chair=actor.role == "territorial_chair",
    ), status


@bp.get("/elections/<int:election_id>/rules")
@roles(*COMMISSION)
def rules(election_id: int):
    return _page(_election(election_id), RebindForm())


@bp.post("/elections/<int:election_id>/rebind")
@roles(*COMMISSION)
def rebind(election_id: int):
    election = _election(election_id)
    ensure_rule_decider(current_actor(), election)
    closed = rebinding_closed(election)
    if closed is not None:
        raise closed
    form = RebindForm()
    if form.validate_on_submit():
        try:
            rebind_profile(
                lock_election(election_id), {"reason": form.reason.data}, current_actor()
            )
        except ServiceError as error:
            db.session.rollback()
            attach_errors(form, error)
        else:
            db.session.commit()
            flash(_("The election is bound to the corrected profile."))
            return redirect(url_for("rule_decisions.rules", election_id=election_id))
    return _page(election, form, 422)


@bp.route("/elections/<int:election_id>/rules/<rule>", methods=["GET", "POST"])
@roles("territorial_chair")
def rule(election_id: int, rule: str):
    election = _election(election_id)
    ensure_rule_decider(current_actor(), election)
    if not togglable(election, rule):
        abort(404)
    closed = rules_closed(election)
    if closed is not None:
        raise closed
    turning_on = enabled_by(election, rule) is None
    form = RuleOnForm() if turning_on else RuleOffForm()
    if form.validate_on_submit():
        body = {"enabled": turning_on, "reason": form.reason.data}
        if turning_on:
            body["basis"] = {
                "kk": form.basis_kk.data,
                "ru": form.basis_ru.data,
                "en": form.basis_en.data,
            }
        try:
            set_rule(lock_election(election_id), rule, body, current_actor())
        except ServiceError as error:
            db.session.rollback()
            attach_errors(form, error, {"basis.kk": "basis_kk", "basis.ru": "basis_ru"})
        else:
            db.session.commit()
            flash(_("Rule turned on.") if turning_on else _("Rule turned off."))
            return redirect(url_for("rule_decisions.rules", election_id=election_id))
    entry = next(row for row in _rows(election) if row["rule"] == rule)
    status = 422 if form.errors or form.form_errors else 200
    return render_template(
        "commission/rule_decision.html",
        election=election,
        row=entry,
        form=form,
        turning_on=turning_on,
    ), status
