import copy
from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from elections.candidates.rules import (
    VIOLATION_CODES,
    CandidateFacts,
    Territory,
    age_on,
    check_eligibility,
    describe,
    settlements_required,
    signatures_required,
)
from elections.rules import EDUCATION_LEVELS, load_profile, profile_from_dict, profile_keys

ELECTION_DAY = date(2026, 9, 6)
PROFILES = ("rural-2021", "rural-2023", "district-2023")
TERRITORY = Territory(voters=1001, settlements=5)
ALL_DOCUMENTS = {
    "application": True,
    "biography": True,
    "declarations": True,
    "tax_certificate": True,
}
SELF_DOCUMENTS = {**ALL_DOCUMENTS, "signature_check_protocol": True}

PARTY_NOMINEE = CandidateFacts(
    birth_date=date(1980, 5, 17),
    citizenship="KZ",
    education="higher",
    work_experience_years=6.5,
    nomination_type="party",
    party_member=True,
    signatures_valid=None,
    settlements_covered=None,
    deposit_paid=True,
    documents={**ALL_DOCUMENTS, "party_decision": True},
    legal_capacity=True,
    serving_sentence=False,
    unexpunged_conviction=False,
    corruption_offence=False,
    special_check="passed",
    consecutive_terms_in_post=0,
    qualification_met=True,
)
SELF_NOMINEE = replace(
    PARTY_NOMINEE,
    nomination_type="self",
    party_member=None,
    signatures_valid=11,
    settlements_covered=3,
    documents=SELF_DOCUMENTS,
)


def _profile(profile):
    return load_profile(profile) if isinstance(profile, str) else profile


def turned_on(profile_key, *rules):
    """The shipped profile with ``rules`` turned on as confirmed (as a commission would)."""
    data = copy.deepcopy(load_profile(profile_key).data)
    for rule in rules:
        data["rules"][rule]["confirmed"] = True
    return profile_from_dict(data)


UNCONFIRMED_RULES = (
    "min_experience_years",
    "max_consecutive_terms",
    "signature_settlement_share",
    "education_levels",
)


def codes(facts, profile_key="rural-2023", territory=TERRITORY, election_day=ELECTION_DAY):
    violations = check_eligibility(facts, election_day, _profile(profile_key), territory)
    return [violation.code for violation in violations]


def only(facts, profile_key="rural-2023", territory=TERRITORY):
    """The single violation the facts produce."""
    (violation,) = check_eligibility(facts, ELECTION_DAY, _profile(profile_key), territory)
    return violation


