"""Editing while a colleague edits, and editing after the deadlines.

The edit page carries the stored body it showed and sends only the fields the user changed:
a colleague's change to another field stands; a field both changed is a 409 that shows the
value saved now and keeps what was typed. A PATCH after registration closes (or in an
election no longer open) is 409 ``registration_closed``; changing the person after
nomination closes is 409 ``nomination_closed``.
"""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest

from elections.core.extensions import db
from elections.territory.models import Election
from tests.candidates.conftest import NOMINATION_CLOSES, REGISTRATION_CLOSES
from tests.candidates.test_candidate_edit import form_of, patch, stored, update_events
from tests.factories import fresh_iin

SECOND = timedelta(seconds=1)


@pytest.fixture
def staff(world, login):
    client = login(world.users["territorial_member"])
    client.get("/lang/en")
    return client


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def field_error(page_html: str, name: str) -> str | None:
    found = re.search(rf'id="{name}-error">([^<]+)<', page_html)
    return found.group(1) if found else None


# --- a colleague's change meanwhile --------------------------------------------------------------


def test_a_save_sends_only_what_was_changed_so_a_colleagues_change_stands(
    app, staff, world, member, add_candidate
):
    candidate = add_candidate(world.election_id, special_check="pending")
    url = f"/commission/candidates/{candidate.id}/edit"
    values = form_of(staff.get(url).get_data(as_text=True))  # member A opens the form

    colleague = patch(
        staff.application.test_client(), member, candidate.id, {"special_check": "passed"}
    )
    saved = staff.post(url, data={**values, "deposit_paid": ""})  # A unticks the deposit

    assert colleague.status_code == 200
    assert saved.status_code == 302
    after = stored(app, candidate.id)
    assert (after.special_check, after.deposit_paid) == ("passed", False)
    assert [event["changes"] for event in update_events(app, candidate.id)] == [
        {"special_check": {"old": "pending", "new": "passed"}},
        {"deposit_paid": {"old": True, "new": False}},
    ]


def test_a_field_both_changed_is_409_showing_the_saved_value_and_keeping_the_typed_ones(
    app, staff, world, member, add_candidate
):
    candidate = add_candidate(world.election_id, special_check="pending")
    url = f"/commission/candidates/{candidate.id}/edit"
    values = form_of(staff.get(url).get_data(as_text=True))
    patch(
        staff.application.test_client(),
        member,
        candidate.id,
        {"special_check": "passed", "consecutive_terms_in_post": 1},
    )
    staff.get("/lang/ru")

    clash = staff.post(url, data={**values, "special_check": "failed", "first_name": "Дана"})

    page_html = page_text(clash)
    assert clash.status_code == 409
    assert 'lang="ru"' in page_html
    assert "Кто-то другой изменил это заявление" in page_html
    assert field_error(page_html, "special_check") == "Сохранено тем временем: пройдена"
    reopened = form_of(clash.get_data(as_text=True))
    assert reopened["special_check"] == "failed"  # what A typed is kept
    assert reopened["first_name"] == "Дана"
    assert reopened["consecutive_terms_in_post"] == "1"  # the colleague's, not A's stale 0
    after = stored(app, candidate.id)
    assert (after.special_check, after.first_name) == ("passed", "Динара")

    # A has now seen the saved value: saving again applies A's choice and keeps B's other one.
    again = staff.post(url, data=reopened)

    assert again.status_code == 302
    after = stored(app, candidate.id)
    assert (after.special_check, after.first_name, after.consecutive_terms_in_post) == (
        "failed",
        "Дана",
        1,
    )


def test_a_form_without_what_it_showed_saves_nothing_and_asks_to_check(
    app, staff, world, add_candidate
):
    candidate = add_candidate(world.election_id)
    url = f"/commission/candidates/{candidate.id}/edit"
    values = form_of(staff.get(url).get_data(as_text=True))

    response = staff.post(url, data={**values, "shown": "not json", "deposit_paid": ""})

    assert response.status_code == 409
    assert "This form is out of date." in page_text(response)
    assert form_of(response.get_data(as_text=True))["shown"].startswith("{")
    assert stored(app, candidate.id).deposit_paid is True


# --- deadlines ---------------------------------------------------------------------------------


@pytest.fixture
def dated_member(dated_world, token_for):
    return token_for(dated_world.users["territorial_member"])


def codes(response) -> list[str]:
    return [item["code"] for item in response.json["errors"]]


