"""Pages: accrediting observers and answering differences (the organising commission), the
scan of a signed protocol (the secretary or the commission), the observer's copies (the
observer), and the public list of accreditations and the kept files (anyone)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from elections.auth.access import ensure_organiser, ensure_precinct_access
from elections.ballots import services as protocols
from elections.ballots.views import figures_of, form_lines, refusal_summary, typed_figures
from elections.core.errors import ServiceError, not_found
from elections.core.extensions import db
from elections.observers import accreditation, copies, differences, files, scans
from elections.observers.forms import (
    ANSWER_LABELS,
    SENDER_LABELS,
    AccreditationForm,
    AnswerForm,
    CopyForm,
    ScanForm,
    WithdrawalForm,
)
from elections.territory.models import Precinct
from elections.territory.services import get_election
from elections.voters.forms import iin_checks
from elections.web.access import current_actor, public, roles
from elections.web.forms import attach_errors
from elections.web.uploads import scan_body

bp = Blueprint("observers", __name__)
public_bp = Blueprint("scans", __name__)
COMMISSION = ("territorial_member", "territorial_chair")
PROTOCOL_ROLES = ("precinct_secretary", *COMMISSION)
NO_STORE = {"Cache-Control": "no-store"}
# A kept file is shown as itself and nothing else: no script, no frame, no guessing its type.
FILE_POLICY = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


# --- The organising commission: accreditations ---------------------------------------------


def _my_election(election_id: int):
    election = get_election(election_id)
    ensure_organiser(current_actor(), election)
    return election


def _accreditation_form(election, formdata=None) -> AccreditationForm:
    form = AccreditationForm(formdata=formdata, prefix="accredit")
    form.precinct_ids.choices = [SelectChoice(p.id, f"№ {p.number}") for p in election.precincts]
    return form


def _accreditations_page(election, form=None, status=200):
    return (
        render_template(
            "observers/accreditations.html",
            election=election,
            accreditations=accreditation.accreditations_of(election),
            form=form or _accreditation_form(election),
            withdrawal=WithdrawalForm(formdata=None, prefix="withdraw"),
            senders=SENDER_LABELS,
        ),
        status,
        NO_STORE,
    )


@bp.route("/commission/elections/<int:election_id>/observers", methods=["GET", "POST"])
@roles(*COMMISSION)
def accreditations(election_id: int):
    election = _my_election(election_id)
    if request.method == "GET":
        return _accreditations_page(election)
    form = _accreditation_form(election, request.form)
    if form.validate() and iin_checks(form.iin):
        body = {
            "name": form.name.data.strip(),
            "iin": form.iin.data,
            "sent_by": {"type": form.sent_by_type.data, "name": form.sent_by_name.data.strip()},
            "precinct_ids": form.precinct_ids.data,
        }
        try:
            found = accreditation.accredit(election, body, current_actor())
            db.session.commit()
            flash(_("%(name)s is accredited (number %(id)d).", name=found.name, id=found.id))
            return redirect(url_for("observers.accreditations", election_id=election.id), 303)
        except ServiceError as error:
            db.session.rollback()
            election = _my_election(election_id)
            attach_errors(form, error)
    return _accreditations_page(election, form, 422)


@bp.post("/commission/observers/<int:accreditation_id>/withdrawal")
@roles(*COMMISSION)
def withdraw(accreditation_id: int):
    found = accreditation.get_accreditation(accreditation_id)
    election = _my_election(found.election_id)
    form = WithdrawalForm(prefix="withdraw")
    if not form.validate():
        flash(_("Give the reason for the withdrawal."))
    else:
        try:
            accreditation.withdraw(found, form.reason.data.strip(), current_actor())
            db.session.commit()
            flash(_("The accreditation of %(name)s is withdrawn.", name=found.name))
        except ServiceError as error:
            db.session.rollback()
            flash(error.items[0].message)
    return redirect(url_for("observers.accreditations", election_id=election.id), 303)


# --- The organising commission: differences and answers ------------------------------------


@bp.get("/commission/elections/<int:election_id>/differences")
@roles(*COMMISSION)
def differences_page(election_id: int, form=None, answering=None, status=200):
    election = _my_election(election_id)
    return (
        render_template(
            "observers/differences.html",
            election=election,
            differences=differences.of_election(election.id),
            standing=differences.comparisons([election.id])[election.id],
            form=form or AnswerForm(formdata=None),
            answering=answering,
            answers=ANSWER_LABELS,
            line_names=differences.line_names(election),
        ),
        status,
        NO_STORE,
    )


@bp.post("/commission/elections/<int:election_id>/differences/<int:difference_id>/answer")
@roles(*COMMISSION)
def answer(election_id: int, difference_id: int):
    election = _my_election(election_id)
    found = db.session.get(differences.Difference, difference_id) if difference_id > 0 else None
    if found is None or found.election_id != election.id:
        raise not_found()
    form = AnswerForm()
    if form.validate():
        try:
            differences.answer(found, form.kind.data, form.note.data.strip(), current_actor())
            db.session.commit()
            flash(_("The answer is recorded and public."))
            return redirect(url_for("observers.differences_page", election_id=election.id), 303)
        except ServiceError as error:
            db.session.rollback()
            attach_errors(form, error)
    return differences_page(election_id, form=form, answering=difference_id, status=422)


# --- The scan of the signed protocol --------------------------------------------------------


def _protocol_precinct(precinct_id: int) -> Precinct:
    precinct = db.session.get(Precinct, precinct_id) if precinct_id > 0 else None
    if precinct is None:
        raise not_found()
    ensure_precinct_access(current_actor(), precinct)
    return precinct


@bp.route("/precincts/<int:precinct_id>/protocol/scan", methods=["GET", "POST"])
@roles(*PROTOCOL_ROLES)
@scan_body
def scan(precinct_id: int):
    precinct = _protocol_precinct(precinct_id)
    form, problem, status = ScanForm(), None, 200
    if request.method == "POST":
        if form.validate():
            try:
                attached = scans.attach_scan(
                    precinct, form.file.data.read(), current_actor(), form.version.data
                )
                db.session.commit()
                flash(_("The scan is attached to version %(v)d.", v=attached.version))
                return redirect(url_for("observers.scan", precinct_id=precinct.id), 303)
            except ServiceError as error:
                db.session.rollback()
                precinct = _protocol_precinct(precinct_id)
                problem, status = error.items[0].message, error.status
        else:
            problem, status = _("Choose the file."), 422
    return (
        render_template(
            "observers/scan.html",
            precinct=precinct,
            election=precinct.election,
            current=protocols.current_version(precinct),
            kept=scans.scans_of(precinct.election_id).get(precinct.id, []),
            form=form,
            problem=problem,
        ),
        status,
        NO_STORE,
    )


# --- The observer ---------------------------------------------------------------------------


def _mine():
    found = accreditation.accreditation_of(current_actor())
    if found is None:
        raise not_found()
    return found


@bp.get("/observer")
@roles("observer")
def home():
    """The observer's home: their precincts, the official figures and their own copies."""
    mine = _mine()
    rows = []
    for precinct in mine.precincts:
        copy = copies.copy_of(mine, precinct)
        rows.append(
            {
                "precinct": precinct,
                "official": protocols.current_version(precinct),
                "copy": copy,
                "open": differences.of_copy(copy) if copy else [],
            }
        )
    election = get_election(mine.election_id)
    return (
        render_template("observers/home.html", accreditation=mine, election=election, rows=rows),
        200,
        NO_STORE,
    )


