"""No candidate is refused on a rule whose profile entry is unconfirmed (issue 12, item 3).

domain.md, "Verified and unverified rules": a rule without a source is never an automatic
refusal. Every shipped profile, every rule it marks unconfirmed (and the four rules no source
confirms, whose entry carries no flag yet), against facts that break each of them.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from elections.candidates.rules import (
    GATED_RULES,
    CandidateFacts,
    Territory,
    check_eligibility,
    rule_confirmed,
)
from elections.rules import EDUCATION_LEVELS, load_profile, profile_keys

ELECTION_DAY = date(2026, 9, 6)
# Rules no source confirms: off unless the profile says ``confirmed: true``.
NEVER_CONFIRMED = (*GATED_RULES.values(), "education_levels")

BASE = CandidateFacts(
    birth_date=date(1980, 5, 17),
    citizenship="KZ",
    education="higher",
    work_experience_years=6.5,
    nomination_type="self",
    party_member=None,
    signatures_valid=100,
    settlements_covered=1,
    deposit_paid=True,
    documents={},
    legal_capacity=True,
    serving_sentence=False,
    unexpunged_conviction=False,
    corruption_offence=False,
    special_check="passed",
    consecutive_terms_in_post=0,
)
# Each breaks what a profile figure could be checked against.
BREAKING = [
    replace(BASE, work_experience_years=0),
    replace(BASE, consecutive_terms_in_post=5),
    replace(BASE, settlements_covered=0),
    replace(BASE, signatures_valid=0),
    replace(BASE, deposit_paid=False),
    replace(BASE, birth_date=date(2005, 1, 1)),
    *(replace(BASE, education=level) for level in EDUCATION_LEVELS),
    replace(BASE, nomination_type="party", party_member=True, signatures_valid=None),
]


def unconfirmed(profile) -> list[str]:
    rules = profile.data["rules"]
    marked = [name for name, entry in rules.items() if entry.get("confirmed") is False]
    silent = [
        name for name in NEVER_CONFIRMED if name in rules and not rule_confirmed(profile, name)
    ]
    return sorted(set(marked) | set(silent))


def _cases():
    for key in profile_keys():
        for rule in unconfirmed(load_profile(key)):
            yield pytest.param(key, rule, id=f"{key}-{rule}")


@pytest.mark.parametrize(("profile_key", "rule"), list(_cases()))
def test_no_refusal_cites_an_unconfirmed_rule(profile_key, rule):
    profile = load_profile(profile_key)
    basis = profile.basis_of(rule)
    for facts in BREAKING:
        for territory in (Territory(1001, 5), Territory(50_000, 40)):
            cited = [
                violation.code
                for violation in check_eligibility(facts, ELECTION_DAY, profile, territory)
                if violation.legal_basis == basis
            ]
            assert cited == [], (profile_key, rule, facts)


def test_every_shipped_profile_leaves_the_invented_thresholds_off():
    for key in profile_keys():
        profile = load_profile(key)
        for facts in BREAKING:
            found = {
                v.code for v in check_eligibility(facts, ELECTION_DAY, profile, Territory(1001, 5))
            }
            assert not found & set(GATED_RULES), (key, found)
