"""The reader's words for the app's codes: one place for forms, templates and pages.

A code (``rural_district``, ``rural-2023``) never reaches a page as it is: forms take
their choices from here, templates call the globals and filters that the app installs from
here (and from ``elections.candidates.labels``). An unknown code is shown as it is, so that
nothing is hidden, and the browser test ``tests/e2e/test_pages_speak_their_language.py``
finds it.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from elections.web.i18n import pick_language

ELECTION_STATUS_LABELS = {
    "called": _l("called"),
    "nomination": _l("nomination open"),
    "registration": _l("registration of candidates"),
    "campaign": _l("campaign"),
    "silence": _l("day of silence"),
    "voting": _l("voting day"),
    "counting": _l("counting"),
    "certified": _l("result certified"),
    "repeat_required": _l("repeat election required"),
    "invalid": _l("declared invalid"),
}
DECISION_LABELS = {
    "nomination_extended": _l("Nomination extended"),
    "postponed": _l("Election day moved"),
    "invalidated": _l("Election declared invalid"),
    "repeat_called": _l("Repeat election called"),
    "profile_rebound": _l("Rule profile corrected"),
    "rule_enabled": _l("Rule turned on"),
    "voting_hours_changed": _l("Voting hours changed"),
}
UNIT_KIND_LABELS = {
    "region": _l("region"),
    "city_republican": _l("city of republican significance"),
    "district": _l("district"),
    "city_regional": _l("city of regional significance"),
    "city_district": _l("city of district significance"),
    "rural_district": _l("rural district"),
    "village": _l("village"),
    "settlement": _l("settlement"),
}
ELECTION_KIND_LABELS = {
    # TRANSLATORS: the kind of an akim election: of a rural district, village, settlement
    # or town of district significance.
    "rural": _l("election of a rural akim"),
    # TRANSLATORS: the kind of an akim election: of a district or a city of regional
    # significance.
    "district": _l("election of a district akim"),
}


def label(table: dict, code: str | None) -> str:
    """The reader's word for ``code`` in ``table``; an unknown code as it is."""
    if code is None:
        return ""
    return str(table.get(code, code))


def election_status_label(code: str | None) -> str:
    return label(ELECTION_STATUS_LABELS, code)


def unit_kind_label(code: str | None) -> str:
    return label(UNIT_KIND_LABELS, code)


def decision_title(decision) -> str:
    """What kind of decision a commission took, in the reader's words."""
    if decision.kind == "rule_enabled" and (decision.data or {}).get("enabled") is False:
        return str(_l("Rule turned off"))
    return label(DECISION_LABELS, decision.kind)


def election_kind_label(code: str | None) -> str:
    return label(ELECTION_KIND_LABELS, code)


def profile_label(key: str | None) -> str:
    """A shipped rule profile's title in the reader's language (its key if none ships)."""
    from elections.rules import UnknownProfile, load_profile

    if not key:
        return ""
    try:
        return pick_language(load_profile(key).title) or key
    except UnknownProfile:
        return key


def election_profile_label(election) -> str:
    """The title of the profile an election keeps (its snapshot), in the reader's language."""
    title = election.profile.title if election.profile_snapshot else None
    return pick_language(title) if title else profile_label(election.profile_key)


GLOBALS = {
    "status_label": election_status_label,
    "unit_kind_label": unit_kind_label,
    "election_kind_label": election_kind_label,
    "profile_label": profile_label,
    "election_profile_label": election_profile_label,
    "decision_title": decision_title,
}
FILTERS: dict = {}
