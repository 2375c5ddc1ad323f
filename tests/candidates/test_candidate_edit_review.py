"""The review of candidate editing: oversized numbers, invisible characters in names, the
500 page after a failed flush, and the status answer kept out of caches."""

from __future__ import annotations

import html
import re
import unicodedata

import pytest

from elections import create_app
from elections.auth.models import User
from elections.candidates.models import Candidate
from elections.core.extensions import db
from elections.web.access import public
from tests.candidates.test_candidate_edit import form_of, patch, stored
from tests.factories import PASSWORD, nomination_body, party_nomination, self_nomination


def fields(response) -> list[str]:
    return [item.get("field") for item in response.json["errors"]]


def nominate(client, headers, election_id, body):
    return client.post(f"/api/v1/elections/{election_id}/candidates", json=body, headers=headers)


@pytest.fixture
def staff(world, login):
    client = login(world.users["territorial_member"])
    client.get("/lang/en")
    return client


# --- numbers too big for the database: a field error, never an OverflowError -----------------


@pytest.mark.parametrize(
    ("nomination", "field"),
    [
        ({"party_id": 10**30}, "nomination.party_id"),
        ({"party_id": 2**31}, "nomination.party_id"),
        ({"party_id": 0}, "nomination.party_id"),
        (
            {"type": "self", "signatures_valid": 10**30, "settlements_covered": 1},
            "nomination.signatures_valid",
        ),
        (
            {"type": "self", "signatures_valid": 1, "settlements_covered": 2**31},
            "nomination.settlements_covered",
        ),
    ],
)
def test_a_patch_with_an_oversized_number_is_a_field_error(
    app, client, world, member, add_candidate, nomination, field
):
    candidate = add_candidate(world.election_id)

    response = patch(client, member, candidate.id, {"nomination": nomination})

    assert response.status_code == 422, response.json
    assert field in fields(response)
    assert stored(app, candidate.id).nomination_type == "party"


@pytest.mark.parametrize(
    ("nomination", "field"),
    [
        (party_nomination(10**30), "nomination.party_id"),
        (self_nomination(10**30, 1), "nomination.signatures_valid"),
        (self_nomination(20, 10**30), "nomination.settlements_covered"),
    ],
)
def test_a_nomination_with_an_oversized_number_is_a_field_error(
    app, client, world, member, nomination, field
):
    response = nominate(client, member, world.election_id, nomination_body(nomination))

    assert response.status_code == 422, response.json
    assert field in fields(response)
    with app.app_context():
        assert db.session.query(Candidate).filter_by(election_id=world.election_id).count() == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"party_id": "99999999999999999999"}, "party_id"),
        (
            {"nomination_type": "self", "signatures_valid": "99999999999999999999"},
            "signatures_valid",
        ),
        (
            {"nomination_type": "self", "settlements_covered": "2147483648"},
            "settlements_covered",
        ),
        ({"consecutive_terms_in_post": "99999999999999999999"}, "consecutive_terms_in_post"),
    ],
)
def test_oversized_numbers_in_the_forms_are_shown_at_their_field(
    staff, world, add_candidate, overrides, field
):
    candidate = add_candidate(world.election_id)
    edit_url = f"/commission/candidates/{candidate.id}/edit"
    values = form_of(staff.get(edit_url).get_data(as_text=True))
    new_url = f"/commission/elections/{world.election_id}/candidates/new"
    staff.get("/lang/ru")

    edited = staff.post(edit_url, data={**values, **overrides})
    nominated = staff.post(new_url, data={**values, **overrides})

    for response in (edited, nominated):
        page_html = html.unescape(response.get_data(as_text=True))
        assert response.status_code == 422
        message = re.search(rf'id="{field}-error">([^<]+)<', page_html)
        assert message and re.search("[а-яА-Я]", message.group(1)), page_html[-3000:]


# --- the 500 page after a failed flush --------------------------------------------------------


def test_the_500_page_rolls_back_a_failed_flush_before_it_renders(app, world, add_candidate):
    """A flush that fails outside the database's own errors (here a value no column type
    binds) leaves the session needing a rollback; the page of apology must still render."""
    candidate = add_candidate(world.election_id)
    broken = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SECRET_KEY": "test-secret-not-for-production",
            "WTF_CSRF_ENABLED": False,
            "SESSION_COOKIE_SECURE": False,
            "PROPAGATE_EXCEPTIONS": False,
        }
    )

    @public
    def fails_in_flush():
        found = db.session.get(Candidate, candidate.id)
        found.created_at = object()  # no column binds it: the flush fails, not the database
        db.session.flush()
        return "unreachable"

    broken.add_url_rule("/_test/fails-in-flush", view_func=fails_in_flush)
    client = broken.test_client()
    with broken.app_context():
        username = db.session.get(User, world.users["territorial_member"]).username
    signed_in = client.post("/login", data={"username": username, "password": PASSWORD})
    assert signed_in.status_code == 302  # the page's header then names the signed-in user

    response = client.get("/_test/fails-in-flush?lang=en")

    assert response.status_code == 500
    assert "Nothing was saved." in response.get_data(as_text=True)
    assert username in response.get_data(as_text=True)
    with broken.app_context():
        db.engine.dispose()


