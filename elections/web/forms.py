"""Glue between WTForms and service refusals."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal

from flask import Flask, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField, IntegerField, SelectMultipleField
from wtforms.fields.core import UnboundField
from wtforms.validators import StopValidation
from wtforms.widgets import TextInput

from elections.core.errors import ErrorItem, ServiceError

DATE_FORMATS = ("%d.%m.%Y", "%Y-%m-%d")
# Digits as the API takes them: ASCII 0-9 only. int() and WTForms also take fullwidth
# ("４００"), Arabic-Indic ("٤٠٠") and other Unicode digits, which the API refuses.
WHOLE_NUMBER = re.compile(r"-?[0-9]+")
DECIMAL_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
MAX_DIGITS = 30  # far beyond any column; a longer string is not parsed (int() of it is slow)


def ascii_int(text) -> int:
    """``int()`` for a form value, taking ASCII digits only (``coerce`` of a SelectField)."""
    text = str(text).strip()
    if len(text) > MAX_DIGITS or not WHOLE_NUMBER.fullmatch(text):
        raise ValueError(_("Type a whole number with the digits 0-9."))
    return int(text)


class WholeNumberField(IntegerField):
    """An integer typed with the digits 0-9 (an optional minus for the range check to refuse),
    nothing else: "４００" and "٤٠٠" are refused as the API refuses them."""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        text = valuelist[0].strip()
        self.data = None
        if not text:
            return
        self.data = ascii_int(text)


class DecimalNumberField(DecimalField):
    """A decimal typed as digits 0-9 with an optional point: never NaN, sNaN or Infinity (sNaN
    made the range check itself raise, a 500)."""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        text = valuelist[0].strip()
        self.data = None
        if not text:
            return
        if len(text) > MAX_DIGITS or not DECIMAL_NUMBER.fullmatch(text):
            raise ValueError(_("Type a number with the digits 0-9, such as 3.5."))
        self.data = Decimal(text)


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


# --- every form post: no field twice, no NUL byte ---------------------------------------------


def _form_classes(cls=FlaskForm):
    for sub in cls.__subclasses__():
        yield sub
        yield from _form_classes(sub)


def multi_valued_names() -> frozenset[str]:
    """The names of the fields that take several values (checkbox lists): only these may come
    more than once in a form post."""
    names = set()
    for form in _form_classes():
        for klass in form.__mro__:
            for name, value in vars(klass).items():
                if isinstance(value, UnboundField) and issubclass(
                    value.field_class, SelectMultipleField
                ):
                    names.add(name)
    return frozenset(names)


def _form_post() -> bool:
    return (
        request.method in ("POST", "PUT", "PATCH")
        and not request.path.startswith("/api/")
        and request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data")
    )


def refuse_ambiguous_forms() -> None:
    """before_request hook: a form post naming a field twice (``votes-4=400&votes-4=5``, of
    which WTForms and ``request.form.get`` silently keep the first) or holding a NUL byte
    (which PostgreSQL cannot store and no person types) is refused with a 400 page that says
    which field, before any view reads it."""
    if not _form_post():
        return
    form = request.form
    multi = None
    for name in form:
        values = form.getlist(name)
        if "\x00" in name or any("\x00" in value for value in values):
            raise ServiceError(
                400,
                [
                    ErrorItem(
                        "nul_byte",
                        _(
                            "The field “%(field)s” holds a NUL character, which no text may "
                            "hold. Type the value again.",
                            field=name.replace("\x00", "\\0"),
                        ),
                        field=name,
                    )
                ],
            )
        if len(values) > 1:
            multi = multi_valued_names() if multi is None else multi
            # A form with a prefix posts its fields as "prefix-name".
            if name not in multi and name.rpartition("-")[2] not in multi:
                raise ServiceError(
                    400,
                    [
                        ErrorItem(
                            "duplicate_field",
                            _(
                                "The field “%(field)s” was sent more than once, so it is not "
                                "clear which value is meant. Reload the page and send the "
                                "form again.",
                                field=name,
                            ),
                            field=name,
                        )
                    ],
                )


def install(app: Flask) -> None:
    app.before_request(refuse_ambiguous_forms)
