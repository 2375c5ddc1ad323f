"""Rule profiles: the numbers the law leaves to configuration, as versioned data.

Each profile is a JSON file in ``profiles/`` holding, for one election kind and
period, every value with the legal basis it rests on. An election keeps a
snapshot of its profile from the day it is called, so a later edit of a file
never changes an election in progress. Standard library only.

A rule's basis is a text in each language, ``{"kk", "ru", "en"}``: pages show the
reader's, the API the English citation. Snapshots taken before the bases were translated
hold the English text alone; a shipped profile with the same English text lends them its
translations.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, time
from fractions import Fraction
from functools import cache
from importlib import resources
from typing import Any

EDUCATION_LEVELS = (
    "postgraduate",
    "higher",
    "post_secondary",
    "technical_vocational",
    "general_secondary",
    "basic_secondary",
    "primary",
)
ELECTION_KINDS = ("rural", "district")
# domain.md, "How days are counted": 18:00 on election day minus (N+1) calendar days.
DAY_COUNTING_CEC = "election_day_minus_n_plus_1"
# The convention the service used before December 2026 (one day late); kept readable only.
DAY_COUNTING_PLAIN = "election_day_minus_n"
# Rural elections called from this day on take rural-2023 (domain.md, "Rule profiles").
RURAL_2023_FROM = date(2023, 1, 1)


class UnknownProfile(LookupError):
    """No profile with that key ships with the service."""


@dataclass(frozen=True)
class Profile:
    key: str
    version: int
    kind: str
    title: dict[str, str]
    min_age: int
    education_levels: tuple[str, ...]
    min_experience_years: float | None
    deposit_min_wage_multiple: int
    nomination_opens_days_after_call: int
    nomination_closes_days_before: int
    registration_closes_days_before: int
    withdrawal_closes_days_before: int
    deadline_local_time: time
    signature_voter_share: Fraction
    signature_settlement_share: Fraction
    max_consecutive_terms: int
    refund_vote_share: Fraction
    results_due_days_after: int
    publication_due_days_after: int
    basis: dict[str, str]
    data: dict[str, Any]
    basis_text: dict[str, dict[str, str]] = field(default_factory=dict)
    # How "N days before election day" is counted: the CEC's and the territorial
    # commissions' calendars put it at the cut-off on election day minus N+1 days.
    day_counting: str = DAY_COUNTING_CEC
    lead_time_days: int = 0
    campaign_closes_days_before: int = 1
    campaign_closes_local_time: time = time(0, 0)
    nomination_extension_max_days: int = 3

    def deadline_day_offset(self, days_before: int) -> int:
        """Calendar days from election day back to the day an "N days before" deadline falls."""
        if self.day_counting == DAY_COUNTING_CEC:
            return days_before + 1
        return days_before

    def confirmed(self, rule: str) -> bool:
        """Whether a source confirms the rule (snapshots from before the flag: no)."""
        entry = self.data.get("rules", {}).get(rule)
        return isinstance(entry, dict) and entry.get("confirmed") is True

    def basis_of(self, rule: str) -> str:
        """The English citation of a rule's basis (as the API gives it)."""
        return self.basis[rule]

    def basis_text_of(self, rule: str) -> dict[str, str]:
        """A rule's basis in each language, ``{"kk", "ru", "en"}``."""
        return self.basis_text.get(rule) or {"en": self.basis[rule]}


def _basis_texts(rules: dict[str, Any]) -> dict[str, dict[str, str]]:
    texts = {}
    for name, entry in rules.items():
        basis = entry["basis"]
        if isinstance(basis, dict):
            texts[name] = dict(basis)
        else:
            texts[name] = _shipped_bases().get(basis) or {"en": basis}
    return texts


@cache
def _shipped_bases() -> dict[str, dict[str, str]]:
    """Every translated basis of the shipped profiles, by its English text."""
    found: dict[str, dict[str, str]] = {}
    for entry in _profile_files().values():
        for rule in json.loads(entry.read_text(encoding="utf-8"))["rules"].values():
            if isinstance(rule["basis"], dict):
                found[rule["basis"]["en"]] = dict(rule["basis"])
    return found


def profile_from_dict(data: dict[str, Any]) -> Profile:
    """Build a profile from its JSON form (a shipped file or an election's snapshot)."""
    rules = data["rules"]
    value = {name: entry["value"] for name, entry in rules.items()}
    return Profile(
        key=data["key"],
        version=data["version"],
        kind=data["kind"],
        title=data["title"],
        min_age=int(value["min_age"]),
        education_levels=tuple(value["education_levels"]),
        min_experience_years=(
            None
            if value.get("min_experience_years") is None
            else float(value["min_experience_years"])
        ),
        deposit_min_wage_multiple=int(value["deposit_min_wage_multiple"]),
        nomination_opens_days_after_call=int(value["nomination_opens_days_after_call"]),
        nomination_closes_days_before=int(value["nomination_closes_days_before"]),
        registration_closes_days_before=int(value["registration_closes_days_before"]),
        withdrawal_closes_days_before=int(value["withdrawal_closes_days_before"]),
        deadline_local_time=time.fromisoformat(value["deadline_local_time"]),
        signature_voter_share=Fraction(value["signature_voter_share"]),
        signature_settlement_share=Fraction(value["signature_settlement_share"]),
        max_consecutive_terms=int(value["max_consecutive_terms"]),
        refund_vote_share=Fraction(value["refund_vote_share"]),
        results_due_days_after=int(value["results_due_days_after"]),
        publication_due_days_after=int(value["publication_due_days_after"]),
        basis={name: _english(entry["basis"]) for name, entry in rules.items()},
        data=data,
        basis_text=_basis_texts(rules),
        # A snapshot taken before the convention was part of the profile gets the
        # published one: the old count put every deadline a day late (issue 12).
        day_counting=value.get("day_counting", DAY_COUNTING_CEC),
        lead_time_days=int(value.get("lead_time_days", 0)),
        campaign_closes_days_before=1,
        campaign_closes_local_time=time(0, 0),
        nomination_extension_max_days=int(value.get("nomination_extension_max_days", 3)),
    )


def _english(basis: str | dict[str, str]) -> str:
    return basis["en"] if isinstance(basis, dict) else basis


def _profile_files():
    folder = resources.files(__package__) / "profiles"
    return {entry.name.removesuffix(".json"): entry for entry in folder.iterdir()}


def profile_keys() -> list[str]:
    return sorted(_profile_files())


def load_profile(key: str) -> Profile:
    files = _profile_files()
    if key not in files:
        raise UnknownProfile(key)
    return profile_from_dict(json.loads(files[key].read_text(encoding="utf-8")))


def default_profile_key(kind: str, called_on: date) -> str:
    """The profile an election takes unless the commission names another (domain.md).

    A rural election called before 2023 takes ``rural-2021`` (15/10), from 2023 on
    ``rural-2023`` (25/20); which amendment moved the figures was not found, so this
    boundary is the service's default. No source shows a 2026 change.
    """
    if kind == "district":
        return "district-2023"
    return "rural-2021" if called_on < RURAL_2023_FROM else "rural-2023"


def rule_entries(profile: Profile) -> list[dict[str, Any]]:
    """Every rule of a profile as ``{rule, value, basis, confirmed}`` (basis in kk, ru, en)."""
    return [
        {
            "rule": name,
            "value": entry["value"],
            "basis": profile.basis_text_of(name),
            "confirmed": entry.get("confirmed") is True,
        }
        for name, entry in profile.data["rules"].items()
    ]
