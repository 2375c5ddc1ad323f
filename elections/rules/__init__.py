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
    min_experience_years: float
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
        min_experience_years=float(value["min_experience_years"]),
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


def default_profile_key(kind: str, election_day: date) -> str:
    """The profile an election takes unless the commission names another (domain.md)."""
    if kind == "district":
        return "district-2023"
    return "rural-2026" if election_day >= date(2026, 7, 1) else "rural-2023"
