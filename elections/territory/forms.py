"""Admin forms for units, parties, elections and precincts."""

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from elections.core.db import INTEGER_MAX
from elections.rules import ELECTION_KINDS, profile_keys
from elections.territory.labels import ELECTION_KIND_LABELS, UNIT_KIND_LABELS, profile_label
from elections.territory.models import KAZAKHSTAN_ZONES, UNIT_KINDS
from elections.web.forms import LocalDateField, WholeNumberField

ZONE_CHOICES = [SelectChoice("", _l("Deployment default"))] + [
    SelectChoice(zone, zone) for zone in KAZAKHSTAN_ZONES
]

KATO = Regexp(r"^[0-9]{9}\Z", message=_l("A KATO code is 9 digits."))


class UnitForm(FlaskForm):
    kato = StringField(_l("KATO code"), validators=[DataRequired(), KATO])
    parent_kato = StringField(_l("Parent unit KATO code"), validators=[Optional(), KATO])
    kind = SelectField(
        _l("Kind"), choices=[SelectChoice(kind, UNIT_KIND_LABELS[kind]) for kind in UNIT_KINDS]
    )
    name_kk = StringField(_l("Name in Kazakh"), validators=[DataRequired(), Length(max=200)])
    name_ru = StringField(_l("Name in Russian"), validators=[DataRequired(), Length(max=200)])
    timezone = SelectField(_l("Time zone"), choices=ZONE_CHOICES, default="")

    def to_data(self) -> dict:
        return {
            "kato": self.kato.data,
            "parent_kato": self.parent_kato.data or None,
            "kind": self.kind.data,
            "name": {"kk": self.name_kk.data, "ru": self.name_ru.data},
            "timezone": self.timezone.data or None,
        }


class RegionZoneForm(FlaskForm):
    """The zone a region names (domain.md, "Time zones"); its elections follow."""

    region = SelectField(_l("Region"), choices=[])
    timezone = SelectField(_l("Time zone"), choices=ZONE_CHOICES, default="")

    def to_data(self) -> dict:
        return {"kato": self.region.data, "timezone": self.timezone.data or None}


class PartyForm(FlaskForm):
    short_name = StringField(_l("Short name"), validators=[DataRequired(), Length(max=40)])
    name_kk = StringField(_l("Name in Kazakh"), validators=[DataRequired(), Length(max=300)])
    name_ru = StringField(_l("Name in Russian"), validators=[DataRequired(), Length(max=300)])

    def to_data(self) -> dict:
        return {
            "short_name": self.short_name.data,
            "name": {"kk": self.name_kk.data, "ru": self.name_ru.data},
        }


class ElectionForm(FlaskForm):
    unit_kato = StringField(_l("KATO code of the elected unit"), validators=[DataRequired(), KATO])
    kind = SelectField(
        _l("Kind"),
        choices=[SelectChoice(kind, ELECTION_KIND_LABELS[kind]) for kind in ELECTION_KINDS],
    )
    called_on = LocalDateField(_l("Called on"), validators=[DataRequired()])
    election_day = LocalDateField(_l("Election day"), validators=[DataRequired()])
    profile = SelectField(
        _l("Rule profile"),
        choices=[SelectChoice("", _l("Default for the kind and date"))]
        + [SelectChoice(key, LazyString(profile_label, key)) for key in profile_keys()],
    )

    def to_data(self) -> dict:
        return {
            "unit_kato": self.unit_kato.data,
            "kind": self.kind.data,
            "called_on": self.called_on.data,
            "election_day": self.election_day.data,
            "profile": self.profile.data or None,
        }


class PrecinctForm(FlaskForm):
    number = WholeNumberField(
        _l("Number"), validators=[DataRequired(), NumberRange(min=1, max=INTEGER_MAX)]
    )
    unit_kato = StringField(_l("KATO code of the place"), validators=[DataRequired(), KATO])
    voters_on_list = WholeNumberField(
        _l("Voters on the list"), validators=[DataRequired(), NumberRange(min=0, max=INTEGER_MAX)]
    )
    address = StringField(_l("Address"), validators=[DataRequired(), Length(max=500)])

    def to_data(self) -> dict:
        return {
            "number": self.number.data,
            "unit_kato": self.unit_kato.data,
            "voters_on_list": self.voters_on_list.data,
            "address": self.address.data,
        }
