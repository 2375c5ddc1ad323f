"""JSON shapes for nomination, decisions and the public status lookup (api.md, "Candidates")."""

from __future__ import annotations

import copy

from flask_babel import get_locale
from marshmallow import (
    EXCLUDE,
    Schema,
    ValidationError,
    fields,
    missing,
    validate,
    validates_schema,
)

from elections.candidates.grounds import GROUND_CODES
from elections.candidates.iin import IinError, validate_iin
from elections.candidates.models import STATUSES
from elections.candidates.names import (
    NAME_CHARACTERS_MESSAGE,
    forbidden_characters,
    normalise_name,
)
from elections.candidates.rules import SPECIAL_CHECK_RESULTS
from elections.core.db import INTEGER_MAX
from elections.rules import EDUCATION_LEVELS
from elections.web.schema_fields import LocalDateTime


class Name(fields.String):
    """A name printed on the ballot: NFC-normalised, without invisible or reordering
    characters (elections.candidates.names)."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = normalise_name(super()._deserialize(value, attr, data, **kwargs))
        if forbidden_characters(text):
            raise ValidationError(str(NAME_CHARACTERS_MESSAGE))
        return text


NAME = [validate.Length(min=1, max=100)]
# Counts and ids from clients fit the database's INTEGER column (never an OverflowError).
COUNT = validate.Range(min=0, max=INTEGER_MAX)


class DocumentsSchema(Schema):
    application = fields.Boolean(required=True)
    biography = fields.Boolean(required=True)
    declarations = fields.Boolean(required=True)
    party_decision = fields.Boolean(load_default=False)
    tax_certificate = fields.Boolean(load_default=False)
    signature_check_protocol = fields.Boolean(load_default=False)


class NominationSchema(Schema):
    type = fields.String(required=True, validate=validate.OneOf(("party", "self")))
    party_id = fields.Integer(strict=True, validate=validate.Range(min=1, max=INTEGER_MAX))
    party_member = fields.Boolean()
    signatures_valid = fields.Integer(strict=True, validate=COUNT)
    settlements_covered = fields.Integer(strict=True, validate=COUNT)

    @validates_schema
    def check_kind(self, data, **kwargs):
        if data.get("type") == "party":
            missing = [name for name in ("party_id", "party_member") if name not in data]
            extra = [n for n in ("signatures_valid", "settlements_covered") if n in data]
        else:
            missing = [n for n in ("signatures_valid", "settlements_covered") if n not in data]
            extra = [name for name in ("party_id", "party_member") if name in data]
        errors = {name: ["Missing data for required field."] for name in missing}
        errors |= {name: ["Not allowed for this type of nomination."] for name in extra}
        if errors:
            raise ValidationError(errors)


class NominationIn(Schema):
    iin = fields.String(required=True)
    last_name = Name(required=True, validate=NAME)
    first_name = Name(required=True, validate=NAME)
    patronymic = Name(load_default=None, allow_none=True, validate=validate.Length(max=100))
    birth_date = fields.Date(required=True)
    citizenship = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z]{2}$"))
    education = fields.String(required=True, validate=validate.OneOf(EDUCATION_LEVELS))
    work_experience_years = fields.Float(
        required=True, allow_nan=False, validate=validate.Range(min=0, max=80)
    )
    nomination = fields.Nested(NominationSchema, required=True)
    deposit_paid = fields.Boolean(required=True)
    documents = fields.Nested(DocumentsSchema, required=True)
    legal_capacity = fields.Boolean(required=True)
    serving_sentence = fields.Boolean(required=True)
    unexpunged_conviction = fields.Boolean(required=True)
    corruption_offence = fields.Boolean(required=True)
    special_check = fields.String(required=True, validate=validate.OneOf(SPECIAL_CHECK_RESULTS))
    consecutive_terms_in_post = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=0, max=10)
    )
    # The commission's finding against the qualification requirements: null until checked.
    qualification_met = fields.Boolean(load_default=None, allow_none=True)
    qualification_note = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=2000)
    )

    @validates_schema
    def check_iin(self, data, **kwargs):
        if "iin" not in data:
            return
        try:
            validate_iin(data["iin"], data.get("birth_date"))
        except IinError as error:
            language = str(get_locale() or "en")
            field = "birth_date" if error.code == "iin_birth_date_mismatch" else "iin"
            raise ValidationError({field: [error.message.get(language, str(error))]}) from error


def _partial(schema: type[Schema], name: str, nested: dict | None = None) -> type[Schema]:
    """``schema`` with every field optional and no defaults, nested objects in ``nested``
    replaced by their own partial schemas: what a PATCH may send."""
    declared = {}
    for key, field in schema._declared_fields.items():
        if key in (nested or {}):
            declared[key] = fields.Nested(nested[key])
            continue
        optional = copy.copy(field)
        optional.required = False
        optional.load_default = missing
        declared[key] = optional
    return type(name, (Schema,), declared)


# PATCH /candidates/{id}: any fields of the nomination body, and any fields of its nested
# objects (documents merge key by key, and so does a nomination of the same type). This is
# the shape the OpenAPI document shows; the service merges the patch into the stored body and
# validates the whole with NominationIn, so an IIN is checked against the birth date
# whichever of them changes, and a nomination of another type must come whole.
DocumentsPatch = _partial(DocumentsSchema, "DocumentsPatch")
NominationObjectPatch = _partial(NominationSchema, "NominationObjectPatch")
NominationPatch = _partial(
    NominationIn,
    "NominationPatch",
    {"nomination": NominationObjectPatch, "documents": DocumentsPatch},
)


class DecisionIn(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(("register", "refuse")))
    grounds = fields.List(fields.String(validate=validate.OneOf(GROUND_CODES)), load_default=None)
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class WithdrawIn(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class CancelIn(Schema):
    grounds = fields.List(
        fields.String(validate=validate.OneOf(GROUND_CODES)),
        required=True,
        validate=validate.Length(min=1),
    )
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class ViolationOut(Schema):
    code = fields.String()
    message = fields.String()
    legal_basis = fields.String()


class EligibilityOut(Schema):
    eligible = fields.Boolean()
    violations = fields.List(fields.Nested(ViolationOut))


class HistoryOut(Schema):
    status = fields.String()
    at = LocalDateTime()
    actor = fields.String()
    reason = fields.String(allow_none=True)
    grounds = fields.List(fields.String())


class CandidateOut(Schema):
    id = fields.Integer()
    election_id = fields.Integer()
    application_number = fields.String()
    status = fields.String()
    iin = fields.String()
    last_name = fields.String()
    first_name = fields.String()
    patronymic = fields.String(allow_none=True)
    birth_date = fields.Date()
    citizenship = fields.String()
    education = fields.String()
    work_experience_years = fields.Float()
    nomination = fields.Dict()
    deposit_paid = fields.Boolean()
    documents = fields.Dict()
    legal_capacity = fields.Boolean()
    serving_sentence = fields.Boolean()
    unexpunged_conviction = fields.Boolean()
    corruption_offence = fields.Boolean()
    special_check = fields.String()
    consecutive_terms_in_post = fields.Integer()
    qualification_met = fields.Boolean(allow_none=True)
    qualification_note = fields.String(allow_none=True)
    eligibility = fields.Nested(EligibilityOut)
    grounds = fields.List(fields.Nested(ViolationOut))
    history = fields.List(fields.Nested(HistoryOut))


class StatusQuery(Schema):
    class Meta:
        unknown = EXCLUDE  # a query string may carry lang= and the like

    application_number = fields.String(required=True, validate=validate.Length(min=1, max=20))
    iin = fields.String(required=True, validate=validate.Length(min=1, max=20))


class StatusIn(Schema):
    """POST /status: the lookup's body (unknown keys refused, as in every other body)."""

    application_number = fields.String(required=True, validate=validate.Length(min=1, max=20))
    iin = fields.String(required=True, validate=validate.Length(min=1, max=20))


class PublicHistoryOut(Schema):
    status = fields.String()
    at = LocalDateTime()
    reason = fields.String(allow_none=True)


class StatusOut(Schema):
    application_number = fields.String()
    status = fields.String()
    election = fields.Dict()
    history = fields.List(fields.Nested(PublicHistoryOut))
    reasons = fields.List(fields.Nested(ViolationOut))


class CandidatesQuery(Schema):
    """GET /elections/{id}/candidates: an unknown status lists no one, it is not refused."""

    class Meta:
        unknown = EXCLUDE

    status = fields.String(
        metadata={"description": "Only candidates with this status.", "enum": list(STATUSES)}
    )
