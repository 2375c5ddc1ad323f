"""Admin pages for the CEC: units, parties, elections and precincts."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from elections.core.errors import ErrorItem, ServiceError, invalid
from elections.core.extensions import db
from elections.territory import services, zones
from elections.territory.forms import (
    ElectionForm,
    PartyForm,
    PrecinctForm,
    RegionZoneForm,
    UnitForm,
)
from elections.web.access import current_actor, roles
from elections.web.forms import attach_errors
from elections.web.i18n import pick_language

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _submit(form, action, success: str):
    """Run one service call for a valid form; True when it was saved."""
    if not form.validate_on_submit():
        return False
    try:
        action(form.to_data())
    except ServiceError as error:
        db.session.rollback()
        attach_errors(form, error)
        return False
    db.session.commit()
    flash(success)
    return True


def _zone_form() -> RegionZoneForm:
    form = RegionZoneForm(prefix="zone")
    form.region.choices = [
        SelectChoice(unit.kato, f"{unit.kato} {pick_language(unit.name)}")
        for unit in services.list_units(None)
        if unit.kind in zones.ZONE_KINDS
    ]
    return form


def _units_page(form: UnitForm, zone_form: RegionZoneForm):
    failed = form.errors or zone_form.errors or zone_form.form_errors
    return render_template(
        "admin/units.html",
        form=form,
        zone_form=zone_form,
        units=services.list_units(None),
        default_zone=current_app.config["ELECTIONS_TIMEZONE"],
    ), 422 if failed else 200


@bp.route("/units", methods=["GET", "POST"])
@roles("cec_admin")
def units():
    form = UnitForm()
    if _submit(form, lambda data: services.create_unit(data, current_actor()), _("Unit saved.")):
        return redirect(url_for("admin.units"))
    return _units_page(form, _zone_form())


def _set_zone(data: dict) -> None:
    unit = services.unit_by_kato(data["kato"])
    if unit is None:
        raise invalid([ErrorItem("not_found", _("No unit has this KATO code."), field="region")])
    zones.set_unit_timezone(unit, data["timezone"], current_actor())


@bp.post("/units/zone")
@roles("cec_admin")
def unit_zone():
    """The CEC names a region's time zone; the elections of its units follow (zones.py)."""
    zone_form = _zone_form()
    if _submit(zone_form, _set_zone, _("Time zone saved.")):
        return redirect(url_for("admin.units"))
    return _units_page(UnitForm(formdata=None), zone_form)


@bp.route("/parties", methods=["GET", "POST"])
@roles("cec_admin")
def parties():
    form = PartyForm()
    if _submit(form, lambda data: services.create_party(data, current_actor()), _("Party saved.")):
        return redirect(url_for("admin.parties"))
    return render_template(
        "admin/parties.html", form=form, parties=services.list_parties()
    ), 422 if form.errors else 200


@bp.route("/elections", methods=["GET", "POST"])
@roles("cec_admin")
def elections():
    form = ElectionForm()
    if _submit(
        form, lambda data: services.call_election(data, current_actor()), _("Election called.")
    ):
        return redirect(url_for("admin.elections"))
    return render_template(
        "admin/elections.html", form=form, elections=services.list_elections()
    ), 422 if form.errors else 200


@bp.route("/elections/<int:election_id>", methods=["GET", "POST"])
@roles("cec_admin")
def election(election_id: int):
    election = services.get_election(election_id)
    form = PrecinctForm()
    saved = _submit(
        form,
        lambda data: services.add_precinct(election, data, current_actor()),
        _("Precinct saved."),
    )
    if saved:
        return redirect(url_for("admin.election", election_id=election.id))
    return render_template(
        "admin/election.html", form=form, election=election
    ), 422 if form.errors else 200
