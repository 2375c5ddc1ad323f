"""Eligibility of a candidate for akim: plain facts in, every violation out.

The numbers come from the election's rule profile and every violation names the
article it rests on (domain.md, "Candidates"). Standard library only.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

from elections.rules import Profile

ELECTION_LAW = 'Constitutional Law "On Elections in the Republic of Kazakhstan"'
CITIZENSHIP_BASIS = f"{ELECTION_LAW}, art. 4"
DISQUALIFICATION_BASIS = f"{ELECTION_LAW}, art. 113-2; LG law art. 36-2"
PARTY_NOMINATION_BASIS = f"{ELECTION_LAW}, art. 113-3 (a party nominates its own members only)"
DOCUMENTS_BASIS = f"{ELECTION_LAW}, art. 113-4 (nomination documents)"

# The laws as pages cite them in each language (the English citations above are the API's).
LAW_NAMES: dict[str, dict[str, str]] = {
    "elections": {
        "kk": "«Қазақстан Республикасындағы сайлау туралы» Конституциялық заң",
        "ru": "Конституционный закон «О выборах в Республике Казахстан»",
        "en": ELECTION_LAW,
    },
    "local_government": {
        "kk": "«Қазақстан Республикасындағы жергілікті мемлекеттік басқару және өзін-өзі "
        "басқару туралы» Заң",
        "ru": "Закон «О местном государственном управлении и самоуправлении в Республике "
        "Казахстан»",
        "en": "LG law",
    },
}


def election_law(article: str, note: dict[str, str] | None = None) -> dict[str, str]:
    """``art. <article>`` of the election law, with an optional note, in each language."""
    law = LAW_NAMES["elections"]
    text = {
        "kk": f"{law['kk']}, {article}-бап",
        "ru": f"{law['ru']}, ст. {article}",
        "en": f"{law['en']}, art. {article}",
    }
    if note:
        text = {lang: f"{text[lang]} ({note[lang]})" for lang in text}
    return text


CITIZENSHIP_BASIS_TEXT = election_law("4")
DISQUALIFICATION_BASIS_TEXT = {
    lang: f"{text}; {LAW_NAMES['local_government'][lang]}"
    + (" art. 36-2" if lang == "en" else ", ст. 36-2" if lang == "ru" else ", 36-2-бап")
    for lang, text in election_law("113-2").items()
}
PARTY_NOMINATION_BASIS_TEXT = election_law(
    "113-3",
    {
        "kk": "партия тек өз мүшелерін ұсынады",
        "ru": "партия выдвигает только своих членов",
        "en": "a party nominates its own members only",
    },
)
DOCUMENTS_BASIS_TEXT = election_law(
    "113-4",
    {"kk": "ұсыну құжаттары", "ru": "документы для выдвижения", "en": "nomination documents"},
)

# The education levels the Concept admits (domain.md, "Candidates", item 3): what an
# education is checked against unless the profile's own list has a confirmed source.
CONCEPT_EDUCATION_LEVELS = ("postgraduate", "higher", "post_secondary", "technical_vocational")
# Rules no source confirms so far (domain.md, "Verified and unverified rules"): each is
# applied only where the election's profile turns it on with ``confirmed: true``.
GATED_RULES = {
    "experience_insufficient": "min_experience_years",
    "term_limit_reached": "max_consecutive_terms",
    "settlements_insufficient": "signature_settlement_share",
}

CONCEPT_EDUCATION_BASIS_TEXT = {
    "kk": "Қазақстан Республикасында жергілікті өзін-өзі басқаруды дамыту тұжырымдамасы, "
    "4-бөлім (жоғары оқу орнынан кейінгі, жоғары, орта білімнен кейінгі немесе техникалық "
    "және кәсіптік білім)",
    "ru": "Концепция развития местного самоуправления в Республике Казахстан, раздел 4 "
    "(послевузовское, высшее, послесреднее или техническое и профессиональное образование)",
    "en": "Concept for the development of local self-government in the Republic of "
    "Kazakhstan, section 4 (postgraduate, higher, post-secondary or technical and "
    "vocational education)",
}

KAZAKHSTAN = "KZ"
NOMINATION_TYPES = ("party", "self")
SPECIAL_CHECK_RESULTS = ("passed", "failed", "pending")
# The CEC's list (domain.md, "Candidates"): the older keys stay as the API names them.
COMMON_DOCUMENTS = ("application", "biography", "declarations", "tax_certificate")
QUALIFICATION_BASIS_TEXT = {
    "kk": "«Қазақстан Республикасындағы жергілікті мемлекеттік басқару және өзін-өзі басқару "
    "туралы» Заң, 36-2-бап (мемлекеттік қызмет лауазымына қойылатын біліктілік талаптары: "
    "білімі мен жұмыс өтілі құжаттар бойынша тексеріледі); ОСК-нің тіркеуге қажетті "
    "құжаттар тізбесі, 2023 жылғы аудан әкімдерінің пилоттық сайлауы",
    "ru": "Закон «О местном государственном управлении и самоуправлении в Республике "
    "Казахстан», ст. 36-2 (квалификационные требования к должности государственной службы: "
    "образование и стаж работы проверяются по документам); перечень документов для "
    "регистрации ЦИК, пилотные выборы районных акимов 2023 года",
    "en": "LG law art. 36-2 (qualification requirements of the civil-service post: education "
    "and work experience checked against the documents); CEC list of registration "
    "documents, 2023 district pilot",
}

VIOLATION_CODES: tuple[str, ...] = (
    "not_citizen",
    "age_below_minimum",
    "education_insufficient",
    "experience_insufficient",
    "qualification_pending",
    "qualification_not_met",
    "legal_incapacity",
    "serving_sentence",
    "unexpunged_conviction",
    "corruption_offence",
    "special_check_failed",
    "special_check_pending",
    "term_limit_reached",
    "party_membership_required",
    "signatures_insufficient",
    "settlements_insufficient",
    "deposit_unpaid",
    "documents_missing",
)

Text = dict[str, str]

EDUCATION_NAMES: dict[str, Text] = {
    "postgraduate": {
        "kk": "жоғары оқу орнынан кейінгі",
        "ru": "послевузовское",
        "en": "postgraduate",
    },
    "higher": {"kk": "жоғары", "ru": "высшее", "en": "higher"},
    "post_secondary": {"kk": "орта білімнен кейінгі", "ru": "послесреднее", "en": "post-secondary"},
    "technical_vocational": {
        "kk": "техникалық және кәсіптік",
        "ru": "техническое и профессиональное",
        "en": "technical and vocational",
    },
    "general_secondary": {"kk": "жалпы орта", "ru": "общее среднее", "en": "general secondary"},
    "basic_secondary": {"kk": "негізгі орта", "ru": "основное среднее", "en": "basic secondary"},
    "primary": {"kk": "бастауыш", "ru": "начальное", "en": "primary"},
}

DOCUMENT_NAMES: dict[str, Text] = {
    "application": {"kk": "өтініш", "ru": "заявление", "en": "application"},
    "biography": {"kk": "өмірбаян", "ru": "биография", "en": "biography"},
    "declarations": {
        "kk": "активтер мен міндеттемелер туралы декларациялар",
        "ru": "декларации об активах и обязательствах",
        "en": "asset and liability declarations",
    },
    "party_decision": {
        "kk": "партия шешімінен үзінді көшірме",
        "ru": "выписка из решения партии",
        "en": "extract of the party's decision",
    },
    "tax_certificate": {
        "kk": "кандидаттың және жұбайының декларацияларды тапсырғаны туралы салық органының "
        "анықтамасы",
        "ru": "справка налогового органа о представлении деклараций кандидатом и супругом",
        "en": "the tax authority's certificate that the candidate's and the spouse's "
        "declarations were filed",
    },
    "signature_check_protocol": {
        "kk": "қол қою парақтарын тексеру хаттамасы",
        "ru": "протокол проверки подписных листов",
        "en": "signature-check protocol",
    },
}


@dataclass(frozen=True)
class CandidateFacts:
    birth_date: date
    citizenship: str
    education: str
    work_experience_years: float
    nomination_type: str
    party_member: bool | None
    signatures_valid: int | None
    settlements_covered: int | None
    deposit_paid: bool
    documents: Mapping[str, bool]
    legal_capacity: bool
    serving_sentence: bool
    unexpunged_conviction: bool
    corruption_offence: bool
    special_check: str
    consecutive_terms_in_post: int
    # The commission's finding against the civil-service qualification requirements:
    # None until it has checked the documents.
    qualification_met: bool | None = None

    def __post_init__(self) -> None:
        # An unknown value would otherwise pass silently as "not party" or "not failed".
        if self.nomination_type not in NOMINATION_TYPES:
            raise ValueError(f"nomination_type must be one of {NOMINATION_TYPES}")
        if self.special_check not in SPECIAL_CHECK_RESULTS:
            raise ValueError(f"special_check must be one of {SPECIAL_CHECK_RESULTS}")


@dataclass(frozen=True)
class Territory:
    voters: int
    settlements: int


@dataclass(frozen=True)
class Violation:
    code: str
    message: Text
    legal_basis: str  # the English citation, as the API gives it
    basis: Text = field(default_factory=dict)  # the same in each language, for pages


def age_on(birth_date: date, day: date) -> int:
    """Full years on ``day``; a birthday on ``day`` counts as reached.

    Comparing (month, day) pairs makes someone born on 29 February come of age on
    1 March in a non-leap year.
    """
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def signatures_required(voters: int, profile: Profile) -> int:
    return math.ceil(voters * profile.signature_voter_share)


def settlements_required(settlements: int, profile: Profile) -> int:
    return math.ceil(settlements * profile.signature_settlement_share)


def _number(value: float, lang: str) -> str:
    text = f"{value:g}"
    return text if lang == "en" else text.replace(".", ",")


def _percent(share: Fraction, lang: str) -> str:
    percent = share * 100
    return _number(percent.numerator if percent.denominator == 1 else float(percent), lang)


def _ru_genitive(value: float, singular: str, plural: str) -> str:
    """The Russian noun after "не менее N" / "более N": 1, 21, 1,5 года; 2, 5, 25 лет."""
    if value != int(value):
        return singular
    n = int(value)
    return singular if n % 10 == 1 and n % 100 != 11 else plural


def _en_plural(value: float, noun: str) -> str:
    return noun if value == 1 else f"{noun}s"


def _names(table: dict[str, Text], keys: list[str] | tuple[str, ...]) -> Text:
    return {
        lang: ", ".join(table[key][lang] if key in table else key for key in keys)
        for lang in ("kk", "ru", "en")
    }


def _requirement_age(profile: Profile) -> Text:
    n = profile.min_age
    return {
        "kk": f"Кандидат сайлау күні кемінде {n} жасқа толуы керек.",
        "ru": f"В день выборов кандидату должно быть не менее {n} "
        f"{_ru_genitive(n, 'года', 'лет')}.",
        "en": f"A candidate must be at least {n} {_en_plural(n, 'year')} old on election day.",
    }


def rule_confirmed(profile: Profile, rule: str) -> bool:
    """Whether the profile turns ``rule`` on with a confirmed source (a missing flag is no)."""
    entry = (profile.data.get("rules") or {}).get(rule)
    return isinstance(entry, dict) and entry.get("confirmed") is True


def admitted_education(profile: Profile) -> tuple[str, ...]:
    """The profile's levels where a source confirms them, else the Concept's."""
    if rule_confirmed(profile, "education_levels"):
        return profile.education_levels
    return CONCEPT_EDUCATION_LEVELS


def _requirement_education(profile: Profile) -> Text:
    levels = _names(EDUCATION_NAMES, admitted_education(profile))
    return {
        "kk": f"Кандидаттың білімі мына деңгейлердің бірі болуы керек: {levels['kk']}.",
        "ru": f"Образование кандидата должно быть одного из уровней: {levels['ru']}.",
        "en": f"A candidate's education must be one of: {levels['en']}.",
    }


def _requirement_experience(profile: Profile) -> Text:
    n = profile.min_experience_years
    return {
        "kk": f"Кандидаттың жұмыс өтілі кемінде {_number(n, 'kk')} жыл болуы керек.",
        "ru": f"Стаж работы кандидата должен быть не менее {_number(n, 'ru')} "
        f"{_ru_genitive(n, 'года', 'лет')}.",
        "en": f"A candidate must have at least {_number(n, 'en')} {_en_plural(n, 'year')} "
        "of work experience.",
    }


def _requirement_terms(profile: Profile) -> Text:
    n = profile.max_consecutive_terms
    return {
        "kk": f"Бір адам бір лауазымды қатарынан {n} мерзімнен артық атқара алмайды.",
        "ru": f"Одно лицо не может занимать одну и ту же должность более {n} "
        f"{_ru_genitive(n, 'срока', 'сроков')} подряд.",
        "en": f"No one may hold the same post for more than {n} consecutive "
        f"{_en_plural(n, 'term')}.",
    }


def _requirement_signatures(profile: Profile) -> Text:
    share = profile.signature_voter_share
    return {
        "kk": "Өзін-өзі ұсынған кандидат аумақ сайлаушыларының кемінде "
        f"{_percent(share, 'kk')}%-ының жарамды қолын жинауы керек.",
        "ru": "Самовыдвиженец должен собрать действительные подписи не менее "
        f"{_percent(share, 'ru')}% избирателей территории.",
        "en": "A self-nominee needs valid signatures of at least "
        f"{_percent(share, 'en')}% of the voters of the territory.",
    }


def _requirement_settlements(profile: Profile) -> Text:
    share = profile.signature_settlement_share
    return {
        "kk": f"Қолдар аумақтағы елді мекендердің кемінде {share} бөлігінде жиналуы керек.",
        "ru": f"Подписи должны быть собраны не менее чем в {share} населённых пунктов территории.",
        "en": f"Signatures must be collected in at least {share} of the settlements "
        "of the territory.",
    }


def _requirement_deposit(profile: Profile) -> Text:
    m = profile.deposit_min_wage_multiple
    return {
        "kk": f"Ең төмен жалақының {m} еселенген мөлшеріндегі сайлау жарнасы төленбеген.",
        "ru": f"Не внесён избирательный взнос в {m}-кратном размере минимальной заработной платы.",
        "en": f"The electoral deposit of {m}x the minimum wage has not been paid.",
    }


def _fixed(text: Text) -> Callable[[Profile], Text]:
    return lambda _profile: dict(text)


def _basis(rule: str) -> Callable[[Profile], Text]:
    return lambda profile: profile.basis_text_of(rule)


def _constant(basis: Text | str) -> Callable[[Profile], Text]:
    text = basis if isinstance(basis, dict) else {"en": basis}
    return lambda _profile: dict(text)


def _education_basis(profile: Profile) -> Text:
    if rule_confirmed(profile, "education_levels"):
        return profile.basis_text_of("education_levels")
    return dict(CONCEPT_EDUCATION_BASIS_TEXT)


# Per code: the requirement as a sentence (with the profile's figures) and its legal basis.
_RULES: dict[str, tuple[Callable[[Profile], Text], Callable[[Profile], str]]] = {
    "not_citizen": (
        _fixed(
            {
                "kk": "Әкім лауазымына тек Қазақстан Республикасының азаматы кандидат бола алады.",
                "ru": "Кандидатом в акимы может быть только гражданин Республики Казахстан.",
                "en": "Only a citizen of the Republic of Kazakhstan may stand for akim.",
            }
        ),
        _constant(CITIZENSHIP_BASIS_TEXT),
    ),
    "age_below_minimum": (_requirement_age, _basis("min_age")),
    "education_insufficient": (_requirement_education, _education_basis),
    "experience_insufficient": (_requirement_experience, _basis("min_experience_years")),
    "qualification_pending": (
        _fixed(
            {
                "kk": "Комиссия кандидаттың мемлекеттік қызмет лауазымына қойылатын біліктілік "
                "талаптарына (білімі мен жұмыс өтілі) сәйкестігін құжаттар бойынша әлі "
                "тексерген жоқ.",
                "ru": "Комиссия ещё не проверила по документам соответствие кандидата "
                "квалификационным требованиям к должности государственной службы "
                "(образование и стаж работы).",
                "en": "The commission has not yet checked against the documents whether the "
                "candidate meets the qualification requirements of the civil-service post "
                "(education and work experience).",
            }
        ),
        _constant(QUALIFICATION_BASIS_TEXT),
    ),
    "qualification_not_met": (
        _fixed(
            {
                "kk": "Комиссия кандидаттың мемлекеттік қызмет лауазымына қойылатын біліктілік "
                "талаптарына (білімі мен жұмыс өтілі) сәйкес келмейтінін анықтады.",
                "ru": "Комиссия установила, что кандидат не соответствует квалификационным "
                "требованиям к должности государственной службы (образование и стаж работы).",
                "en": "The commission found that the candidate does not meet the qualification "
                "requirements of the civil-service post (education and work experience).",
            }
        ),
        _constant(QUALIFICATION_BASIS_TEXT),
    ),
    "legal_incapacity": (
        _fixed(
            {
                "kk": "Кандидат сот шешімімен әрекетке қабілетсіз деп танылған.",
                "ru": "Кандидат признан судом недееспособным.",
                "en": "The candidate has been declared legally incapable by a court.",
            }
        ),
        _constant(DISQUALIFICATION_BASIS_TEXT),
    ),
    "serving_sentence": (
        _fixed(
            {
                "kk": "Кандидат сот үкімі бойынша жазасын өтеп жүр.",
                "ru": "Кандидат отбывает наказание по приговору суда.",
                "en": "The candidate is serving a sentence imposed by a court.",
            }
        ),
        _constant(DISQUALIFICATION_BASIS_TEXT),
    ),
    "unexpunged_conviction": (
        _fixed(
            {
                "kk": "Кандидаттың заңда белгіленген тәртіппен өтелмеген немесе алынбаған "
                "соттылығы бар.",
                "ru": "У кандидата есть непогашенная или неснятая в установленном законом "
                "порядке судимость.",
                "en": "The candidate has a criminal record that has not been expunged or "
                "lifted as the law provides.",
            }
        ),
        _constant(DISQUALIFICATION_BASIS_TEXT),
    ),
    "corruption_offence": (
        _fixed(
            {
                "kk": "Кандидаттың сыбайлас жемқорлық құқық бұзушылық жасағанын сот анықтаған.",
                "ru": "Судом установлено совершение кандидатом коррупционного правонарушения.",
                "en": "A court has established that the candidate committed a corruption offence.",
            }
        ),
        _constant(DISQUALIFICATION_BASIS_TEXT),
    ),
    "special_check_failed": (
        _fixed(
            {
                "kk": "Кандидат арнайы тексеруден өтпеді.",
                "ru": "Кандидат не прошёл специальную проверку.",
                "en": "The candidate did not pass the special check.",
            }
        ),
        _constant(DISQUALIFICATION_BASIS_TEXT),
    ),
    "special_check_pending": (
        _fixed(
            {
                "kk": "Кандидатты арнайы тексеру әлі аяқталған жоқ.",
                "ru": "Специальная проверка кандидата ещё не завершена.",
                "en": "The special check of the candidate is not complete yet.",
            }
        ),
        _constant(DISQUALIFICATION_BASIS_TEXT),
    ),
    "term_limit_reached": (_requirement_terms, _basis("max_consecutive_terms")),
    "party_membership_required": (
        _fixed(
            {
                "kk": "Партия тек өз мүшелерін ғана ұсына алады; кандидат партия мүшесі емес.",
                "ru": "Партия вправе выдвигать только своих членов; кандидат не является "
                "членом партии.",
                "en": "A party may nominate only its own members; the candidate is not a "
                "member of the party.",
            }
        ),
        _constant(PARTY_NOMINATION_BASIS_TEXT),
    ),
    "signatures_insufficient": (_requirement_signatures, _basis("signature_voter_share")),
    "settlements_insufficient": (_requirement_settlements, _basis("signature_settlement_share")),
    "deposit_unpaid": (_requirement_deposit, _basis("deposit_min_wage_multiple")),
    "documents_missing": (
        _fixed(
            {
                "kk": "Кандидатты ұсыну үшін қажетті құжаттардың бәрі тапсырылмаған.",
                "ru": "Представлены не все документы, необходимые для выдвижения.",
                "en": "Not all documents required for nomination have been filed.",
            }
        ),
        _constant(DOCUMENTS_BASIS_TEXT),
    ),
}


def describe(code: str, profile: Profile) -> Violation:
    """The generic violation for ``code``: the requirement and its basis, no candidate figures.

    Used when a commission refuses registration citing a code as grounds.
    """
    if code not in _RULES:
        raise ValueError(f"unknown violation code {code!r}")
    requirement, basis = _RULES[code]
    text = basis(profile)
    return Violation(code=code, message=requirement(profile), legal_basis=text["en"], basis=text)


def _violation(code: str, profile: Profile, detail: Text | None = None) -> Violation:
    generic = describe(code, profile)
    if detail is None:
        return generic
    message = {lang: f"{text} {detail[lang]}" for lang, text in generic.message.items()}
    return Violation(
        code=code, message=message, legal_basis=generic.legal_basis, basis=generic.basis
    )


def required_documents(nomination_type: str) -> tuple[str, ...]:
    """The party's decision is asked of party nominees only, never of self-nominees."""
    if nomination_type == "party":
        return (*COMMON_DOCUMENTS, "party_decision")
    return (*COMMON_DOCUMENTS, "signature_check_protocol")


