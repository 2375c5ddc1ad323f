"""The organising commission's pages: list, nomination form, candidate page, decisions."""

from __future__ import annotations

import html
import re

import pytest

from elections.candidates.models import Candidate
from elections.core.extensions import db
from tests.factories import fresh_iin
from tests.foundation.support import names_a_source


@pytest.fixture
def staff(world, login):
    """The test client, signed in as a member of the organising commission, reading English."""
    client = login(world.users["territorial_member"])
    client.get("/lang/en")
    return client


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def form_fields(**overrides) -> dict:
    """The nomination form as a browser posts it: an eligible self-nominee (20 of 2000, 1 of 2)."""
    iin, birth_date = fresh_iin("female")
    fields = {
        "iin": iin,
        "last_name": "Жұмабекова",
        "first_name": "Әсел",
        "patronymic": "Қайратқызы",
        "birth_date": birth_date.isoformat(),
        "citizenship": "KZ",
        "education": "technical_vocational",
        "work_experience_years": "3.5",
        "nomination_type": "self",
        "signatures_valid": "20",
        "settlements_covered": "1",
        "deposit_paid": "y",
        "doc_application": "y",
        "doc_biography": "y",
        "doc_declarations": "y",
        "doc_tax_certificate": "y",
        "doc_signature_check_protocol": "y",
        "qualification_met": "yes",
        "qualification_note": "Diploma and employment record",
        "legal_capacity": "y",
        "special_check": "passed",
        "consecutive_terms_in_post": "0",
    }
    fields.update(overrides)
    return {name: value for name, value in fields.items() if value is not None}


def candidate_of(app, iin: str) -> Candidate | None:
    with app.app_context():
        found = db.session.query(Candidate).filter_by(iin=iin).one_or_none()
        if found is not None:
            db.session.expunge(found)
        return found


# --- commission home and list ----------------------------------------------------------------


def test_commission_home_lists_its_elections(staff, world):
    response = staff.get("/commission/")

    assert response.status_code == 200
    assert f"/commission/elections/{world.election_id}/candidates" in text(response)
    assert f"/commission/elections/{world.other_election_id}/candidates" not in text(response)


def test_candidate_list_filters_by_status(staff, world, add_candidate):
    submitted = add_candidate(world.election_id)
    registered = add_candidate(world.election_id, status="registered")
    refused = add_candidate(world.election_id, status="refused", grounds=["abuse_of_office"])
    url = f"/commission/elections/{world.election_id}/candidates"

    everyone = text(staff.get(url))
    only_registered = text(staff.get(url, query_string={"status": "registered"}))
    unknown_filter = text(staff.get(url, query_string={"status": "nonsense"}))

    for candidate in (submitted, registered, refused):
        assert candidate.application_number in everyone
        assert candidate.application_number in unknown_filter
    assert registered.application_number in only_registered
    assert submitted.application_number not in only_registered
    assert refused.application_number not in only_registered
    assert '<option value="registered" selected>' in only_registered


def test_candidate_list_shows_eligibility_at_a_glance(staff, world, add_candidate):
    add_candidate(world.election_id, deposit_paid=False, special_check="pending")

    page = text(staff.get(f"/commission/elections/{world.election_id}/candidates"))

    assert "2 violations" in page


def test_anonymous_visitor_is_sent_to_sign_in(client, world):
    response = client.get(f"/commission/elections/{world.election_id}/candidates")

    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_another_commissions_election_list_is_404(staff, world):
    response = staff.get(f"/commission/elections/{world.other_election_id}/candidates")

    assert response.status_code == 404


# --- the nomination form ---------------------------------------------------------------------


def test_nomination_form_renders(staff, world):
    response = staff.get(f"/commission/elections/{world.election_id}/candidates/new")

    assert response.status_code == 200
    assert 'name="iin"' in text(response)


def test_nomination_form_saves_a_self_nominee(app, staff, world):
    fields = form_fields()

    response = staff.post(f"/commission/elections/{world.election_id}/candidates/new", data=fields)

    assert response.status_code == 302, text(response)
    saved = candidate_of(app, fields["iin"])
    assert saved is not None
    assert response.headers["Location"].endswith(f"/commission/candidates/{saved.id}")
    assert (saved.status, saved.nomination_type) == ("submitted", "self")
    assert (saved.signatures_valid, saved.settlements_covered) == (20, 1)
    assert saved.work_experience_years == 3.5
    assert saved.last_name == "Жұмабекова"
    assert saved.documents == {
        "application": True,
        "biography": True,
        "declarations": True,
        "party_decision": False,
        "tax_certificate": True,
        "signature_check_protocol": True,
    }
    assert (saved.qualification_met, saved.qualification_note) == (
        True,
        "Diploma and employment record",
    )
    shown = text(staff.get(response.headers["Location"]))
    assert f"Application {saved.application_number} saved." in shown
    assert "The candidate meets every requirement." in shown


