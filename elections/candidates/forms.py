"""Forms for commission staff (nomination, decisions) and for candidates (status lookup).

The nomination form only collects and coerces; the same marshmallow schema as the
API then validates it, so the page and the API accept exactly the same things.
"""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from elections.candidates.models import NOMINATION_FIELDS
from elections.candidates.names import (
    NAME_CHARACTERS_MESSAGE,
    forbidden_characters,
    normalise_name,
)
from elections.candidates.services import nomination_body
from elections.core.db import INTEGER_MAX
from elections.rules import EDUCATION_LEVELS
from elections.web.forms import DecimalNumberField, LocalDateField, WholeNumberField, ascii_int

EDUCATION_LABELS = {
    "postgraduate": _l("postgraduate"),
    "higher": _l("higher"),
    "post_secondary": _l("post-secondary"),
    "technical_vocational": _l("technical and vocational"),
    "general_secondary": _l("general secondary"),
    "basic_secondary": _l("basic secondary"),
    "primary": _l("primary"),
}
# Schema error paths -> form field names.
FIELD_ALIASES = {
    "nomination.type": "nomination_type",
    "nomination.party_id": "party_id",
    "nomination.party_member": "party_member",
    "nomination.signatures_valid": "signatures_valid",
    "nomination.settlements_covered": "settlements_covered",
    "documents.application": "doc_application",
    "documents.biography": "doc_biography",
    "documents.declarations": "doc_declarations",
    "documents.party_decision": "doc_party_decision",
    "documents.tax_certificate": "doc_tax_certificate",
    "documents.signature_check_protocol": "doc_signature_check_protocol",
}
# The qualification finding: the form's choice <-> the body's true / false / null.
QUALIFICATION_CHOICES = {"unchecked": None, "yes": True, "no": False}


def printed_name(form, field) -> None:
    """The API's rule for names (elections.candidates.names), beside the field."""
    if field.data and forbidden_characters(normalise_name(field.data)):
        raise ValidationError(NAME_CHARACTERS_MESSAGE)


# The form's fields of the nomination body (``shown`` and the CSRF token aside): the body's
# own names, those of the nomination object and the documents through FIELD_ALIASES.
FORM_FIELDS = (
    *(name for name in NOMINATION_FIELDS if name != "documents"),
    *FIELD_ALIASES.values(),
)


