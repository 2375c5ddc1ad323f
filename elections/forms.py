"""Glue between WTForms and service refusals."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField
from wtforms.validators import StopValidation
from wtforms.widgets import TextInput

from elections.errors import ServiceError

DATE_FORMATS = ("%d.%m.%Y", "%Y-%m-%d")


class LocalDateField(DateField):
    """A date typed as it is written here (31.12.1990), with a hint in the page's language.

    A browser's date picker shows the browser's own format (mm/dd/yyyy on an English phone)
    whatever language the page speaks. ISO dates (2026-12-31) are taken too.
    """

    widget = TextInput()

    def __init__(self, label=None, validators=None, **kwargs):
        render_kw = {"inputmode": "numeric", "placeholder": _l("dd.mm.yyyy")}
        render_kw.update(kwargs.pop("render_kw", None) or {})
        super().__init__(
            label, validators, format=list(DATE_FORMATS), render_kw=render_kw, **kwargs
        )

    def process_formdata(self, valuelist):
        text = " ".join(valuelist).strip()
        self.data = None
        if not text:
            return
        for pattern in DATE_FORMATS:
            try:
                self.data = datetime.strptime(text, pattern).date()
                return
            except ValueError:
                continue
        raise ValueError(_("Give the date as dd.mm.yyyy, for example 31.12.1990."))

    def pre_validate(self, form):
        # DataRequired would replace "not a date" by "required" (it clears the field's errors).
        if self.process_errors:
            raise StopValidation()


def attach_errors(
    form: FlaskForm, error: ServiceError, aliases: dict[str, str] | None = None
) -> None:
    """Show each refusal next to its field (or at the top of the form when it has none)."""
    aliases = aliases or {}
    for field_name, messages in error.by_field().items():
        field = getattr(form, aliases.get(field_name, field_name.replace(".", "_")), None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*field.errors, *messages]
        else:
            form.form_errors.extend(messages)