def check_eligibility(
    facts: CandidateFacts, election_day: date, profile: Profile, territory: Territory
) -> list[Violation]:
    """Every violation, in the order of ``VIOLATION_CODES``; an empty list means eligible."""
    found: list[Violation] = []

    if facts.citizenship.upper() != KAZAKHSTAN:
        found.append(
            _violation(
                "not_citizen",
                profile,
                {
                    "kk": f"Көрсетілген азаматтығы: {facts.citizenship}.",
                    "ru": f"Указанное гражданство: {facts.citizenship}.",
                    "en": f"Citizenship given: {facts.citizenship}.",
                },
            )
        )

    age = age_on(facts.birth_date, election_day)
    if age < profile.min_age:
        day = election_day.strftime("%d.%m.%Y")  # as pages write dates
        found.append(
            _violation(
                "age_below_minimum",
                profile,
                {
                    "kk": f"Кандидаттың сайлау күнгі ({day}) жасы: {age}.",
                    "ru": f"Возраст кандидата в день выборов ({day}): {age}.",
                    "en": f"On election day ({day}) the candidate is {age}.",
                },
            )
        )

    if facts.education not in admitted_education(profile):
        level = _names(EDUCATION_NAMES, [facts.education])
        found.append(
            _violation(
                "education_insufficient",
                profile,
                {
                    "kk": f"Кандидаттың білімі: {level['kk']}.",
                    "ru": f"Образование кандидата: {level['ru']}.",
                    "en": f"The candidate's education: {level['en']}.",
                },
            )
        )

    if (
        rule_confirmed(profile, "min_experience_years")
        and facts.work_experience_years < profile.min_experience_years
    ):
        years = facts.work_experience_years
        found.append(
            _violation(
                "experience_insufficient",
                profile,
                {
                    "kk": f"Көрсетілген жұмыс өтілі, жыл: {_number(years, 'kk')}.",
                    "ru": f"Указанный стаж работы, лет: {_number(years, 'ru')}.",
                    "en": f"Work experience given, years: {_number(years, 'en')}.",
                },
            )
        )

    if facts.qualification_met is None:
        found.append(_violation("qualification_pending", profile))
    elif facts.qualification_met is False:
        found.append(_violation("qualification_not_met", profile))

    for code, disqualified in (
        ("legal_incapacity", not facts.legal_capacity),
        ("serving_sentence", facts.serving_sentence),
        ("unexpunged_conviction", facts.unexpunged_conviction),
        ("corruption_offence", facts.corruption_offence),
        ("special_check_failed", facts.special_check == "failed"),
        ("special_check_pending", facts.special_check == "pending"),
    ):
        if disqualified:
            found.append(_violation(code, profile))

    terms = facts.consecutive_terms_in_post
    if rule_confirmed(profile, "max_consecutive_terms") and terms >= profile.max_consecutive_terms:
        found.append(
            _violation(
                "term_limit_reached",
                profile,
                {
                    "kk": f"Кандидаттың осы лауазымда қатарынан өткерген мерзімдері: {terms}.",
                    "ru": f"Число сроков подряд, отработанных кандидатом в этой должности: "
                    f"{terms}.",
                    "en": f"Consecutive terms the candidate has served in this post: {terms}.",
                },
            )
        )

    # A party nominee must prove membership: unknown counts as not a member.
    if facts.nomination_type == "party" and facts.party_member is not True:
        found.append(_violation("party_membership_required", profile))

    if facts.nomination_type == "self":
        found.extend(_signature_violations(facts, profile, territory))

    if not facts.deposit_paid:
        found.append(_violation("deposit_unpaid", profile))

    missing = [
        name
        for name in required_documents(facts.nomination_type)
        if not facts.documents.get(name, False)
    ]
    if missing:
        names = _names(DOCUMENT_NAMES, missing)
        found.append(
            _violation(
                "documents_missing",
                profile,
                {
                    "kk": f"Жетіспейтін құжаттар: {names['kk']}.",
                    "ru": f"Отсутствуют: {names['ru']}.",
                    "en": f"Missing: {names['en']}.",
                },
            )
        )

    return found


