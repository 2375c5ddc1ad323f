"""The protocol form carries only its hidden fields; the figures are read line by line."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField
from wtforms.validators import InputRequired, NumberRange


class ProtocolForm(FlaskForm):
    expected_version = IntegerField(validators=[InputRequired(), NumberRange(min=0)])
    idempotency_key = HiddenField()
