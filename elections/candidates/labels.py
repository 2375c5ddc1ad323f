"""The reader's words for a candidate's codes: statuses and grounds of refusal (see
elections/territory/labels.py for the rest)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from elections.candidates.grounds import GROUND_CODES, ground
from elections.territory.labels import label
from elections.web.i18n import pick_language

CANDIDATE_STATUS_LABELS = {
    "submitted": _l("submitted"),
    "registered": _l("registered"),
    "refused": _l("refused"),
    "withdrawn": _l("withdrawn"),
    "registration_cancelled": _l("registration cancelled"),
    "elected": _l("elected"),
    "not_elected": _l("not elected"),
}


def candidate_status_label(code: str | None) -> str:
    return label(CANDIDATE_STATUS_LABELS, code)


def ground_label(code: str, profile) -> str:
    """A ground of refusal or cancellation as the sentence it stands for (not its code)."""
    if code not in GROUND_CODES:
        return code
    return pick_language(ground(code, profile).message)


GLOBALS = {"candidate_status_label": candidate_status_label}
FILTERS = {"ground_label": ground_label}
