"""The public page of an election's rules: each rule of its profile, its value, its source and
whether a source confirms it (issue 12; domain.md, "Verified and unverified rules")."""

from __future__ import annotations

from fractions import Fraction

from flask import Blueprint, render_template
from flask_babel import lazy_gettext as _l

from elections.rules import rule_entries
from elections.territory.services import get_election
from elections.web.access import public
from elections.web.i18n import pick_language

bp = Blueprint("election_rules", __name__)

RULE_LABELS = {
    "min_age": _l("Minimum age, years"),
    "age_reference": _l("Age is measured"),
    "education_levels": _l("Admitted education"),
    "min_experience_years": _l("Work experience, years"),
    "deposit_min_wage_multiple": _l("Electoral deposit, minimum wages"),
    "lead_time_days": _l("Election called at least this many days before election day"),
    "day_counting": _l('How "N days before election day" is counted'),
    "deadline_local_time": _l("Deadlines fall at, local time"),
    "nomination_opens_days_after_call": _l("Nomination opens, days after the call"),
    "nomination_closes_days_before": _l("Nomination closes, days before election day"),
    "nomination_extension_max_days": _l("Nomination extension, at most days"),
    "registration_closes_days_before": _l("Registration closes, days before election day"),
    "withdrawal_closes_days_before": _l(
        "Withdrawal and cancellation stop, days before election day"
    ),
    "campaign_closes": _l("Campaigning ends"),
    "signature_voter_share": _l("Self-nominee's signatures, share of the voters"),
    "signature_settlement_share": _l("Signatures collected in this share of the settlements"),
    "one_candidate_per_signer": _l("A voter signs for one candidate only"),
    "max_consecutive_terms": _l("Consecutive terms in the same post, at most"),
    "refund_vote_share": _l("Deposit refunded from this share of the votes"),
    "registration_extension_days": _l("Election extended with fewer than two registered, days"),
    "appeal_days": _l("Appeal against a commission's decision, days"),
    "results_due_days_after": _l("Result established within, days"),
    "publication_due_days_after": _l("Result published within, days"),
    "repeat_within_days": _l("Repeat election within, days"),
}
VALUE_LABELS = {
    "election_day": _l("on election day"),
    "election_day_minus_n_plus_1": _l("at 18:00 on election day minus N+1 days"),
    "election_day_minus_n": _l("at 18:00 on election day minus N days"),
    "00:00 E-1": _l("at 00:00 on the day before election day"),
}


def shown_value(value) -> str:
    from elections.candidates.forms import EDUCATION_LABELS

    if isinstance(value, list):
        return ", ".join(str(EDUCATION_LABELS.get(item, item)) for item in value)
    if isinstance(value, str) and value in VALUE_LABELS:
        return str(VALUE_LABELS[value])
    if isinstance(value, str) and "/" in value:
        share = Fraction(value) * 100
        return f"{share.numerator / share.denominator:g}%"
    return str(value)


@bp.get("/elections/<int:election_id>/rules")
@public
def rules(election_id: int):
    election = get_election(election_id)
    profile = election.profile
    rows = [
        {
            "rule": entry["rule"],
            "label": RULE_LABELS.get(entry["rule"], entry["rule"]),
            "value": shown_value(entry["value"]),
            "basis": pick_language(entry["basis"]),
            "confirmed": entry["confirmed"],
            # Turned on by the commission's decision (elections/candidates/rule_decisions.py).
            "by_commission": entry["confirmed"]
            and isinstance(profile.data["rules"][entry["rule"]].get("enabled_by"), dict),
        }
        for entry in rule_entries(profile)
    ]
    return render_template("election_rules.html", election=election, profile=profile, rows=rows)
