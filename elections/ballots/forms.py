"""The protocol form carries only its hidden fields; the figures are read line by line."""

from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import InputRequired, NumberRange

from elections.core.db import INTEGER_MAX
from elections.web.forms import WholeNumberField


class ProtocolForm(FlaskForm):
    expected_version = WholeNumberField(
        validators=[InputRequired(), NumberRange(min=0, max=INTEGER_MAX)]
    )
    idempotency_key = HiddenField()