def _signature_violations(
    facts: CandidateFacts, profile: Profile, territory: Territory
) -> list[Violation]:
    found: list[Violation] = []
    required = signatures_required(territory.voters, profile)
    valid = facts.signatures_valid or 0
    if valid < required:
        voters = territory.voters
        found.append(
            _violation(
                "signatures_insufficient",
                profile,
                {
                    "kk": f"Талап етілетін қол саны: {required} ({voters} сайлаушыдан); "
                    f"жарамды қолдар: {valid}.",
                    "ru": f"Требуется подписей: {required} (при {voters} избирателях); "
                    f"действительных: {valid}.",
                    "en": f"Required: {required} (of {voters} voters); valid: {valid}.",
                },
            )
        )
    required = settlements_required(territory.settlements, profile)
    covered = facts.settlements_covered or 0
    if rule_confirmed(profile, "signature_settlement_share") and covered < required:
        total = territory.settlements
        found.append(
            _violation(
                "settlements_insufficient",
                profile,
                {
                    "kk": f"Талап етілетін елді мекендер саны: {required} ({total} ішінен); "
                    f"қол жиналғаны: {covered}.",
                    "ru": f"Требуется населённых пунктов: {required} из {total}; "
                    f"подписи собраны в {covered}.",
                    "en": f"Required: {required} of {total} settlements; covered: {covered}.",
                },
            )
        )
    return found