def test_nomination_form_saves_a_party_nominee(app, staff, world, new_party):
    party_id = new_party()
    fields = form_fields(
        nomination_type="party",
        party_id=str(party_id),
        party_member="y",
        doc_party_decision="y",
        signatures_valid=None,
        settlements_covered=None,
    )

    response = staff.post(f"/commission/elections/{world.election_id}/candidates/new", data=fields)

    assert response.status_code == 302, text(response)
    saved = candidate_of(app, fields["iin"])
    assert (saved.nomination_type, saved.party_id, saved.party_member) == ("party", party_id, True)


def test_nomination_form_shows_a_field_error_for_a_bad_iin_and_keeps_the_input(app, staff, world):
    good = form_fields()
    bad_iin = good["iin"][:11] + str((int(good["iin"][11]) + 1) % 10)
    fields = {**good, "iin": bad_iin}

    response = staff.post(f"/commission/elections/{world.election_id}/candidates/new", data=fields)

    assert response.status_code == 422
    page = text(response)
    iin_field = re.search(r'<div class="field has-error">\s*<label for="iin".*?</div>', page, re.S)
    assert iin_field is not None, page
    assert "check digit" in iin_field.group(0)
    assert 'aria-invalid="true"' in iin_field.group(0)
    # Nothing typed is lost.
    for name in ("iin", "last_name", "first_name", "patronymic", "birth_date", "signatures_valid"):
        assert f'value="{fields[name]}"' in page, name
    assert '<option selected value="technical_vocational">' in page
    assert re.search(r'<input checked id="nomination_type-1" name="nomination_type"', page)
    for box in ("deposit_paid", "doc_application", "legal_capacity"):
        assert re.search(rf'<input checked id="{box}"', page), box
    assert re.search(r'<input id="serving_sentence"', page)
    assert candidate_of(app, bad_iin) is None


def test_nomination_form_shows_a_birth_date_error_next_to_the_birth_date(staff, world):
    fields = form_fields(birth_date="1991-03-03")

    response = staff.post(f"/commission/elections/{world.election_id}/candidates/new", data=fields)

    assert response.status_code == 422
    page = text(response)
    assert re.search(r'<div class="field has-error">\s*<label for="birth_date"', page)
    assert 'value="1991-03-03"' in page


def test_nomination_form_shows_a_refusal_without_a_field_at_the_top(
    staff, world, add_candidate, new_party
):
    party_id = new_party()
    add_candidate(world.election_id, party_id=party_id)
    fields = form_fields(
        nomination_type="party",
        party_id=str(party_id),
        party_member="y",
        doc_party_decision="y",
    )

    response = staff.post(f"/commission/elections/{world.election_id}/candidates/new", data=fields)

    assert response.status_code == 422
    alert = re.search(r'<div class="errors" role="alert">.*?</div>', text(response), re.S)
    assert "already has a nominee" in alert.group(0)


def test_nomination_form_of_another_commissions_election_is_404(staff, world):
    response = staff.get(f"/commission/elections/{world.other_election_id}/candidates/new")

    assert response.status_code == 404


# --- the candidate page ------------------------------------------------------------------------


def test_candidate_page_lists_each_violation_with_its_legal_basis(staff, world, add_candidate):
    candidate = add_candidate(
        world.election_id, education="primary", deposit_paid=False, special_check="failed"
    )

    page = text(staff.get(f"/commission/candidates/{candidate.id}"))

    items = re.findall(r'<ul class="violations">(.*?)</ul>', page, re.S)[0]
    violations = re.findall(r"<li.*?</li>", items, re.S)
    assert len(violations) == 3
    for violation, words in zip(
        violations,
        ["candidate's education: primary", "did not pass the special check", "deposit"],
        strict=True,
    ):
        assert words in violation
        assert "Legal basis: " in violation
        assert names_a_source(violation)


