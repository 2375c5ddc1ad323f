"""Who may reach candidates: the organising commission only; others get 404, 403 or 401."""

from __future__ import annotations

import pytest

from elections.candidates.models import Candidate
from elections.core.extensions import db
from tests.factories import nomination_body, self_nomination


def calls(world, candidate_id):
    """(method, url, json) for every candidate endpoint of the commission."""
    election = world.election_id
    return [
        (
            "post",
            f"/api/v1/elections/{election}/candidates",
            nomination_body(self_nomination(20, 1)),
        ),
        ("get", f"/api/v1/elections/{election}/candidates", None),
        ("get", f"/api/v1/candidates/{candidate_id}", None),
        ("post", f"/api/v1/candidates/{candidate_id}/decision", {"decision": "register"}),
        ("post", f"/api/v1/candidates/{candidate_id}/withdraw", {"reason": "x"}),
        (
            "post",
            f"/api/v1/candidates/{candidate_id}/cancel-registration",
            {"grounds": ["abuse_of_office"]},
        ),
    ]


CALL_IDS = ["nominate", "list", "show", "decide", "withdraw", "cancel"]


def send(client, method, url, body, headers):
    return getattr(client, method)(url, json=body, headers=headers)


@pytest.fixture
def other_chair(world, add_user):
    return add_user("territorial_chair", world.other_district)


@pytest.mark.parametrize("index", range(6), ids=CALL_IDS)
@pytest.mark.parametrize("who", ["other_member", "other_chair"])
def test_staff_of_another_commission_get_404(
    app, client, world, token_for, add_candidate, other_chair, index, who
):
    candidate = add_candidate(world.election_id)
    user_id = other_chair if who == "other_chair" else world.users["other_member"]
    method, url, body = calls(world, candidate.id)[index]

    response = send(client, method, url, body, token_for(user_id))

    assert response.status_code == 404
    assert response.json["errors"][0]["code"] == "not_found"
    with app.app_context():
        found = db.session.get(Candidate, candidate.id)
        assert found.status == "submitted"
        assert db.session.query(Candidate).filter_by(election_id=world.election_id).count() == 1


@pytest.mark.parametrize("index", range(6), ids=CALL_IDS)
@pytest.mark.parametrize("role", ["precinct_secretary", "cec_admin"])
def test_other_roles_get_403(client, world, token_for, add_candidate, index, role):
    candidate = add_candidate(world.election_id)
    method, url, body = calls(world, candidate.id)[index]

    response = send(client, method, url, body, token_for(world.users[role]))

    assert response.status_code == 403
    assert response.json["errors"][0]["code"] == "forbidden"


@pytest.mark.parametrize("index", range(6), ids=CALL_IDS)
def test_anonymous_gets_401(client, world, add_candidate, index):
    candidate = add_candidate(world.election_id)
    method, url, body = calls(world, candidate.id)[index]

    response = send(client, method, url, body, {})

    assert response.status_code == 401
    assert response.json["errors"][0]["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_bad_token_gets_401(client, world, add_candidate):
    candidate = add_candidate(world.election_id)

    response = client.get(
        f"/api/v1/candidates/{candidate.id}", headers={"Authorization": "Bearer not-a-token"}
    )

    assert response.status_code == 401


def test_organising_chair_reaches_the_candidate(client, world, token_for, add_candidate):
    candidate = add_candidate(world.election_id)

    response = client.get(
        f"/api/v1/candidates/{candidate.id}", headers=token_for(world.users["territorial_chair"])
    )

    assert response.status_code == 200
    assert response.json["application_number"] == candidate.application_number


def test_list_shows_only_this_elections_candidates_and_filters_by_status(
    client, world, member, add_candidate
):
    submitted = add_candidate(world.election_id)
    registered = add_candidate(world.election_id, status="registered")
    add_candidate(world.other_election_id)
    url = f"/api/v1/elections/{world.election_id}/candidates"

    everyone = client.get(url, headers=member).json
    only_registered = client.get(url, headers=member, query_string={"status": "registered"}).json

    assert {c["id"] for c in everyone} == {submitted.id, registered.id}
    assert [c["id"] for c in only_registered] == [registered.id]


HUGE_ID = 2**70  # past any INTEGER column; SQLite cannot even bind it


@pytest.mark.parametrize("action", ["", "/decision", "/withdraw", "/cancel-registration"])
def test_api_candidate_id_past_the_integer_range_is_404_not_500(client, world, member, action):
    method = client.get if action == "" else client.post
    body = None if action == "" else {"decision": "register", "reason": "x", "grounds": ["x"]}

    response = method(f"/api/v1/candidates/{HUGE_ID}{action}", json=body, headers=member)

    assert response.status_code == 404


@pytest.mark.parametrize("action", ["", "/register", "/refuse"])
def test_page_candidate_id_past_the_integer_range_is_404_not_500(client, world, login, action):
    staff = login(world.users["territorial_member"])

    assert staff.get(f"/commission/candidates/{HUGE_ID}{action}").status_code == 404
    if action:
        response = staff.post(f"/commission/candidates/{HUGE_ID}{action}", data={"confirm": "y"})
        assert response.status_code == 404
