"""Forms of the voter-list, signature-check and "where do I vote" pages (no queries here)."""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from elections.candidates.iin import IinError, parse_iin
from elections.voters.messages import ADDITION_REASONS, REMOVAL_REASONS
from elections.voters.rules import ADDRESS_MAX, NAME_MAX


class ListUploadForm(FlaskForm):
    file = FileField(
        _l("The list as a CSV file"),
        validators=[FileRequired(_l("Choose the file of the list."))],
    )
    accept_valid = BooleanField(_l("Load the valid rows even if some are refused"))


class SheetsUploadForm(FlaskForm):
    file = FileField(
        _l("The signature sheets as a CSV file"),
        validators=[FileRequired(_l("Choose the file of the sheets."))],
    )


def iin_checks(field) -> bool:
    """A number that is no IIN is said so at its field, in the page's language: arithmetic
    (format, birth date, check digit), it reveals no list."""
    try:
        parse_iin(field.data)
    except IinError as error:
        field.errors = [error.message.get(str(get_locale()), error.message["en"])]
        return False
    return True


class IinInput(StringField):
    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        self.data = "".join((self.data or "").split())


class LookupForm(FlaskForm):
    iin = IinInput(_l("IIN"), validators=[DataRequired(_l("Enter your IIN.")), Length(max=20)])


def _choices(reasons: dict) -> list[SelectChoice]:
    return [SelectChoice(code, label) for code, label in reasons.items()]


class AdditionForm(FlaskForm):
    iin = IinInput(_l("IIN"), validators=[DataRequired(), Length(max=20)])
    last_name = StringField(_l("Surname"), validators=[DataRequired(), Length(max=NAME_MAX)])
    first_name = StringField(_l("First name"), validators=[DataRequired(), Length(max=NAME_MAX)])
    patronymic = StringField(_l("Patronymic"), validators=[Optional(), Length(max=NAME_MAX)])
    birth_date = StringField(_l("Date of birth (YYYY-MM-DD)"), validators=[DataRequired()])
    address = StringField(_l("Address"), validators=[DataRequired(), Length(max=ADDRESS_MAX)])
    reason = SelectField(_l("Reason"), choices=_choices(ADDITION_REASONS))
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=1000)])


class RemovalForm(FlaskForm):
    iin = IinInput(_l("IIN"), validators=[DataRequired(), Length(max=20)])
    reason = SelectField(_l("Reason"), choices=_choices(REMOVAL_REASONS))
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=1000)])
