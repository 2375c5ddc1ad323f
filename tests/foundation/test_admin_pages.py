"""The CEC's HTML admin pages: who may open them, and the forms behind them."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from elections.core.extensions import db
from elections.territory.models import Election, Precinct, Unit
from tests.foundation.support import audit_count

PAGES = ["/admin/units", "/admin/parties", "/admin/elections", "/admin/elections/{election_id}"]


def page_url(world, template: str) -> str:
    return template.format(election_id=world.election_id)


@pytest.mark.parametrize("template", PAGES)
def test_anonymous_visitor_is_sent_to_the_login_page(client, world, template):
    url = page_url(world, template)
    response = client.get(url)
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/login"
    assert parse_qs(location.query) == {"next": [url]}


@pytest.mark.parametrize("role", ["territorial_member", "territorial_chair", "precinct_secretary"])
@pytest.mark.parametrize("template", PAGES)
def test_other_roles_get_403(client, world, login, template, role):
    login(world.users[role])
    response = client.get(page_url(world, template))
    assert response.status_code == 403
    assert response.mimetype == "text/html"


@pytest.mark.parametrize("template", PAGES)
def test_cec_admin_opens_the_page(client, world, login, template):
    login(world.users["cec_admin"])
    response = client.get(page_url(world, template))
    assert response.status_code == 200
    assert response.mimetype == "text/html"


def test_a_bearer_token_does_not_open_html_pages(client, world, token_for):
    response = client.get("/admin/units", headers=token_for(world.users["cec_admin"]))
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/login"


UNIT_FORM = {
    "kato": "799999999",
    "parent_kato": "",
    "kind": "district",
    "name_kk": "Жаңа аудан",
    "name_ru": "Новый район",
}


@pytest.mark.parametrize("who", [None, "territorial_chair"], ids=["anonymous", "chair"])
def test_a_refused_form_post_saves_nothing(app, client, world, login, who):
    if who:
        login(world.users[who])
    before = audit_count(app)
    response = client.post("/admin/units", data={**UNIT_FORM, "parent_kato": world.region})
    assert response.status_code == (403 if who else 302)
    assert audit_count(app) == before
    with app.app_context():
        assert db.session.execute(select(Unit).where(Unit.kato == "799999999")).first() is None


def test_cec_admin_adds_a_unit_through_the_form(app, client, world, login):
    login(world.users["cec_admin"])
    response = client.post("/admin/units", data={**UNIT_FORM, "parent_kato": world.region})
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/units"
    page = client.get("/admin/units").get_data(as_text=True)
    assert "799999999" in page and "Жаңа аудан" in page
    with app.app_context():
        unit = db.session.execute(select(Unit).where(Unit.kato == "799999999")).scalar_one()
        assert unit.parent.kato == world.region


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kato": "12345678"}, "9 digits"),
        ({"kato": "12345678\n"}, "9 digits"),
        ({"parent_kato": ""}, "Name the parent unit"),
        ({"name_kk": "ә" * 201}, "200"),
    ],
    ids=["kato of 8 digits", "kato with a newline", "district without parent", "long name"],
)
def test_a_bad_unit_form_is_shown_again_with_the_error(client, world, login, change, message):
    client.set_cookie("lang", "en")
    login(world.users["cec_admin"])
    data = {**UNIT_FORM, "parent_kato": world.region, **change}
    response = client.post("/admin/units", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_calling_an_election_with_the_wrong_profile_is_shown_on_the_form(app, client, world, login):
    client.set_cookie("lang", "en")
    login(world.users["cec_admin"])
    data = {
        "unit_kato": world.rural,
        "kind": "rural",
        "called_on": "2026-07-10",
        "election_day": "2026-09-06",
        "profile": "district-2023",
    }
    response = client.post("/admin/elections", data=data)
    assert response.status_code == 422
    assert "another kind of election" in response.get_data(as_text=True)
    response = client.post("/admin/elections", data={**data, "profile": ""})
    assert response.status_code == 302
    with app.app_context():
        keys = db.session.execute(select(Election.profile_key)).scalars().all()
    assert "rural-2023" in keys


def test_an_election_called_with_too_little_lead_time_is_shown_on_the_form(
    app, client, world, login
):
    client.set_cookie("lang", "en")
    login(world.users["cec_admin"])
    data = {
        "unit_kato": world.rural,
        "kind": "rural",
        "called_on": "2026-07-10",
        "election_day": "2026-08-18",  # 39 days: a rural election is called 40 days ahead
        "profile": "",
    }
    with app.app_context():
        before = db.session.execute(select(Election.id)).scalars().all()
    response = client.post("/admin/elections", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Election day must be" in page and "or later" in page
    with app.app_context():
        assert db.session.execute(select(Election.id)).scalars().all() == before


@pytest.mark.parametrize(
    ("number", "status"),
    [("7", 302), ("0", 422), ("99999999999999999999", 422)],
    ids=["a precinct", "number 0", "a number no column holds"],
)
def test_adding_a_precinct_through_the_form(app, client, world, login, number, status):
    login(world.users["cec_admin"])
    data = {
        "number": number,
        "unit_kato": world.village_b,
        "voters_on_list": "640",
        "address": "Орталық көшесі 5",
    }
    response = client.post(f"/admin/elections/{world.election_id}", data=data)
    assert response.status_code == status
    with app.app_context():
        numbers = db.session.execute(
            select(Precinct.number).where(Precinct.election_id == world.election_id)
        ).scalars()
        assert (7 in set(numbers)) == (status == 302)


def test_an_unknown_election_page_is_a_friendly_404(client, world, login):
    login(world.users["cec_admin"])
    response = client.get("/admin/elections/999999")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