class NominationForm(FlaskForm):
    iin = StringField(_l("IIN"), validators=[DataRequired(), Length(min=12, max=12)])
    last_name = StringField(
        _l("Last name"), validators=[DataRequired(), Length(max=100), printed_name]
    )
    first_name = StringField(
        _l("First name"), validators=[DataRequired(), Length(max=100), printed_name]
    )
    patronymic = StringField(
        _l("Patronymic"), validators=[Optional(), Length(max=100), printed_name]
    )
    birth_date = LocalDateField(_l("Date of birth"), validators=[DataRequired()])
    citizenship = StringField(
        _l("Citizenship (country code)"),
        default="KZ",
        validators=[
            DataRequired(),
            Regexp(r"^\s*[A-Za-z]{2}\s*$", message=_l("Two letters, such as KZ.")),
        ],
    )
    education = SelectField(
        _l("Education"),
        choices=[SelectChoice(level, EDUCATION_LABELS[level]) for level in EDUCATION_LEVELS],
    )
    work_experience_years = DecimalNumberField(
        _l("Work experience, years"), places=1, validators=[InputRequired(), NumberRange(0, 80)]
    )
    nomination_type = RadioField(
        _l("Nominated by"),
        choices=[
            SelectChoice("party", _l("a political party")),
            SelectChoice("self", _l("self-nomination")),
        ],
        default="party",
    )
    party_id = SelectField(_l("Party"), coerce=ascii_int, validate_choice=False)
    party_member = BooleanField(_l("Member of the nominating party"))
    signatures_valid = WholeNumberField(
        _l("Valid signatures"), validators=[Optional(), NumberRange(min=0, max=INTEGER_MAX)]
    )
    settlements_covered = WholeNumberField(
        _l("Settlements where signatures were collected"),
        validators=[Optional(), NumberRange(min=0, max=INTEGER_MAX)],
    )
    deposit_paid = BooleanField(_l("Electoral deposit paid"))
    doc_application = BooleanField(_l("Application"))
    doc_biography = BooleanField(_l("Biography"))
    doc_declarations = BooleanField(_l("Asset and liability declarations"))
    doc_party_decision = BooleanField(_l("Extract of the party's decision"))
    doc_tax_certificate = BooleanField(
        _l(
            "Tax authority's certificate that the candidate's and the spouse's "
            "declarations were filed"
        )
    )
    doc_signature_check_protocol = BooleanField(_l("Signature-check protocol"))
    qualification_met = RadioField(
        _l("Meets the qualification requirements of the civil-service post"),
        choices=[
            SelectChoice("unchecked", _l("not checked yet")),
            SelectChoice("yes", _l("yes")),
            SelectChoice("no", _l("no")),
        ],
        default="unchecked",
    )
    qualification_note = TextAreaField(
        _l("Documents checked (education and work experience)"),
        validators=[Optional(), Length(max=2000)],
    )
    legal_capacity = BooleanField(_l("Legally capable"), default=True)
    serving_sentence = BooleanField(_l("Serving a sentence"))
    unexpunged_conviction = BooleanField(_l("Unexpunged criminal record"))
    corruption_offence = BooleanField(_l("Court-established corruption offence"))
    special_check = SelectField(
        _l("Special check"),
        choices=[
            SelectChoice("pending", _l("pending")),
            SelectChoice("passed", _l("passed")),
            SelectChoice("failed", _l("failed")),
        ],
    )
    consecutive_terms_in_post = WholeNumberField(
        _l("Consecutive terms already served in this post"),
        default=0,
        validators=[InputRequired(), NumberRange(0, 10)],
    )

    # The edit page: the stored nomination body the form was filled from (JSON), so that a
    # save sends only what the user changed and sees what a colleague changed meanwhile.
    shown = HiddenField()

    @staticmethod
    def initial_data(candidate) -> dict:
        """The form's values for a stored nomination (the edit page opens with them)."""
        body = nomination_body(candidate)
        values = {name: None for name in FORM_FIELDS}
        for name, value in body.items():
            if isinstance(value, dict):
                for key, inner in value.items():
                    alias = FIELD_ALIASES.get(f"{name}.{key}")
                    if alias is not None:
                        values[alias] = inner
            else:
                values[name] = value
        return {
            **values,
            "patronymic": candidate.patronymic or "",
            "birth_date": candidate.birth_date,
            "work_experience_years": Decimal(str(candidate.work_experience_years)),
            "qualification_met": next(
                key
                for key, value in QUALIFICATION_CHOICES.items()
                if value is candidate.qualification_met
            ),
            "qualification_note": candidate.qualification_note or "",
            **{alias: bool(values[alias]) for alias in FIELD_ALIASES.values() if "doc_" in alias},
        }

    def validate_party_id(self, field) -> None:
        if self.nomination_type.data != "party":
            return
        if field.data is None or not 1 <= field.data <= INTEGER_MAX:
            raise ValidationError(_l("Choose the party."))

    def to_data(self) -> dict:
        """The API's nomination body, built from the form."""
        if self.nomination_type.data == "party":
            nomination = {
                "type": "party",
                "party_id": self.party_id.data,
                "party_member": self.party_member.data,
            }
        else:
            nomination = {
                "type": "self",
                "signatures_valid": self.signatures_valid.data or 0,
                "settlements_covered": self.settlements_covered.data or 0,
            }
        return {
            "iin": (self.iin.data or "").strip(),
            "last_name": self.last_name.data.strip(),
            "first_name": self.first_name.data.strip(),
            "patronymic": (self.patronymic.data or "").strip() or None,
            "birth_date": self.birth_date.data.isoformat(),
            "citizenship": (self.citizenship.data or "").strip(),
            "education": self.education.data,
            "work_experience_years": float(self.work_experience_years.data),
            "nomination": nomination,
            "deposit_paid": self.deposit_paid.data,
            "documents": {
                "application": self.doc_application.data,
                "biography": self.doc_biography.data,
                "declarations": self.doc_declarations.data,
                "party_decision": self.doc_party_decision.data,
                "tax_certificate": self.doc_tax_certificate.data,
                "signature_check_protocol": self.doc_signature_check_protocol.data,
            },
            "legal_capacity": self.legal_capacity.data,
            "serving_sentence": self.serving_sentence.data,
            "unexpunged_conviction": self.unexpunged_conviction.data,
            "corruption_offence": self.corruption_offence.data,
            "special_check": self.special_check.data,
            "consecutive_terms_in_post": self.consecutive_terms_in_post.data,
            "qualification_met": QUALIFICATION_CHOICES.get(self.qualification_met.data),
            "qualification_note": (self.qualification_note.data or "").strip() or None,
        }


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class DecisionForm(FlaskForm):
    """One confirmation form for every decision; which fields count depends on the decision."""

    grounds = MultiCheckboxField(_l("Grounds"), choices=[])
    reason = TextAreaField(_l("Reason"), validators=[Length(max=2000)])
    note = TextAreaField(_l("Note"), validators=[Length(max=2000)])
    confirm = BooleanField(_l("I confirm this decision"), validators=[DataRequired()])


class StatusForm(FlaskForm):
    """The public lookup: posted (the IIN never goes in a URL), with its CSRF token."""

    application_number = StringField(
        _l("Application number"),
        validators=[DataRequired(), Length(max=20)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )
    iin = StringField(
        _l("IIN"),
        validators=[DataRequired(), Length(max=20)],
        render_kw={"autocomplete": "off", "inputmode": "numeric"},
    )


class ForgetForm(FlaskForm):
    """Takes the last lookup off this browser (a shared computer)."""
