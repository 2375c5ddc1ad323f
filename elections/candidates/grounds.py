"""Grounds for refusing or cancelling a registration (art. 113-5), beyond the eligibility rules.

A commission may cite any eligibility violation code, or one of these. Standard library only.
"""

from __future__ import annotations

from elections.candidates.rules import (
    ELECTION_LAW,
    VIOLATION_CODES,
    Violation,
    describe,
    election_law,
)
from elections.rules import Profile

REGISTRATION_BASIS = f"{ELECTION_LAW}, art. 113-5"
REGISTRATION_BASIS_TEXT = election_law("113-5")

EXTRA_GROUNDS: dict[str, dict[str, str]] = {
    "nomination_rules_broken": {
        "kk": "Кандидатты ұсыну тәртібі бұзылды.",
        "ru": "Нарушен порядок выдвижения кандидата.",
        "en": "The rules of nomination were broken.",
    },
    "abuse_of_office": {
        "kk": "Кандидат лауазымдық немесе қызметтік жағдайын пайдаланды.",
        "ru": "Кандидат использовал должностное или служебное положение.",
        "en": "The candidate abused their office.",
    },
    "early_campaigning": {
        "kk": "Үгіт тіркеу аяқталғанға дейін басталды.",
        "ru": "Агитация начата до окончания регистрации.",
        "en": "The candidate campaigned before registration closed.",
    },
    "bribery_or_defamation": {
        "kk": "Сот сайлаушыларды сатып алу немесе жала жабу фактісін анықтады.",
        "ru": "Судом установлен факт подкупа избирателей или клеветы.",
        "en": "A court found bribery of voters or defamation.",
    },
    "false_declaration": {
        "kk": (
            "Активтер мен міндеттемелер туралы декларацияда"
            " шындыққа сәйкес келмейтін мәліметтер бар."
        ),
        "ru": "Декларация об активах и обязательствах содержит недостоверные сведения.",
        "en": "The asset and liability declaration is false.",
    },
}
GROUND_CODES: tuple[str, ...] = VIOLATION_CODES + tuple(EXTRA_GROUNDS)


def ground(code: str, profile: Profile) -> Violation:
    """The message and legal basis (in each language) of a ground cited by a commission."""
    if code in EXTRA_GROUNDS:
        return Violation(
            code=code,
            message=EXTRA_GROUNDS[code],
            legal_basis=REGISTRATION_BASIS,
            basis=dict(REGISTRATION_BASIS_TEXT),
        )
    return describe(code, profile)
