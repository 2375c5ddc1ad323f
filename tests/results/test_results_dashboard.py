"""The commission's results dashboard: missing precincts, certification and corrections."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from elections.core.extensions import db
from elections.results.models import Correction, ResultVersion
from elections.territory.models import Election
from tests.results.support import certify


@pytest.fixture
def two_candidates(world, add_candidates):
    return add_candidates(world.election_id, 2)


@pytest.fixture
def all_reported(world, two_candidates, save):
    c1, c2 = two_candidates
    save(world.precinct_a, {c1: 500, c2: 250}, invalid=8, against_all=40)
    save(world.precinct_b, {c1: 100, c2: 300}, invalid=2, against_all=10)
    return two_candidates


def url_of(world):
    return f"/commission/elections/{world.election_id}/results"


def state_of(app, election_id):
    with app.app_context():
        return db.session.get(Election, election_id).state


def certify_button(text):
    return re.search(r'<button[^>]*name="action" value="certify"', text)


def test_dashboard_lists_the_precincts_still_missing(client, world, two_candidates, save, login):
    c1, c2 = two_candidates
    save(world.precinct_a, {c1: 5, c2: 3})
    login(world.users["territorial_member"])

    response = client.get(url_of(world))

    assert response.status_code == 200
    text = response.get_data(as_text=True)
    missing = re.findall(r'<li data-precinct="(\d+)"', text)
    assert missing == [str(world.precinct_b)]


def test_dashboard_lists_no_missing_precincts_once_all_reported(client, world, all_reported, login):
    login(world.users["territorial_member"])
    text = client.get(url_of(world)).get_data(as_text=True)
    assert "data-precinct=" not in text


def test_only_the_chair_gets_the_certify_button(client, world, all_reported, login):
    login(world.users["territorial_chair"])
    text = client.get(url_of(world) + "?lang=en").get_data(as_text=True)
    assert certify_button(text)
    assert "Only the chair of the commission certifies" not in text


def test_a_member_sees_the_note_instead_of_the_certify_button(client, world, all_reported, login):
    login(world.users["territorial_member"])
    text = client.get(url_of(world) + "?lang=en").get_data(as_text=True)
    assert not certify_button(text)
    assert "Only the chair of the commission certifies" in text


def test_a_member_posting_certify_is_403(app, client, world, all_reported, login):
    login(world.users["territorial_member"])

    response = client.post(url_of(world), data={"action": "certify", "certify-confirm": "y"})

    assert response.status_code == 403
    assert state_of(app, world.election_id) == "open"


def test_another_commission_cannot_open_the_dashboard(client, world, all_reported, login):
    login(world.users["other_member"])
    assert client.get(url_of(world)).status_code == 404


def test_the_dashboard_needs_a_sign_in(client, world):
    response = client.get(url_of(world))
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_the_chair_certifies_from_the_dashboard(app, client, world, all_reported, login):
    login(world.users["territorial_chair"])

    response = client.post(url_of(world), data={"action": "certify", "certify-confirm": "y"})

    assert response.status_code == 302
    assert response.headers["Location"].endswith(url_of(world))
    assert state_of(app, world.election_id) == "certified"
    with app.app_context():
        [version] = db.session.execute(select(ResultVersion)).scalars().all()
        assert (version.election_id, version.version) == (world.election_id, 1)
    text = client.get(url_of(world)).get_data(as_text=True)
    assert version.digest[:16] in text
    assert not certify_button(text)
    assert re.search(r'<button[^>]*name="action" value="correct"', text)


def test_certify_without_confirming_is_refused(app, client, world, all_reported, login):
    login(world.users["territorial_chair"])
    response = client.post(url_of(world), data={"action": "certify"})
    assert response.status_code == 422
    assert state_of(app, world.election_id) == "open"


def test_certify_from_the_dashboard_with_a_precinct_missing_is_409(
    app, client, world, two_candidates, save, login
):
    c1, c2 = two_candidates
    save(world.precinct_a, {c1: 5, c2: 3})
    login(world.users["territorial_chair"])

    response = client.post(url_of(world), data={"action": "certify", "certify-confirm": "y"})

    assert response.status_code == 409
    assert 'role="alert"' in response.get_data(as_text=True)
    assert state_of(app, world.election_id) == "open"


def test_the_chair_opens_a_correction_from_the_dashboard(
    app, client, world, all_reported, login, chair
):
    assert certify(client, chair, world.election_id).status_code == 200
    login(world.users["territorial_chair"])

    response = client.post(
        url_of(world),
        data={"action": "correct", "correct-reason": "Recount in B", "correct-confirm": "y"},
    )

    assert response.status_code == 302
    assert state_of(app, world.election_id) == "open"
    with app.app_context():
        [correction] = db.session.execute(select(Correction)).scalars().all()
        assert (correction.after_version, correction.reason) == (1, "Recount in B")
    assert certify_button(client.get(url_of(world)).get_data(as_text=True))


def test_a_correction_without_a_reason_is_refused_on_the_dashboard(
    app, client, world, all_reported, login, chair
):
    assert certify(client, chair, world.election_id).status_code == 200
    login(world.users["territorial_chair"])

    response = client.post(url_of(world), data={"action": "correct", "correct-confirm": "y"})

    assert response.status_code == 422
    assert state_of(app, world.election_id) == "certified"
