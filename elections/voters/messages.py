"""The reader's words for the codes of list refusals and signature verdicts."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

REFUSALS = {
    "missing_field": _l("A required cell is empty: IIN, surname, first name, birth date, address."),
    "too_long": _l("A name is longer than 100 characters or the address longer than 500."),
    "iin_invalid": _l("This is not a valid IIN (12 digits with a correct check digit)."),
    "birth_date_invalid": _l("The birth date is not a date in the form YYYY-MM-DD."),
    "birth_date_mismatch": _l("The birth date does not agree with the one in the IIN."),
    "under_voting_age": _l("The voter is not 18 years old on election day."),
    "duplicate_in_list": _l("This IIN is already on this list, in an earlier row."),
    "on_another_list": _l("This voter is already on the list of another precinct of the election."),
}

VERDICTS = {
    "valid": _l("Valid"),
    "iin_invalid": _l("The IIN is not a valid one"),
    "signed_before_nomination": _l("Signed before the nomination, or with no date"),
    "duplicate_signature": _l("The same voter signed for this candidate before"),
    "signed_for_another_candidate": _l("The voter signed for another candidate before"),
    "outside_territory": _l("The signer is a voter of another territory"),
    "not_on_voter_list": _l("The signer is not on the voter lists of the territory"),
    "name_mismatch": _l("The name differs from the one on the voter list"),
}

REMOVAL_REASONS = {
    "moved": _l("Moved away"),
    "deceased": _l("Deceased"),
    "court_decision": _l("Court decision"),
    "listed_twice": _l("Listed twice"),
    "other": _l("Other reason"),
}
ADDITION_REASONS = {
    "moved_in": _l("Moved into the precinct"),
    "court_decision": _l("Court decision"),
    "omitted": _l("Left out of the list by mistake"),
    "other": _l("Other reason"),
}


def refusal_item(line: int, code: str) -> dict:
    return {"line": line, "code": code, "message": str(REFUSALS[code])}