def test_candidate_page_shows_the_history(staff, world, add_candidate):
    candidate = add_candidate(world.election_id, status="registered")

    page = text(staff.get(f"/commission/candidates/{candidate.id}"))

    assert "<td>submitted</td>" in page
    assert "<td>registered</td>" in page


def test_another_commissions_candidate_page_is_404(staff, world, add_candidate):
    candidate = add_candidate(world.other_election_id)

    assert staff.get(f"/commission/candidates/{candidate.id}").status_code == 404
    assert staff.get(f"/commission/candidates/{candidate.id}/register").status_code == 404
    response = staff.post(f"/commission/candidates/{candidate.id}/register", data={"confirm": "y"})
    assert response.status_code == 404


def test_unknown_decision_page_is_404(staff, world, add_candidate):
    candidate = add_candidate(world.election_id)

    assert staff.get(f"/commission/candidates/{candidate.id}/approve").status_code == 404


# --- decision confirmation pages ----------------------------------------------------------------


def test_register_page_requires_the_confirm_checkbox(app, staff, world, add_candidate):
    candidate = add_candidate(world.election_id)
    url = f"/commission/candidates/{candidate.id}/register"

    assert staff.get(url).status_code == 200
    unconfirmed = staff.post(url, data={"note": "ok"})

    assert unconfirmed.status_code == 422
    assert re.search(r'<div class="field has-error">\s*<label for="confirm"', text(unconfirmed))
    with app.app_context():
        assert db.session.get(Candidate, candidate.id).status == "submitted"

    confirmed = staff.post(url, data={"note": "ok", "confirm": "y"})

    assert confirmed.status_code == 302
    assert confirmed.headers["Location"].endswith(f"/commission/candidates/{candidate.id}")
    with app.app_context():
        found = db.session.get(Candidate, candidate.id)
        assert found.status == "registered"
        assert found.history[-1].reason == "ok"


def test_register_page_shows_the_ineligibility_refusal(app, staff, world, add_candidate):
    candidate = add_candidate(world.election_id, deposit_paid=False)

    response = staff.post(f"/commission/candidates/{candidate.id}/register", data={"confirm": "y"})

    assert response.status_code == 422
    assert "does not meet the requirements" in text(response)
    with app.app_context():
        assert db.session.get(Candidate, candidate.id).status == "submitted"


def test_refuse_page_ticks_the_current_violations(staff, world, add_candidate):
    candidate = add_candidate(world.election_id, deposit_paid=False)

    page = text(staff.get(f"/commission/candidates/{candidate.id}/refuse"))

    ticked = re.findall(r'<input checked[^>]*value="([a-z_]+)"', page)
    assert ticked == ["deposit_unpaid"]


def test_refuse_page_with_grounds_stores_them_and_the_candidate_page_shows_them(
    app, staff, world, add_candidate
):
    candidate = add_candidate(world.election_id)

    response = staff.post(
        f"/commission/candidates/{candidate.id}/refuse",
        data={"grounds": ["early_campaigning", "abuse_of_office"], "confirm": "y"},
    )

    assert response.status_code == 302, text(response)
    with app.app_context():
        found = db.session.get(Candidate, candidate.id)
        assert found.status == "refused"
        assert found.grounds == ["early_campaigning", "abuse_of_office"]
    page = text(staff.get(response.headers["Location"]))
    assert "Grounds of the decision" in page
    assert "The candidate campaigned before registration closed." in page
    assert "The candidate abused their office." in page
    assert "art. 113-5" in page


def test_refuse_page_without_grounds_for_an_eligible_candidate_is_422(
    app, staff, world, add_candidate
):
    candidate = add_candidate(world.election_id)

    response = staff.post(f"/commission/candidates/{candidate.id}/refuse", data={"confirm": "y"})

    assert response.status_code == 422
    assert "Name the grounds" in text(response)
    with app.app_context():
        assert db.session.get(Candidate, candidate.id).status == "submitted"


def test_withdraw_page_requires_a_reason(app, staff, world, add_candidate):
    candidate = add_candidate(world.election_id, status="registered")
    url = f"/commission/candidates/{candidate.id}/withdraw"

    without = staff.post(url, data={"confirm": "y"})
    with_reason = staff.post(url, data={"confirm": "y", "reason": "Moved abroad"})

    assert without.status_code == 422
    assert with_reason.status_code == 302
    with app.app_context():
        assert db.session.get(Candidate, candidate.id).status == "withdrawn"