def test_a_patch_after_registration_closes_is_409_registration_closed(
    app, client, dated_world, dated_member, add_candidate, clock
):
    candidate = add_candidate(dated_world.election_id, special_check="pending")
    clock(REGISTRATION_CLOSES - SECOND)
    last_second = patch(client, dated_member, candidate.id, {"deposit_paid": False})
    clock(REGISTRATION_CLOSES)

    late = patch(client, dated_member, candidate.id, {"special_check": "passed"})

    assert last_second.status_code == 200, last_second.json
    assert late.status_code == 409
    assert codes(late) == ["registration_closed"]
    assert stored(app, candidate.id).special_check == "pending"


@pytest.mark.parametrize("state", ["invalid", "certified"])
def test_a_patch_in_an_election_no_longer_open_is_409_registration_closed(
    app, client, dated_world, dated_member, add_candidate, state
):
    candidate = add_candidate(dated_world.election_id, special_check="pending")
    with app.app_context():
        db.session.get(Election, dated_world.election_id).state = state
        db.session.commit()

    response = patch(client, dated_member, candidate.id, {"special_check": "passed"})

    assert response.status_code == 409
    assert codes(response) == ["registration_closed"]
    assert stored(app, candidate.id).special_check == "pending"


def test_after_nomination_closes_the_person_cannot_change_but_other_facts_can(
    app, client, dated_world, dated_member, add_candidate, clock
):
    candidate = add_candidate(dated_world.election_id, special_check="pending")
    new_iin, new_birth_date = fresh_iin("female")
    clock(NOMINATION_CLOSES)

    person = patch(
        client,
        dated_member,
        candidate.id,
        {"iin": new_iin, "birth_date": new_birth_date.isoformat()},
    )
    facts = patch(
        client, dated_member, candidate.id, {"special_check": "passed", "last_name": "Ахметқызы"}
    )

    assert person.status_code == 409
    assert codes(person) == ["nomination_closed", "nomination_closed"]
    assert sorted(item["field"] for item in person.json["errors"]) == ["birth_date", "iin"]
    assert facts.status_code == 200, facts.json
    after = stored(app, candidate.id)
    assert (after.iin, after.special_check, after.last_name) == (
        candidate.iin,
        "passed",
        "Ахметқызы",
    )


def test_the_edit_page_says_registration_has_closed_and_shows_no_form(
    app, dated_world, login, add_candidate, clock
):
    candidate = add_candidate(dated_world.election_id, special_check="pending")
    staff = login(dated_world.users["territorial_member"])
    staff.get("/lang/ru")
    url = f"/commission/candidates/{candidate.id}/edit"
    values = form_of(staff.get(url).get_data(as_text=True))
    clock(REGISTRATION_CLOSES)

    opened = staff.get(url)
    posted = staff.post(url, data={**values, "special_check": "passed"})

    for response, status in ((opened, 200), (posted, 409)):
        page_html = page_text(response)
        assert response.status_code == status
        assert 'data-closed="registration_closed"' in page_html
        assert "Регистрация кандидатов завершена" in page_html
        assert 'name="iin"' not in page_html
    assert stored(app, candidate.id).special_check == "pending"


def test_after_nomination_closes_the_edit_page_fixes_the_person(
    app, dated_world, login, add_candidate, clock
):
    candidate = add_candidate(dated_world.election_id, special_check="pending")
    staff = login(dated_world.users["territorial_member"])
    staff.get("/lang/en")
    url = f"/commission/candidates/{candidate.id}/edit"
    clock(NOMINATION_CLOSES)
    opened = staff.get(url)
    values = form_of(opened.get_data(as_text=True))
    other_iin, other_birth_date = fresh_iin("female")

    forged = staff.post(
        url,
        data={**values, "iin": other_iin, "birth_date": other_birth_date.strftime("%d.%m.%Y")},
    )
    saved = staff.post(url, data={**values, "special_check": "passed"})

    opened_html = page_text(opened)
    assert "data-person-fixed" in opened_html
    assert re.search(r'<input[^>]*id="iin"[^>]*readonly', opened_html)
    assert forged.status_code == 409
    assert "Nomination has closed" in (field_error(page_text(forged), "iin") or "")
    assert saved.status_code == 302
    after = stored(app, candidate.id)
    assert (after.iin, after.special_check) == (candidate.iin, "passed")


def test_a_value_the_form_shows_rounded_is_not_taken_as_a_change(
    app, staff, world, member, add_candidate
):
    candidate = add_candidate(world.election_id, special_check="pending")
    patch(staff.application.test_client(), member, candidate.id, {"work_experience_years": 6.25})
    url = f"/commission/candidates/{candidate.id}/edit"
    values = form_of(staff.get(url).get_data(as_text=True))

    saved = staff.post(url, data={**values, "special_check": "passed"})

    assert saved.status_code == 302
    after = stored(app, candidate.id)
    assert (after.work_experience_years, after.special_check) == (6.25, "passed")
