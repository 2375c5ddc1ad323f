"""Pages: a precinct's voter list and a self-nominee's signature check (the organising
commission), and "where do I vote" (anyone)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from elections.candidates.services import get_candidate, lock_candidate
from elections.core.errors import ServiceError, not_found
from elections.core.extensions import db
from elections.territory.models import Precinct
from elections.voters import lists, lookup, signatures
from elections.voters.forms import (
    AdditionForm,
    ListUploadForm,
    LookupForm,
    RemovalForm,
    SheetsUploadForm,
    iin_checks,
)
from elections.voters.messages import REFUSALS, VERDICTS
from elections.voters.reading import Upload
from elections.voters.rules import LIST_FIELDS, SHEET_FIELDS
from elections.voters.rules import VERDICTS as VERDICT_CODES
from elections.web import ratelimit
from elections.web.access import current_actor, public, roles
from elections.web.forms import attach_errors
from elections.web.uploads import large_body

bp = Blueprint("voter_lists", __name__, url_prefix="/commission")
public_bp = Blueprint("where_to_vote", __name__)
COMMISSION = ("territorial_member", "territorial_chair")
NO_STORE = {"Cache-Control": "no-store"}


def _file_upload(form, fields: tuple[str, ...]) -> Upload:
    """The chosen file as a stream of rows: JSON when it is named so, else CSV."""
    chosen = form.file.data
    json_file = (chosen.filename or "").lower().endswith(".json")
    return Upload(chosen.stream, "application/json" if json_file else "text/csv", fields)


def _my_precinct(precinct_id: int) -> Precinct:
    precinct = db.session.get(Precinct, precinct_id) if precinct_id > 0 else None
    if precinct is None:
        raise not_found()
    lists.ensure_list_keeper(current_actor(), precinct)
    return precinct


def _list_page(
    precinct, upload=None, addition=None, removal=None, refused=None, problem=None, status=200
):
    return (
        render_template(
            "voters/list.html",
            precinct=precinct,
            election=precinct.election,
            kept=lists.voter_list(precinct),
            upload=upload or ListUploadForm(formdata=None),
            addition=addition or AdditionForm(formdata=None, prefix="add"),
            removal=removal or RemovalForm(formdata=None, prefix="remove"),
            refused=refused,
            problem=problem,
            refusals=REFUSALS,
            closed=lists.changes_closed(precinct.election),
        ),
        status,
        NO_STORE,
    )


@bp.route("/precincts/<int:precinct_id>/voters", methods=["GET", "POST"])
@roles(*COMMISSION)
@large_body
def voter_list(precinct_id: int):
    precinct = _my_precinct(precinct_id)
    form = ListUploadForm()
    if request.method == "GET":
        return _list_page(precinct)
    if not form.validate():
        return _list_page(
            precinct, upload=form, problem=_("Choose the file of the list."), status=422
        )
    try:
        loaded = lists.load_list(
            precinct, _file_upload(form, LIST_FIELDS), form.accept_valid.data, current_actor()
        )
    except ServiceError as error:
        db.session.rollback()
        precinct = _my_precinct(precinct_id)
        refused = [
            {"line": item.extra["line"], "code": item.code}
            for item in error.items
            if "line" in item.extra
        ]
        return _list_page(
            precinct,
            upload=form,
            refused=refused,
            problem=error.items[0].message,
            status=error.status,
        )
    db.session.commit()
    flash(
        _(
            "The list is loaded: %(voters)d voters, %(refused)d rows refused.",
            voters=loaded.voters_on_list,
            refused=len(loaded.refused),
        )
    )
    if loaded.refused:
        return _list_page(_my_precinct(precinct_id), refused=loaded.refused)
    return redirect(url_for("voter_lists.voter_list", precinct_id=precinct_id), 303)


def _change(precinct_id: int, form, prefix: str, apply, done: str):
    precinct = _my_precinct(precinct_id)
    if form.validate():
        try:
            apply(precinct, _change_body(form), current_actor())
            db.session.commit()
            flash(done)
            return redirect(url_for("voter_lists.voter_list", precinct_id=precinct_id), 303)
        except ServiceError as error:
            db.session.rollback()
            precinct = _my_precinct(precinct_id)
            attach_errors(form, error)
    return _list_page(precinct, **{prefix: form}, problem=_("See the form below."), status=422)


def _change_body(form) -> dict:
    return {name: value for name, value in form.data.items() if name != "csrf_token"}


@bp.post("/precincts/<int:precinct_id>/voters/additions")
@roles(*COMMISSION)
def add_voter(precinct_id: int):
    form = AdditionForm(prefix="add")
    return _change(precinct_id, form, "addition", lists.add_voter, _("The voter is added."))


@bp.post("/precincts/<int:precinct_id>/voters/removals")
@roles(*COMMISSION)
def remove_voter(precinct_id: int):
    form = RemovalForm(prefix="remove")
    return _change(
        precinct_id, form, "removal", lists.remove_voter, _("The voter is taken off the list.")
    )


def _my_candidate(candidate_id: int):
    candidate = get_candidate(candidate_id)
    signatures.ensure_checker(current_actor(), candidate)
    return candidate


def _sheets_page(candidate, form=None, problem=None, status=200):
    verdict = request.args.get("verdict")
    verdict = verdict if verdict in VERDICT_CODES else None
    return (
        render_template(
            "voters/signatures.html",
            candidate=candidate,
            check=signatures.check_of(candidate),
            counts=signatures.counts_of(candidate),
            rows=signatures.rows_of(candidate, verdict) if verdict else [],
            verdict=verdict,
            verdicts=VERDICTS,
            share=f"{float(candidate.election.profile.signature_voter_share) * 100:g}%",
            form=form or SheetsUploadForm(formdata=None),
            problem=problem,
        ),
        status,
        NO_STORE,
    )


@bp.route("/candidates/<int:candidate_id>/signatures", methods=["GET", "POST"])
@roles(*COMMISSION)
@large_body
def signature_check(candidate_id: int):
    candidate = _my_candidate(candidate_id)
    if candidate.nomination_type != "self":  # a party's nominee hands in no sheets
        problem = _("Only a self-nominated candidate hands in signature sheets.")
        return _sheets_page(candidate, problem=problem, status=409)
    if request.method == "GET":
        return _sheets_page(candidate)
    form = SheetsUploadForm()
    if not form.validate():
        return _sheets_page(candidate, form, _("Choose the file of the sheets."), 422)
    try:
        locked = lock_candidate(candidate.id)
        checked = signatures.check_sheets(locked, _file_upload(form, SHEET_FIELDS), current_actor())
    except ServiceError as error:
        db.session.rollback()
        return _sheets_page(_my_candidate(candidate_id), form, error.items[0].message, error.status)
    db.session.commit()
    flash(
        _(
            "The sheets are checked: %(valid)d of %(rows)d signatures are valid.",
            valid=checked.check.valid,
            rows=checked.check.rows,
        )
    )
    return redirect(url_for("voter_lists.signature_check", candidate_id=candidate_id), 303)


@public_bp.route("/where-to-vote", methods=["GET", "POST"])
@public
def where_to_vote():
    """The IIN comes only in the posted form, and the answer is rendered, never redirected
    to: it stays out of addresses, histories and logs."""
    form = LookupForm()
    places, problem, status = None, None, 200
    if request.method == "POST":
        if form.validate() and iin_checks(form.iin):
            try:
                ratelimit.check("voter_lookup", "VOTER_LOOKUP_RATE")
                places = lookup.where_to_vote(form.iin.data)
            except ServiceError as error:
                problem, status = error.items[0].message, error.status
        else:
            status = 422
    return (
        render_template("voters/where.html", form=form, places=places, problem=problem),
        status,
        NO_STORE,
    )