# --- names: no invisible or direction characters, NFC -----------------------------------------


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("last_name", "Ахмет\u202eова"),  # RIGHT-TO-LEFT OVERRIDE (Cf)
        ("first_name", "Дана\u200b"),  # ZERO WIDTH SPACE (Cf)
        ("first_name", "Да\u200cна"),  # ZERO WIDTH NON-JOINER (Cf): Kazakh needs none
        ("last_name", "a\x85b"),  # NEXT LINE, a C1 control (Cc)
        ("patronymic", "\ue000"),  # private use (Co)
        ("patronymic", "\ud800"),  # a lone surrogate (Cs)
        ("last_name", "\ufeffАхметова"),  # BOM (Cf)
    ],
)
def test_names_with_invisible_or_control_characters_are_refused(
    app, client, world, member, add_candidate, name, value
):
    candidate = add_candidate(world.election_id)
    before = stored(app, candidate.id)

    response = patch(client, member, candidate.id, {name: value}, lang="ru")
    nominated = nominate(
        client, member, world.election_id, nomination_body(self_nomination(20, 1), **{name: value})
    )

    for answer in (response, nominated):
        assert answer.status_code == 422, answer.json
        [error] = [e for e in answer.json["errors"] if e.get("field") == name]
        assert re.search("[а-яА-Я]", error["message"]), error
    after = stored(app, candidate.id)
    assert (after.last_name, after.first_name, after.patronymic) == (
        before.last_name,
        before.first_name,
        before.patronymic,
    )


def test_names_are_stored_nfc(app, client, world, member, add_candidate):
    candidate = add_candidate(world.election_id)
    decomposed = "Сеи\u0306ткали"  # и + combining breve: the same name as Сейткали

    response = patch(client, member, candidate.id, {"last_name": decomposed})

    assert response.status_code == 200, response.json
    assert stored(app, candidate.id).last_name == "Сейткали"
    assert response.json["last_name"] == unicodedata.normalize("NFC", decomposed)


def test_the_form_refuses_a_direction_override_in_the_pages_language(
    app, staff, world, add_candidate
):
    candidate = add_candidate(world.election_id)
    url = f"/commission/candidates/{candidate.id}/edit"
    values = form_of(staff.get(url).get_data(as_text=True))
    staff.get("/lang/kk")

    response = staff.post(url, data={**values, "last_name": "a\u202eb", "first_name": "a\x85b"})

    page_html = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    for field in ("last_name", "first_name"):
        message = re.search(rf'id="{field}-error">([^<]+)<', page_html)
        assert message and re.search("[әғқңөұүһі]", message.group(1).lower()), field
    assert stored(app, candidate.id).last_name == values["last_name"]


# --- the status answer is never cached ---------------------------------------------------------


def test_the_status_answer_page_is_not_stored_by_browsers(client, world, add_candidate):
    candidate = add_candidate(world.election_id)

    answer = client.post(
        "/status",
        data={"application_number": candidate.application_number, "iin": candidate.iin},
        follow_redirects=True,
    )
    api = client.post(
        "/api/v1/status",
        json={"application_number": candidate.application_number, "iin": candidate.iin},
    )

    assert answer.status_code == 200
    assert candidate.application_number in answer.get_data(as_text=True)
    assert "no-store" in answer.headers.get("Cache-Control", "")
    assert api.status_code == 200
    assert "no-store" in api.headers.get("Cache-Control", "")


# --- the PATCH's documented shape is what it accepts -------------------------------------------


def _resolve(document: dict, schema: dict) -> dict:
    while "$ref" in schema or "allOf" in schema:
        if "allOf" in schema:
            schema = schema["allOf"][0]
            continue
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def test_the_patch_is_documented_partial_down_to_its_nested_objects(
    app, client, world, member, add_candidate
):
    document = client.get("/api/v1/openapi.json").json
    operation = document["paths"]["/candidates/{candidate_id}"]["patch"]
    body = _resolve(document, operation["requestBody"]["content"]["application/json"]["schema"])
    nomination = _resolve(document, body["properties"]["nomination"])
    documents = _resolve(document, body["properties"]["documents"])
    candidate = add_candidate(world.election_id)

    # As documented: a nested object with one key of its own.
    answer = patch(
        client,
        member,
        candidate.id,
        {"nomination": {"party_member": False}, "documents": {"declarations": False}},
    )

    assert "required" not in body
    assert "required" not in nomination and {"party_id", "party_member"} <= set(
        nomination["properties"]
    )
    assert "required" not in documents and "biography" in documents["properties"]
    assert answer.status_code == 200, answer.json
    assert answer.json["nomination"]["party_member"] is False
    assert answer.json["documents"]["declarations"] is False
    # The nomination's own body is still documented whole.
    nominate_op = document["paths"]["/elections/{election_id}/candidates"]["post"]
    full = _resolve(document, nominate_op["requestBody"]["content"]["application/json"]["schema"])
    assert "nomination" in full["required"]
    assert "type" in _resolve(document, full["properties"]["nomination"])["required"]


def test_one_list_of_fields_serves_the_body_the_form_and_the_api_answer(
    app, client, world, member, add_candidate
):
    from elections.candidates.forms import FORM_FIELDS, NominationForm
    from elections.candidates.models import NOMINATION_FIELDS
    from elections.candidates.schemas import CandidateOut, NominationIn
    from elections.candidates.services import nomination_body

    candidate = add_candidate(world.election_id)
    with app.test_request_context():
        form_fields = {field.name for field in NominationForm(meta={"csrf": False})}
        body = nomination_body(db.session.get(Candidate, candidate.id))
    answer = client.get(f"/api/v1/candidates/{candidate.id}", headers=member).json

    assert form_fields - {"shown"} == set(FORM_FIELDS)
    assert set(body) == set(NominationIn._declared_fields) == {*NOMINATION_FIELDS, "nomination"}
    assert set(NOMINATION_FIELDS) <= set(CandidateOut._declared_fields)
    assert {name: answer[name] for name in NOMINATION_FIELDS if name != "documents"} == {
        name: body[name] for name in NOMINATION_FIELDS if name != "documents"
    }
