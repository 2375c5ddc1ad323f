"""Glue between WTForms and service refusals."""

from __future__ import annotations

from flask_wtf import FlaskForm

from elections.errors import ServiceError


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