def test_cancel_page_cancels_a_registration_with_grounds(app, staff, world, add_candidate):
    candidate = add_candidate(world.election_id, status="registered")
    url = f"/commission/candidates/{candidate.id}/cancel"

    without = staff.post(url, data={"confirm": "y"})
    with_grounds = staff.post(url, data={"confirm": "y", "grounds": "false_declaration"})

    assert without.status_code == 422
    assert with_grounds.status_code == 302
    with app.app_context():
        found = db.session.get(Candidate, candidate.id)
        assert (found.status, found.grounds) == ("registration_cancelled", ["false_declaration"])


# --- dates as they are written here (issue 11, defect 6) -------------------------------------


def test_the_birth_date_is_a_text_box_with_a_hint_in_the_pages_language(staff, world):
    """A date picker shows the browser's format (mm/dd/yyyy in English) on a Kazakh page."""
    page = f"/commission/elections/{world.election_id}/candidates/new"
    staff.get("/lang/kk")
    shown = text(staff.get(page))
    birth_date = re.search(r"<input[^>]*id=\"birth_date\"[^>]*>", shown).group(0)
    assert 'type="text"' in birth_date
    assert 'placeholder="кк.аа.жжжж"' in birth_date
    assert 'type="date"' not in shown
    staff.get("/lang/ru")
    assert 'placeholder="дд.мм.гггг"' in text(staff.get(page))


def test_a_birth_date_written_day_first_is_saved(app, staff, world):
    fields = form_fields()
    iso = fields["birth_date"]
    fields["birth_date"] = f"{iso[8:10]}.{iso[5:7]}.{iso[0:4]}"

    response = staff.post(f"/commission/elections/{world.election_id}/candidates/new", data=fields)

    assert response.status_code == 302, text(response)
    assert candidate_of(app, fields["iin"]).birth_date.isoformat() == iso


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("kk", "Күнді кк.аа.жжжж түрінде жазыңыз, мысалы 31.12.1990."),
        ("ru", "Укажите дату в виде дд.мм.гггг, например 31.12.1990."),
    ],
)
def test_a_date_that_is_not_one_is_refused_beside_its_field(staff, world, language, message):
    staff.get(f"/lang/{language}")
    response = staff.post(
        f"/commission/elections/{world.election_id}/candidates/new",
        data=form_fields(birth_date="31.02.1990"),
    )

    assert response.status_code == 422
    shown = text(response)
    assert message in shown
    assert 'value="31.02.1990"' in shown  # what was typed stays in the box


def test_candidate_page_shows_what_the_commission_checks_with_sources(staff, world, add_candidate):
    candidate = add_candidate(
        world.election_id,
        self_nominated=True,
        qualification_met=None,
        qualification_note=None,
    )

    page = text(staff.get(f"/commission/candidates/{candidate.id}?lang=ru"))

    assert 'data-qualification="unchecked"' in page
    assert "ещё не проверено" in page
    items = dict(re.findall(r'<li data-check="([a-z_]+)"[^>]*>(.*?)</li>', page, re.S))
    assert list(items)[:3] == ["qualification", "age", "education"]
    assert "signature_check_protocol" not in items
    assert "протокол проверки подписных листов" in items["documents"]
    assert "справка налогового органа" in items["documents"]
    assert "ст. 36-2" in items["qualification"]
    for key in ("min_experience_years", "max_consecutive_terms", "signature_settlement_share"):
        assert "Правило без подтверждённого источника" in items[key]
    assert all("Источник: " in item for item in items.values())
    assert re.search(r'data-check="max_consecutive_terms" data-unconfirmed', page)


def test_nomination_form_shows_what_the_commission_checks_for_either_nominee(staff, world):
    page = text(staff.get(f"/commission/elections/{world.election_id}/candidates/new"))

    items = dict(re.findall(r'<li data-check="([a-z_]+)"[^>]*>(.*?)</li>', page, re.S))
    assert "extract of the party's decision" in items["documents"]
    assert "signature-check protocol" in items["documents"]
    assert "tax authority's certificate" in items["documents"]
    assert "signatures" in items
    assert all("Source: " in item for item in items.values())
    assert 'name="qualification_met"' in page
    assert 'name="doc_tax_certificate"' in page
    assert 'name="doc_signature_check_protocol"' in page
