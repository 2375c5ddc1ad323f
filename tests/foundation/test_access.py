"""Who may call what (api.md "Roles"), scope helpers, and the refusal of unguarded routes."""

from __future__ import annotations

import pytest
from flask import Blueprint, Flask

import elections
from elections import create_app
from elections.auth.access import ensure_organiser, ensure_precinct_access
from elections.auth.models import User
from elections.core.errors import ServiceError
from elections.core.extensions import db
from elections.territory.models import Election, Precinct
from elections.web.access import UnguardedRoute, check_all_routes_guarded, public, roles
from tests.foundation.support import audit_count, codes, errors_of

NON_ADMIN_ROLES = ["territorial_member", "territorial_chair", "precinct_secretary"]
SETUP_CALLS = ["units", "parties", "elections", "precincts"]


def setup_call(world, name: str) -> tuple[str, dict]:
    """A valid body for each cec_admin-only setup call."""
    return {
        "units": (
            "/api/v1/units",
            {
                "kato": "799999999",
                "parent_kato": world.region,
                "kind": "district",
                "name": {"kk": "Жаңа аудан", "ru": "Новый район"},
            },
        ),
        "parties": (
            "/api/v1/parties",
            {"name": {"kk": "Жаңа партия", "ru": "Новая партия"}, "short_name": "NEW"},
        ),
        "elections": (
            "/api/v1/elections",
            {
                "unit_kato": world.rural,
                "kind": "rural",
                "called_on": "2026-07-10",
                "election_day": "2026-09-06",
            },
        ),
        "precincts": (
            f"/api/v1/elections/{world.election_id}/precincts",
            {
                "number": 999,
                "unit_kato": world.village_a,
                "voters_on_list": 500,
                "address": "Мектеп көшесі 1",
            },
        ),
    }[name]


@pytest.mark.parametrize("call", SETUP_CALLS, ids=[f"POST /{c}" for c in SETUP_CALLS])
def test_cec_admin_may_make_the_setup_call(app, client, world, token_for, call):
    url, body = setup_call(world, call)
    headers = token_for(world.users["cec_admin"])
    before = audit_count(app)
    response = client.post(url, json=body, headers=headers)
    assert response.status_code == 201, response.json
    assert isinstance(response.json["id"], int)
    assert audit_count(app) == before + 1


@pytest.mark.parametrize("role", NON_ADMIN_ROLES)
@pytest.mark.parametrize("call", SETUP_CALLS, ids=[f"POST /{c}" for c in SETUP_CALLS])
def test_other_roles_are_forbidden_the_setup_call(app, client, world, token_for, call, role):
    url, body = setup_call(world, call)
    headers = token_for(world.users[role])
    before = audit_count(app)
    response = client.post(url, json=body, headers=headers)
    assert codes(errors_of(response, 403)) == ["forbidden"]
    assert audit_count(app) == before, "a refused call changes nothing"


@pytest.mark.parametrize("call", SETUP_CALLS, ids=[f"POST /{c}" for c in SETUP_CALLS])
def test_anonymous_setup_call_is_401_with_the_envelope(app, client, world, call):
    url, body = setup_call(world, call)
    before = audit_count(app)
    response = client.post(url, json=body)
    assert codes(errors_of(response, 401)) == ["unauthorized"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert audit_count(app) == before


PUBLIC_READS = [
    "/api/v1/units",
    "/api/v1/units?parent={region}",
    "/api/v1/parties",
    "/api/v1/elections",
    "/api/v1/elections/{election_id}",
    "/api/v1/elections/{election_id}/precincts",
]


@pytest.mark.parametrize("reader", [None, "precinct_secretary"], ids=["anonymous", "secretary"])
@pytest.mark.parametrize("template", PUBLIC_READS)
def test_reads_are_public(client, world, token_for, template, reader):
    url = template.format(region=world.region, election_id=world.election_id)
    headers = token_for(world.users[reader]) if reader else {}
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.is_json


def test_public_reads_show_the_world(client, world):
    children = client.get(f"/api/v1/units?parent={world.region}").json
    assert {unit["kato"] for unit in children} == {world.district, world.other_district}
    precincts = client.get(f"/api/v1/elections/{world.election_id}/precincts").json
    assert [p["id"] for p in precincts] == [world.precinct_a, world.precinct_b]
    assert [p["voters_on_list"] for p in precincts] == [1200, 800]


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("cec_admin", 200),
        ("territorial_member", 403),
        ("territorial_chair", 403),
        ("precinct_secretary", 403),
        (None, 401),
    ],
    ids=lambda value: str(value) if value is not None else "anonymous",
)
def test_audit_log_is_for_cec_admin_only(client, world, token_for, role, status):
    headers = token_for(world.users[role]) if role else {}
    response = client.get("/api/v1/audit", headers=headers)
    if status == 200:
        assert response.status_code == 200
        assert response.json["events"], "issuing the token was audited"
    else:
        errors_of(response, status)


# --- scope helpers --------------------------------------------------------------------------