@bp.route("/observer/precincts/<int:precinct_id>/copy", methods=["GET", "POST"])
@roles("observer")
@scan_body
def copy_form(precinct_id: int):
    precinct = db.session.get(Precinct, precinct_id) if precinct_id > 0 else None
    if precinct is None:
        raise not_found()
    mine = accreditation.ensure_observer_at(current_actor(), precinct)
    election = precinct.election
    form = CopyForm()
    typed, errors, status = None, [], 200
    if request.method == "POST":
        typed = typed_figures(request.form)
        if not form.validate():
            errors, status = ServiceError.one(400, "bad_request", _("Reload the page.")).items, 400
        else:
            try:
                entered = copies.enter_copy(precinct, typed, mine, current_actor())
                photo = form.photo.data
                if photo and photo.filename:
                    copies.attach_photo(mine, precinct, photo.read(), current_actor())
                db.session.commit()
                found = differences.of_copy(entered)
                flash(_saved_message(len(found)))
                return redirect(url_for("observers.copy_form", precinct_id=precinct.id), 303)
            except ServiceError as error:
                db.session.rollback()
                precinct = db.session.get(Precinct, precinct_id)
                mine = accreditation.ensure_observer_at(current_actor(), precinct)
                election = precinct.election
                errors, status = error.items, error.status
    copy = copies.copy_of(mine, precinct)
    shown = typed or (_copy_figures(copy) if copy else None)
    candidates = protocols.ballot_candidates(election)
    lines = form_lines(candidates, shown, None)
    return (
        render_template(
            "observers/copy.html",
            precinct=precinct,
            election=election,
            form=form,
            lines=lines,
            problems=refusal_summary(errors, lines),
            copy=copy,
            official=protocols.current_version(precinct),
            open=differences.of_copy(copy) if copy else [],
            line_names=differences.line_names(election),
            locked=election.state != "open",
            opens=protocols.count_not_started(election),
            list_count=None,
            conflict=False,
            current=None,
            official_figures=figures_of(protocols.current_version(precinct)),
        ),
        status,
        NO_STORE,
    )


def _saved_message(differing: int) -> str:
    if not differing:
        return _("Your copy is saved.")
    return _(
        "Your copy is saved. Lines that differ from the official protocol: %(n)d.", n=differing
    )


def _copy_figures(copy) -> dict:
    """A copy's lines in the form's shape: figures by name, votes by candidate id."""
    shown = {k: v for k, v in copy.lines.items() if not k.startswith(differences.VOTES)}
    shown["votes"] = {
        k.removeprefix(differences.VOTES): v
        for k, v in copy.lines.items()
        if k.startswith(differences.VOTES)
    }
    return shown


# --- Anyone -----------------------------------------------------------------------------------


@public_bp.get("/elections/<int:election_id>/observers")
@public
def public_list(election_id: int):
    election = get_election(election_id)
    return render_template(
        "observers/public.html",
        election=election,
        accreditations=accreditation.accreditations_of(election),
        senders=SENDER_LABELS,
    )


@public_bp.get("/scans/<sha256>")
@public
def file(sha256: str):
    """A kept file, if it is a protocol's scan or a copy's photo: as itself, never run."""
    media_type = scans.published_type(sha256) if files.SHA256.fullmatch(sha256) else None
    content = files.read(sha256) if media_type else None
    if content is None:
        raise not_found()
    disposition = "attachment" if media_type == scans.PDF else "inline"
    name = f"protocol-{sha256[:12]}.{scans.SUFFIX[media_type]}"
    return (
        content,
        200,
        {
            "Content-Type": media_type,
            "Content-Disposition": f'{disposition}; filename="{name}"',
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": FILE_POLICY,
            "Cache-Control": "public, max-age=31536000, immutable",
        },
    )