def test_violation_codes_are_the_api_codes_in_order():
    assert VIOLATION_CODES == (
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


@pytest.mark.parametrize("profile_key", PROFILES)
@pytest.mark.parametrize("facts", [PARTY_NOMINEE, SELF_NOMINEE], ids=["party", "self"])
def test_eligible_candidate_has_no_violations(facts, profile_key):
    assert codes(facts, profile_key) == []


@pytest.mark.parametrize(
    ("birth_date", "day", "age"),
    [
        pytest.param(date(2001, 9, 7), date(2026, 9, 6), 24, id="day-before-25th-birthday"),
        pytest.param(date(2001, 9, 6), date(2026, 9, 6), 25, id="25th-birthday-on-the-day"),
        pytest.param(date(2000, 2, 29), date(2025, 2, 28), 24, id="feb29-on-feb28-non-leap"),
        pytest.param(date(2000, 2, 29), date(2025, 3, 1), 25, id="feb29-on-mar1-non-leap"),
        pytest.param(date(2000, 2, 29), date(2024, 2, 28), 23, id="feb29-on-feb28-leap"),
        pytest.param(date(2000, 2, 29), date(2024, 2, 29), 24, id="feb29-on-feb29-leap"),
        pytest.param(date(1999, 12, 31), date(2025, 1, 1), 25, id="new-year"),
    ],
)
def test_age_on(birth_date, day, age):
    assert age_on(birth_date, day) == age


@pytest.mark.parametrize(
    ("birth_date", "expected"),
    [
        pytest.param(date(2001, 9, 7), ["age_below_minimum"], id="24-years-364-days"),
        pytest.param(date(2001, 9, 6), [], id="exactly-25"),
        pytest.param(date(1941, 1, 1), [], id="85"),
    ],
)
def test_minimum_age_on_election_day(birth_date, expected):
    assert codes(replace(PARTY_NOMINEE, birth_date=birth_date)) == expected


def test_age_message_gives_required_and_actual_age():
    violation = only(replace(PARTY_NOMINEE, birth_date=date(2001, 9, 7)))
    for text in violation.message.values():
        assert "25" in text
        assert "24" in text
    assert violation.legal_basis == load_profile("rural-2023").basis_of("min_age")


ADMITTED = {
    "rural-2023": {"postgraduate", "higher", "post_secondary", "technical_vocational"},
    # "higher only" has no source: unconfirmed, it refuses no one (domain.md).
    "district-2023": {"postgraduate", "higher", "post_secondary", "technical_vocational"},
    "rural-2021": {"postgraduate", "higher", "post_secondary", "technical_vocational"},
}


@pytest.mark.parametrize("profile_key", PROFILES)
@pytest.mark.parametrize("education", EDUCATION_LEVELS)
def test_education_against_profile(education, profile_key):
    facts = replace(PARTY_NOMINEE, education=education, work_experience_years=10)
    expected = [] if education in ADMITTED[profile_key] else ["education_insufficient"]
    assert codes(facts, profile_key) == expected


def test_education_message_names_admitted_and_actual_levels():
    data = copy.deepcopy(load_profile("district-2023").data)
    data["rules"]["education_levels"] |= {"value": ["postgraduate", "higher"], "confirmed": True}
    violation = only(replace(PARTY_NOMINEE, education="post_secondary"), profile_from_dict(data))
    assert "higher" in violation.message["en"]
    assert "post-secondary" in violation.message["en"]
    assert "послесреднее" in violation.message["ru"]
    assert "орта білімнен кейінгі" in violation.message["kk"]


@pytest.mark.parametrize(
    ("profile_key", "years", "expected"),
    [
        pytest.param("rural-2023", 1.99, ["experience_insufficient"], id="rural-2023-just-under"),
        pytest.param("rural-2023", 2, [], id="rural-2023-at-minimum"),
        pytest.param("district-2023", 4.99, ["experience_insufficient"], id="district-under"),
        pytest.param("district-2023", 5, [], id="district-at-minimum"),
        pytest.param("rural-2021", 1.99, ["experience_insufficient"], id="rural-2021-under"),
        pytest.param("rural-2021", 2.0, [], id="rural-2021-at-minimum"),
        pytest.param("rural-2023", 0, ["experience_insufficient"], id="none-at-all"),
    ],
)
def test_minimum_work_experience(profile_key, years, expected):
    profile = turned_on(profile_key, "min_experience_years")
    assert codes(replace(PARTY_NOMINEE, work_experience_years=years), profile) == expected


@pytest.mark.parametrize("profile_key", PROFILES)
def test_no_experience_threshold_unless_confirmed(profile_key):
    assert codes(replace(PARTY_NOMINEE, work_experience_years=0), profile_key) == []


def test_experience_message_uses_decimal_comma_in_kk_and_ru():
    profile = turned_on("rural-2023", "min_experience_years")
    violation = only(replace(PARTY_NOMINEE, work_experience_years=1.5), profile)
    assert "1,5" in violation.message["ru"]
    assert "1,5" in violation.message["kk"]
    assert "1.5" in violation.message["en"]


@pytest.mark.parametrize(
    ("voters", "required"),
    [
        pytest.param(0, 0, id="no-voters"),
        pytest.param(1, 1, id="one-voter"),
        pytest.param(99, 1, id="99"),
        pytest.param(100, 1, id="100"),
        pytest.param(101, 2, id="101"),
        pytest.param(1000, 10, id="1000"),
        pytest.param(1001, 11, id="1001"),
        pytest.param(12_000_000, 120_000, id="national-scale"),
    ],
)
def test_signatures_required_is_ceiling_of_one_percent(voters, required):
    assert signatures_required(voters, load_profile("rural-2023")) == required


@pytest.mark.parametrize(
    ("settlements", "required"),
    [
        pytest.param(1, 1, id="unit-is-one-settlement"),
        pytest.param(2, 1, id="2"),
        pytest.param(4, 2, id="4"),
        pytest.param(5, 3, id="5-odd"),
        pytest.param(7, 4, id="7-odd"),
    ],
)
def test_settlements_required_is_ceiling_of_half(settlements, required):
    assert settlements_required(settlements, load_profile("rural-2023")) == required


@pytest.mark.parametrize(
    ("signatures", "settlements_covered", "territory", "expected"),
    [
        pytest.param(11, 3, Territory(1001, 5), [], id="exactly-1pct-and-half"),
        pytest.param(
            10, 3, Territory(1001, 5), ["signatures_insufficient"], id="one-signature-short"
        ),
        pytest.param(10, 3, Territory(1000, 5), [], id="1000-voters-need-10"),
        pytest.param(
            11, 2, Territory(1001, 5), ["settlements_insufficient"], id="one-settlement-short"
        ),
        pytest.param(11, 2, Territory(1001, 4), [], id="half-of-4"),
        pytest.param(5, 1, Territory(500, 1), [], id="single-settlement-covered"),
        pytest.param(
            5, 0, Territory(500, 1), ["settlements_insufficient"], id="single-settlement-missed"
        ),
        pytest.param(
            None,
            None,
            Territory(1001, 5),
            ["signatures_insufficient", "settlements_insufficient"],
            id="no-signature-sheets",
        ),
    ],
)
def test_self_nominee_signatures(signatures, settlements_covered, territory, expected):
    facts = replace(
        SELF_NOMINEE, signatures_valid=signatures, settlements_covered=settlements_covered
    )
    profile = turned_on("rural-2023", "signature_settlement_share")
    assert codes(facts, profile, territory=territory) == expected


def test_settlements_are_no_ground_unless_confirmed():
    facts = replace(SELF_NOMINEE, signatures_valid=11, settlements_covered=0)
    assert codes(facts, territory=Territory(1001, 5)) == []


def test_party_nominee_needs_no_signatures():
    assert codes(PARTY_NOMINEE, territory=Territory(1_000_000, 50)) == []


def test_signature_messages_give_required_and_actual_figures():
    facts = replace(SELF_NOMINEE, signatures_valid=10, settlements_covered=2)
    signatures, settlements = check_eligibility(
        facts, ELECTION_DAY, turned_on("rural-2023", "signature_settlement_share"), TERRITORY
    )
    for lang in ("kk", "ru", "en"):
        assert "11" in signatures.message[lang]
        assert "10" in signatures.message[lang]
        assert "1001" in signatures.message[lang]
        assert "3" in settlements.message[lang]
        assert "5" in settlements.message[lang]
    profile = load_profile("rural-2023")
    assert signatures.legal_basis == profile.basis_of("signature_voter_share")
    assert settlements.legal_basis == profile.basis_of("signature_settlement_share")


@pytest.mark.parametrize(
    ("change", "code"),
    [
        pytest.param({"citizenship": "RU"}, "not_citizen", id="foreign-citizen"),
        pytest.param({"legal_capacity": False}, "legal_incapacity", id="legally-incapable"),
        pytest.param({"serving_sentence": True}, "serving_sentence", id="serving-sentence"),
        pytest.param(
            {"unexpunged_conviction": True}, "unexpunged_conviction", id="unexpunged-conviction"
        ),
        pytest.param({"corruption_offence": True}, "corruption_offence", id="corruption"),
        pytest.param({"special_check": "failed"}, "special_check_failed", id="check-failed"),
        pytest.param({"special_check": "pending"}, "special_check_pending", id="check-pending"),
        pytest.param({"party_member": False}, "party_membership_required", id="not-a-member"),
        pytest.param({"party_member": None}, "party_membership_required", id="membership-unknown"),
        pytest.param({"deposit_paid": False}, "deposit_unpaid", id="deposit-unpaid"),
    ],
)
def test_single_ground(change, code):
    assert codes(replace(PARTY_NOMINEE, **change)) == [code]


@pytest.mark.parametrize("terms", [2, 3])
def test_term_limit_where_confirmed(terms):
    profile = turned_on("rural-2023", "max_consecutive_terms")
    facts = replace(PARTY_NOMINEE, consecutive_terms_in_post=terms)
    assert codes(facts, profile) == ["term_limit_reached"]
    assert codes(facts) == []


@pytest.mark.parametrize(
    ("finding", "expected"),
    [
        pytest.param(None, ["qualification_pending"], id="not-checked-yet"),
        pytest.param(False, ["qualification_not_met"], id="not-met"),
        pytest.param(True, [], id="met"),
    ],
)
def test_qualification_finding(finding, expected):
    assert codes(replace(PARTY_NOMINEE, qualification_met=finding)) == expected


@pytest.mark.parametrize("code", ["qualification_pending", "qualification_not_met"])
def test_qualification_violations_cite_the_qualification_requirements(code):
    violation = describe(code, load_profile("district-2023"))
    assert "art. 36-2" in violation.legal_basis
    assert "ст. 36-2" in violation.basis["ru"]
    assert "36-2-бап" in violation.basis["kk"]
    assert "біліктілік" in violation.message["kk"]
    assert "квалификационным" in violation.message["ru"]


def test_one_term_served_may_stand_again():
    assert codes(replace(PARTY_NOMINEE, consecutive_terms_in_post=1)) == []


def test_citizenship_code_is_case_insensitive():
    assert codes(replace(PARTY_NOMINEE, citizenship="kz")) == []


@pytest.mark.parametrize(
    ("facts", "documents", "missing"),
    [
        pytest.param(
            PARTY_NOMINEE,
            ALL_DOCUMENTS,
            ["extract of the party's decision"],
            id="party-no-decision",
        ),
        pytest.param(
            PARTY_NOMINEE,
            {**ALL_DOCUMENTS, "party_decision": False},
            ["extract of the party's decision"],
            id="party-decision-false",
        ),
        pytest.param(
            SELF_NOMINEE,
            {**SELF_DOCUMENTS, "biography": False},
            ["biography"],
            id="self-no-biography",
        ),
        pytest.param(
            SELF_NOMINEE,
            {},
            [
                "application",
                "biography",
                "asset and liability declarations",
                "the tax authority's certificate that the candidate's and the spouse's "
                "declarations were filed",
                "signature-check protocol",
            ],
            id="self-nothing-filed",
        ),
        pytest.param(
            PARTY_NOMINEE,
            {**ALL_DOCUMENTS, "party_decision": True, "tax_certificate": False},
            [
                "the tax authority's certificate that the candidate's and the spouse's "
                "declarations were filed"
            ],
            id="party-no-tax-certificate",
        ),
        pytest.param(
            SELF_NOMINEE,
            ALL_DOCUMENTS,
            ["signature-check protocol"],
            id="self-no-signature-check-protocol",
        ),
    ],
)
def test_documents_missing_lists_them(facts, documents, missing):
    violation = only(replace(facts, documents=documents))
    assert violation.code == "documents_missing"
    assert violation.message["en"].endswith(f"Missing: {', '.join(missing)}.")
    assert "art. 113-4" in violation.legal_basis


@pytest.mark.parametrize(
    "documents",
    [
        pytest.param(SELF_DOCUMENTS, id="no-party-decision"),
        pytest.param({**SELF_DOCUMENTS, "party_decision": False}, id="party-decision-false"),
    ],
)
def test_self_nominee_never_needs_a_party_decision(documents):
    assert codes(replace(SELF_NOMINEE, documents=documents)) == []


def test_several_violations_at_once_in_fixed_order():
    facts = replace(
        SELF_NOMINEE,
        citizenship="UZ",
        birth_date=date(2003, 1, 1),
        education="general_secondary",
        work_experience_years=0.5,
        serving_sentence=True,
        special_check="pending",
        signatures_valid=3,
        settlements_covered=1,
        deposit_paid=False,
        documents={"application": True},
        qualification_met=None,
    )
    assert codes(facts, turned_on("district-2023", *UNCONFIRMED_RULES)) == [
        "not_citizen",
        "age_below_minimum",
        "education_insufficient",
        "experience_insufficient",
        "qualification_pending",
        "serving_sentence",
        "special_check_pending",
        "signatures_insufficient",
        "settlements_insufficient",
        "deposit_unpaid",
        "documents_missing",
    ]


@pytest.mark.parametrize(
    ("code", "basis"),
    [
        pytest.param("not_citizen", "art. 4", id="citizenship"),
        pytest.param("legal_incapacity", "art. 113-2; LG law art. 36-2", id="incapacity"),
        pytest.param("special_check_failed", "art. 113-2; LG law art. 36-2", id="check-failed"),
        pytest.param("party_membership_required", "art. 113-3", id="membership"),
        pytest.param("documents_missing", "art. 113-4", id="documents"),
    ],
)
def test_legal_basis_names_the_article(code, basis):
    assert basis in describe(code, load_profile("rural-2023")).legal_basis


@pytest.mark.parametrize(
    ("code", "rule"),
    [
        pytest.param("deposit_unpaid", "deposit_min_wage_multiple", id="deposit"),
        pytest.param("term_limit_reached", "max_consecutive_terms", id="term-limit"),
        pytest.param("signatures_insufficient", "signature_voter_share", id="signatures"),
    ],
)
def test_legal_basis_is_the_profile_rules(code, rule):
    profile = load_profile("rural-2023")
    assert describe(code, profile).legal_basis == profile.basis_of(rule)


def test_describe_takes_figures_from_the_profile():
    district = describe("deposit_unpaid", load_profile("district-2023"))
    rural = describe("deposit_unpaid", load_profile("rural-2023"))
    assert "5x" in district.message["en"]
    assert "1x" in rural.message["en"]
    assert describe("experience_insufficient", load_profile("district-2023")).message["ru"] == (
        "Стаж работы кандидата должен быть не менее 5 лет."
    )


def test_describe_rejects_an_unknown_code():
    with pytest.raises(ValueError):
        describe("too_tall", load_profile("rural-2023"))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        pytest.param("nomination_type", "appointed", id="unknown-nomination-type"),
        pytest.param("special_check", "maybe", id="unknown-special-check"),
    ],
)
def test_facts_reject_unknown_enumerations(field, value):
    with pytest.raises(ValueError):
        replace(PARTY_NOMINEE, **{field: value})