ORGANISER_CASES = [
    ("territorial_member", "election_id", False, None, "member of the organising commission"),
    ("territorial_chair", "election_id", False, None, "chair of the organising commission"),
    ("territorial_chair", "election_id", True, None, "chair where the chair is needed"),
    ("territorial_member", "election_id", True, 403, "member where the chair is needed"),
    ("territorial_member", "other_election_id", False, 404, "member of another commission"),
    ("territorial_chair", "other_election_id", True, 404, "chair of another commission"),
    ("other_member", "election_id", True, 404, "wrong commission is 404 before the role"),
    ("other_member", "other_election_id", False, None, "the other commission, own election"),
    ("precinct_secretary", "election_id", False, 404, "precinct secretary"),
    ("cec_admin", "election_id", False, 404, "cec_admin does not organise"),
]


@pytest.mark.parametrize(
    ("user", "election", "chair", "status"),
    [c[:4] for c in ORGANISER_CASES],
    ids=[c[4] for c in ORGANISER_CASES],
)
def test_ensure_organiser(app, world, user, election, chair, status):
    with app.app_context():
        actor = db.session.get(User, world.users[user])
        target = db.session.get(Election, getattr(world, election))
        if status is None:
            ensure_organiser(actor, target, chair=chair)
        else:
            with pytest.raises(ServiceError) as refused:
                ensure_organiser(actor, target, chair=chair)
            assert refused.value.status == status


PRECINCT_CASES = [
    ("precinct_secretary", "precinct_a", None, "secretary of this precinct"),
    ("precinct_secretary", "precinct_b", 404, "secretary of another precinct, same election"),
    ("other_secretary", "precinct_a", 404, "the other secretary"),
    ("precinct_secretary", "other_precinct", 404, "secretary, precinct of another election"),
    ("territorial_member", "precinct_a", None, "organising commission, first precinct"),
    ("territorial_chair", "precinct_b", None, "organising commission, second precinct"),
    ("territorial_member", "other_precinct", 404, "precinct of an election it does not organise"),
    ("other_member", "precinct_a", 404, "member of another commission"),
    ("other_member", "other_precinct", None, "the other commission, own precinct"),
    ("cec_admin", "precinct_a", 404, "cec_admin"),
]


@pytest.mark.parametrize(
    ("user", "precinct", "status"),
    [c[:3] for c in PRECINCT_CASES],
    ids=[c[3] for c in PRECINCT_CASES],
)
def test_ensure_precinct_access(app, world, user, precinct, status):
    with app.app_context():
        actor = db.session.get(User, world.users[user])
        target = db.session.get(Precinct, getattr(world, precinct))
        if status is None:
            ensure_precinct_access(actor, target)
        else:
            with pytest.raises(ServiceError) as refused:
                ensure_precinct_access(actor, target)
            assert refused.value.status == status


# --- access rules are declared, and checked at start-up -------------------------------------


def unguarded_blueprint() -> Blueprint:
    blueprint = Blueprint("sneaky", __name__)

    @blueprint.get("/sneaky")
    def unguarded():
        return "nobody checked who may see this"

    @blueprint.get("/fine")
    @public
    def guarded():
        return "public on purpose"

    return blueprint


def test_check_all_routes_guarded_names_the_unguarded_endpoint():
    app = Flask("probe")
    app.register_blueprint(unguarded_blueprint())
    with pytest.raises(UnguardedRoute, match=r"sneaky\.unguarded") as refused:
        check_all_routes_guarded(app)
    assert "sneaky.guarded" not in str(refused.value)


def test_check_all_routes_guarded_accepts_declared_routes():
    app = Flask("probe")
    blueprint = Blueprint("tidy", __name__)
    blueprint.add_url_rule("/a", "a", public(lambda: "a"))
    blueprint.add_url_rule("/b", "b", roles("cec_admin")(lambda: "b"))
    app.register_blueprint(blueprint)
    check_all_routes_guarded(app)


def test_the_real_app_has_an_access_rule_on_every_route(app):
    check_all_routes_guarded(app)
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert {"territory_api.create_unit", "admin.units", "audit_api.list_events"} <= endpoints


def test_create_app_refuses_to_start_with_an_unguarded_route(monkeypatch, database_url):
    register = elections._register_blueprints

    def with_an_unguarded_route(app):
        register(app)
        app.register_blueprint(unguarded_blueprint())

    monkeypatch.setattr(elections, "_register_blueprints", with_an_unguarded_route)
    with pytest.raises(UnguardedRoute, match=r"sneaky\.unguarded"):
        create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "x", "TESTING": True})


def test_a_route_added_after_start_up_without_a_rule_fails_closed(make_app):
    late = make_app()
    late.add_url_rule("/late", "late", lambda: "leaked")
    response = late.test_client().get("/late")
    assert response.status_code == 404
    assert "leaked" not in response.get_data(as_text=True)


@pytest.mark.parametrize("allowed", [(), ("cec_admin", "superuser")], ids=["none", "unknown"])
def test_roles_refuses_an_empty_or_unknown_role_list(allowed):
    with pytest.raises(ValueError):
        roles(*allowed)
