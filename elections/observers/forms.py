"""Forms of the accreditation, scan, observer's copy and answer pages (no queries here)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from elections.core.db import INTEGER_MAX
from elections.observers.schemas import NAME_MAX, NOTE_MAX
from elections.voters.forms import IinInput
from elections.web.forms import WholeNumberField

SENDER_LABELS = {
    "party": _l("a political party"),
    "candidate": _l("a candidate"),
    "association": _l("a public association"),
    "media": _l("the media"),
}
ANSWER_LABELS = {
    "recount": _l("Recount ordered"),
    "corrected": _l("Clerical error corrected (a new protocol version)"),
    "explained": _l("Explanation"),
    "acknowledged": _l("Acknowledged by the chair at certification"),
}


def _choices(labels: dict, leave_out: str | None = None) -> list[SelectChoice]:
    return [SelectChoice(code, label) for code, label in labels.items() if code != leave_out]


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of checkboxes, ids as integers."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, coerce=int, **kwargs)


class AccreditationForm(FlaskForm):
    name = StringField(
        _l("Observer's full name"), validators=[DataRequired(), Length(max=NAME_MAX)]
    )
    iin = IinInput(_l("IIN"), validators=[DataRequired(), Length(max=20)])
    sent_by_type = SelectField(_l("Sent by"), choices=_choices(SENDER_LABELS))
    sent_by_name = StringField(
        _l("Name of the party, candidate, association or outlet"),
        validators=[DataRequired(), Length(max=NAME_MAX)],
    )
    precinct_ids = CheckboxesField(
        _l("Precincts"), validators=[DataRequired(_l("Choose at least one precinct."))]
    )


class WithdrawalForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for the withdrawal"), validators=[DataRequired(), Length(max=NOTE_MAX)]
    )


class AnswerForm(FlaskForm):
    kind = SelectField(_l("Answer"), choices=_choices(ANSWER_LABELS, leave_out="acknowledged"))
    note = TextAreaField(_l("Note"), validators=[DataRequired(), Length(max=NOTE_MAX)])


class ScanForm(FlaskForm):
    file = FileField(
        _l("Photo (JPEG or PNG) or PDF of the signed protocol"),
        validators=[FileRequired(_l("Choose the file."))],
    )
    # The version the page showed: a version saved meanwhile does not take this paper.
    version = WholeNumberField(validators=[Optional(), NumberRange(min=1, max=INTEGER_MAX)])


class CopyForm(FlaskForm):
    """The copy's figures are read line by line, as the protocol form's; a photo may come."""

    photo = FileField(_l("Photo of the copy (optional)"))