@given(code=st.sampled_from(VIOLATION_CODES), profile_key=st.sampled_from(profile_keys()))
def test_every_described_violation_is_trilingual_with_a_basis(code, profile_key):
    violation = describe(code, load_profile(profile_key))
    assert violation.code == code
    assert set(violation.message) == {"kk", "ru", "en"}
    assert all(text.strip() for text in violation.message.values())
    assert violation.legal_basis.strip()


facts_strategy = st.builds(
    CandidateFacts,
    birth_date=st.dates(min_value=date(1930, 1, 1), max_value=date(2010, 12, 31)),
    citizenship=st.sampled_from(["KZ", "RU", "KG"]),
    education=st.sampled_from(EDUCATION_LEVELS),
    work_experience_years=st.floats(min_value=0, max_value=50),
    nomination_type=st.sampled_from(["party", "self"]),
    party_member=st.sampled_from([True, False, None]),
    signatures_valid=st.none() | st.integers(min_value=0, max_value=5000),
    settlements_covered=st.none() | st.integers(min_value=0, max_value=40),
    deposit_paid=st.booleans(),
    documents=st.dictionaries(
        st.sampled_from(
            [
                "application",
                "biography",
                "declarations",
                "party_decision",
                "tax_certificate",
                "signature_check_protocol",
            ]
        ),
        st.booleans(),
    ),
    legal_capacity=st.booleans(),
    serving_sentence=st.booleans(),
    unexpunged_conviction=st.booleans(),
    corruption_offence=st.booleans(),
    special_check=st.sampled_from(["passed", "failed", "pending"]),
    consecutive_terms_in_post=st.integers(min_value=0, max_value=4),
    qualification_met=st.sampled_from([True, False, None]),
)


@given(
    facts=facts_strategy,
    profile_key=st.sampled_from(PROFILES),
    voters=st.integers(min_value=0, max_value=200_000),
    settlements=st.integers(min_value=1, max_value=40),
)
def test_every_violation_is_ordered_trilingual_and_grounded(
    facts, profile_key, voters, settlements
):
    violations = check_eligibility(
        facts, ELECTION_DAY, load_profile(profile_key), Territory(voters, settlements)
    )
    found = [violation.code for violation in violations]
    assert found == sorted(set(found), key=VIOLATION_CODES.index)
    for violation in violations:
        assert set(violation.message) == {"kk", "ru", "en"}
        assert all(text.strip() for text in violation.message.values())
        assert violation.legal_basis.strip()
    if facts.nomination_type == "party":
        assert not {"signatures_insufficient", "settlements_insufficient"} & set(found)


@given(voters=st.integers(min_value=0, max_value=10**9))
def test_signatures_required_is_the_least_count_reaching_one_percent(voters):
    required = signatures_required(voters, load_profile("rural-2023"))
    assert required * 100 >= voters
    assert required == 0 or (required - 1) * 100 < voters