@dataclass(frozen=True)
class Check:
    """One thing the commission checks before it decides, with its source."""

    key: str
    text: Text
    basis: Text
    confirmed: bool = True


_UNCONFIRMED_PREFIX: Text = {
    "kk": "Дереккөзі расталмаған ереже (тіркеуден бас тарту негізі емес, комиссия өз "
    "қорытындысын жазады): ",
    "ru": "Правило без подтверждённого источника (не основание для отказа в регистрации, "
    "комиссия записывает своё заключение): ",
    "en": "A rule no source confirms (no ground for refusal; the commission records its finding): ",
}


def commission_checks(profile: Profile, nomination_type: str | None) -> list[Check]:
    """What the commission has to check for a nominee of this type (None: either, as the
    nomination form shows it), each with its source; the rules no source confirms come last,
    marked as such."""
    checks = [
        Check(
            "qualification",
            {
                "kk": "Кандидаттың білімі мен жұмыс өтілі мемлекеттік қызмет лауазымына "
                "қойылатын біліктілік талаптарына сәйкес пе: құжаттар бойынша тексеріп, "
                "қорытындыны және тексерілген құжаттарды жазыңыз.",
                "ru": "Соответствуют ли образование и стаж работы кандидата квалификационным "
                "требованиям к должности государственной службы: проверьте по документам и "
                "запишите заключение и проверенные документы.",
                "en": "Whether the candidate's education and work experience meet the "
                "qualification requirements of the civil-service post: check them against "
                "the documents and record the finding and the documents checked.",
            },
            dict(QUALIFICATION_BASIS_TEXT),
        ),
        Check("age", _requirement_age(profile), profile.basis_text_of("min_age")),
        Check("education", _requirement_education(profile), _education_basis(profile)),
    ]
    if nomination_type is None:
        common = _names(DOCUMENT_NAMES, COMMON_DOCUMENTS)
        party = _names(DOCUMENT_NAMES, ["party_decision"])
        own = _names(DOCUMENT_NAMES, ["signature_check_protocol"])
        documents = {
            "kk": f"Тапсырылуы тиіс құжаттар: {common['kk']}; партия ұсынған кандидаттан: "
            f"{party['kk']}; өзін-өзі ұсынған кандидаттан: {own['kk']}.",
            "ru": f"Должны быть представлены: {common['ru']}; от кандидата, выдвинутого "
            f"партией: {party['ru']}; от самовыдвиженца: {own['ru']}.",
            "en": f"Documents to be filed: {common['en']}; by a party nominee: {party['en']}; "
            f"by a self-nominee: {own['en']}.",
        }
    else:
        names = _names(DOCUMENT_NAMES, required_documents(nomination_type))
        documents = {
            "kk": f"Тапсырылуы тиіс құжаттар: {names['kk']}.",
            "ru": f"Должны быть представлены: {names['ru']}.",
            "en": f"Documents to be filed: {names['en']}.",
        }
    checks.append(Check("documents", documents, dict(DOCUMENTS_BASIS_TEXT)))
    m = profile.deposit_min_wage_multiple
    checks.append(
        Check(
            "deposit",
            {
                "kk": f"Ең төмен жалақының {m} еселенген мөлшеріндегі сайлау жарнасы төленді.",
                "ru": f"Внесён избирательный взнос в {m}-кратном размере минимальной "
                "заработной платы.",
                "en": f"The electoral deposit of {m}x the minimum wage is paid.",
            },
            profile.basis_text_of("deposit_min_wage_multiple"),
        )
    )
    if nomination_type in ("self", None):
        checks.append(
            Check(
                "signatures",
                _requirement_signatures(profile),
                profile.basis_text_of("signature_voter_share"),
            )
        )
    checks.append(
        Check(
            "disqualifications",
            {
                "kk": "Кандидат сот шешімімен әрекетке қабілетсіз деп танылмаған, жазасын "
                "өтеп жүрген жоқ, өтелмеген соттылығы және сот анықтаған сыбайлас жемқорлық "
                "құқық бұзушылығы жоқ, арнайы тексеруден өтті.",
                "ru": "Кандидат не признан судом недееспособным, не отбывает наказание, не "
                "имеет непогашенной судимости и установленного судом коррупционного "
                "правонарушения, прошёл специальную проверку.",
                "en": "The candidate is not legally incapable by a court decision, is not "
                "serving a sentence, has no unexpunged criminal record and no court-"
                "established corruption offence, and has passed the special check.",
            },
            dict(DISQUALIFICATION_BASIS_TEXT),
        )
    )
    unconfirmed = [
        ("min_experience_years", _requirement_experience),
        ("max_consecutive_terms", _requirement_terms),
    ]
    if nomination_type in ("self", None):
        unconfirmed.append(("signature_settlement_share", _requirement_settlements))
    for rule, requirement in unconfirmed:
        text = requirement(profile)
        if rule_confirmed(profile, rule):
            checks.append(Check(rule, text, profile.basis_text_of(rule)))
        else:
            text = {lang: _UNCONFIRMED_PREFIX[lang] + text[lang] for lang in text}
            checks.append(Check(rule, text, profile.basis_text_of(rule), confirmed=False))
    return checks
