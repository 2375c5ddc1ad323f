"""One error envelope for every status (api.md "Conventions"), and never a 500 for bad input."""

from __future__ import annotations

import pytest
from flask import Blueprint
from sqlalchemy.exc import DataError, OperationalError

from elections.core.errors import conflict
from elections.web.access import public
from tests.foundation.support import codes, errors_of, fields

PARTY = {"name": {"kk": "Жаңа партия", "ru": "Новая партия"}, "short_name": "NEW"}


@pytest.fixture
def admin(world, token_for):
    return token_for(world.users["cec_admin"])


# --- 400 ------------------------------------------------------------------------------------

MALFORMED = [
    ("short_name=NEW", "text/plain", "not JSON at all"),
    ('[{"short_name": "NEW"}]', "application/json", "a JSON array"),
    ('"NEW"', "application/json", "a JSON string"),
    ("null", "application/json", "JSON null"),
    ('{"short_name": ', "application/json", "broken JSON"),
    ("", "application/json", "an empty body"),
    ("[" * 100_000, "application/json", "nesting too deep to parse"),
    (b'{"short_name": "\xff"}', "application/json", "bytes that are not UTF-8"),
]


@pytest.mark.parametrize(
    ("body", "content_type"), [m[:2] for m in MALFORMED], ids=[m[2] for m in MALFORMED]
)
def test_a_malformed_body_is_400(client, admin, body, content_type):
    response = client.post("/api/v1/parties", data=body, content_type=content_type, headers=admin)
    assert codes(errors_of(response, 400)) == ["bad_request"]


# --- 401, 403, 404, 405 ---------------------------------------------------------------------


def test_401_403(client, world, token_for):
    errors_of(client.post("/api/v1/parties", json=PARTY), 401)
    member = token_for(world.users["territorial_member"])
    errors_of(client.post("/api/v1/parties", json=PARTY, headers=member), 403)


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/v1/elections/999999"),
        ("get", "/api/v1/elections/999999/precincts"),
        ("post", "/api/v1/elections/999999/precincts"),
        ("get", "/api/v1/elections/99999999999999999999"),
        ("get", "/api/v1/no-such-thing"),
        ("post", "/api/v1/no-such-thing"),
    ],
    ids=[
        "unknown election",
        "precincts of an unknown election",
        "adding a precinct to an unknown election",
        "an id no column holds",
        "unknown URL",
        "POST to an unknown URL",
    ],
)
def test_404_is_the_envelope(client, world, admin, method, url):
    response = getattr(client, method)(url, headers=admin, json={} if method == "post" else None)
    assert codes(errors_of(response, 404)) == ["not_found"]


@pytest.mark.parametrize(
    ("method", "url", "allowed"),
    [
        ("delete", "/api/v1/units", {"GET", "POST"}),
        ("put", "/api/v1/parties", {"GET", "POST"}),
        ("delete", "/api/v1/elections/{election_id}", {"GET"}),
    ],
)
def test_405_is_the_envelope_with_allow(client, world, admin, method, url, allowed):
    response = getattr(client, method)(url.format(election_id=world.election_id), headers=admin)
    assert codes(errors_of(response, 405)) == ["method_not_allowed"]
    assert allowed <= {m.strip() for m in response.headers["Allow"].split(",")}


# --- 409, 500, 503 through routes that exist only in this test ------------------------------


@pytest.fixture
def probe_app(make_app):
    """A real app (create_app) with public test-only routes that raise what services raise."""
    app = make_app()
    api = Blueprint("probe_api", __name__, url_prefix="/api/v1/probe")
    pages = Blueprint("probe_pages", __name__, url_prefix="/probe")

    @api.get("/conflict")
    @public
    def state_forbids_it():
        raise conflict("nomination_closed", "Nomination closed at 18:00.", legal_basis="art. 113-3")

    @api.get("/crash")
    @public
    def crash():
        raise RuntimeError("secret internals of the service")

    @api.get("/database-down")
    @public
    def database_down():
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    @api.get("/value-refused")
    @public
    def value_refused():
        raise DataError("INSERT", {}, Exception("value too long for type character varying"))

    @pages.get("/crash")
    @public
    def page_crash():
        raise RuntimeError("secret internals of the service")

    app.register_blueprint(api)
    app.register_blueprint(pages)
    return app


def test_409_carries_code_and_legal_basis(probe_app):
    response = probe_app.test_client().get("/api/v1/probe/conflict")
    assert errors_of(response, 409) == [
        {
            "code": "nomination_closed",
            "message": "Nomination closed at 18:00.",
            "legal_basis": "art. 113-3",
        }
    ]


def test_an_unexpected_error_is_a_500_envelope_without_internals(probe_app):
    response = probe_app.test_client().get("/api/v1/probe/crash")
    assert codes(errors_of(response, 500)) == ["internal_error"]
    body = response.get_data(as_text=True)
    assert "secret internals" not in body and "Traceback" not in body


def test_an_unexpected_error_on_a_page_is_friendly_html(probe_app):
    response = probe_app.test_client().get("/probe/crash")
    assert response.status_code == 500
    assert response.mimetype == "text/html"
    body = response.get_data(as_text=True)
    assert "<h1>" in body and "secret internals" not in body and "Traceback" not in body


def test_an_unavailable_database_is_503_with_retry_after(probe_app):
    response = probe_app.test_client().get("/api/v1/probe/database-down")
    assert codes(errors_of(response, 503)) == ["service_unavailable"]
    assert response.headers["Retry-After"] == "5"


def test_a_value_the_database_refuses_is_422_not_500(probe_app):
    response = probe_app.test_client().get("/api/v1/probe/value-refused")
    assert codes(errors_of(response, 422)) == ["invalid"]


# --- 413 ------------------------------------------------------------------------------------


def test_a_body_over_max_content_length_is_413(app, client, admin):
    limit = app.config["MAX_CONTENT_LENGTH"]
    body = {"name": {"kk": "ә" * limit, "ru": "б"}, "short_name": "BIG"}
    response = client.post("/api/v1/parties", json=body, headers=admin)
    assert codes(errors_of(response, 413)) == ["payload_too_large"]


def test_a_form_over_max_content_length_is_a_413_page(app, client, world):
    data = {"username": "x" * app.config["MAX_CONTENT_LENGTH"], "password": "y"}
    response = client.post("/login", data=data)
    assert response.status_code == 413
    assert response.mimetype == "text/html"


# --- 422 ------------------------------------------------------------------------------------


def unit(world, **change):
    body = {
        "kato": "799999999",
        "parent_kato": world.region,
        "kind": "district",
        "name": {"kk": "Аудан", "ru": "Район"},
    }
    body.update(change)
    return body


def precinct(world, **change):
    body = {"number": 77, "unit_kato": world.village_a, "voters_on_list": 10, "address": "Көше 1"}
    body.update(change)
    return body


INVALID = [
    ("units", lambda w: unit(w, name={"ru": "Район"}), "name.kk", "name.kk missing"),
    ("units", lambda w: unit(w, kato="79999999"), "kato", "kato of 8 digits"),
    ("units", lambda w: unit(w, kato="799999999\n"), "kato", "kato with a trailing newline"),
    ("units", lambda w: unit(w, kato="٧٩٩٩٩٩٩٩٩"), "kato", "kato in Arabic-Indic digits"),
    ("units", lambda w: unit(w, kato=799999999), "kato", "kato as a number"),
    ("units", lambda w: unit(w, kind="planet"), "kind", "unknown unit kind"),
    ("units", lambda w: unit(w, parent_kato=None), "parent_kato", "district without a parent"),
    ("units", lambda w: unit(w, parent_kato="123123123"), "parent_kato", "unknown parent"),
    ("units", lambda w: unit(w, kato=w.region), "kato", "KATO already used"),
    ("units", lambda w: unit(w, name={"kk": "ә" * 201, "ru": "Р"}), "name.kk", "name too long"),
    ("units", lambda w: unit(w, colour="red"), "colour", "an unknown field"),
    ("parties", lambda w: {"name": PARTY["name"]}, "short_name", "party without short name"),
    ("parties", lambda w: {**PARTY, "name": "Партия"}, "name", "name not an object"),
    (
        "elections",
        lambda w: {
            "unit_kato": w.rural,
            "kind": "rural",
            "called_on": "10.07.2026",
            "election_day": "2026-09-06",
        },
        "called_on",
        "date in the wrong format",
    ),
    (
        "elections",
        lambda w: {
            "unit_kato": w.rural,
            "kind": "city",
            "called_on": "2026-07-10",
            "election_day": "2026-09-06",
        },
        "kind",
        "unknown election kind",
    ),
    (
        "elections",
        lambda w: {
            "unit_kato": w.district,
            "kind": "rural",
            "called_on": "2026-07-10",
            "election_day": "2026-09-06",
        },
        "kind",
        "a district's akim in a rural election",
    ),
    ("precincts", lambda w: precinct(w, number="77"), "number", "number as a string"),
    ("precincts", lambda w: precinct(w, number=0), "number", "number 0"),
    ("precincts", lambda w: precinct(w, number=2**31), "number", "number no column holds"),
    ("precincts", lambda w: precinct(w, voters_on_list=-1), "voters_on_list", "negative voters"),
    (
        "precincts",
        lambda w: precinct(w, voters_on_list=10**30),
        "voters_on_list",
        "voters beyond any column",
    ),
    ("precincts", lambda w: precinct(w, voters_on_list=1.5), "voters_on_list", "voters 1.5"),
    (
        "precincts",
        lambda w: precinct(w, unit_kato=w.other_district),
        "unit_kato",
        "precinct outside the territory",
    ),
    ("precincts", lambda w: precinct(w, address=""), "address", "empty address"),
]


def url_of(world, call: str) -> str:
    if call == "precincts":
        return f"/api/v1/elections/{world.election_id}/precincts"
    return f"/api/v1/{call}"


@pytest.mark.parametrize(
    ("call", "make_body", "field"), [i[:3] for i in INVALID], ids=[i[3] for i in INVALID]
)
def test_422_names_the_field(client, world, admin, call, make_body, field):
    response = client.post(url_of(world, call), json=make_body(world), headers=admin)
    assert field in fields(errors_of(response, 422))


def test_422_lists_every_field_error_at_once(client, world, admin):
    body = {"kato": "1", "parent_kato": "2", "kind": "planet", "name": {}}
    response = client.post("/api/v1/units", json=body, headers=admin)
    assert set(fields(errors_of(response, 422))) == {
        "kato",
        "parent_kato",
        "kind",
        "name.kk",
        "name.ru",
    }


def test_422_on_a_query_parameter(client):
    response = client.get("/api/v1/units?parent=12345678")
    assert fields(errors_of(response, 422)) == ["parent"]


# --- bad input is never a 500 ---------------------------------------------------------------

NASTY = [
    ("get", "/api/v1/elections/99999999999999999999", None, "election id beyond BIGINT"),
    ("get", "/api/v1/elections/2147483648/precincts", None, "election id beyond INTEGER"),
    ("get", "/api/v1/audit?after=99999999999999999999", None, "audit cursor beyond BIGINT"),
    ("get", "/api/v1/audit?limit=ten", None, "audit limit not a number"),
    ("get", "/api/v1/units?parent=%00%00%00%00%00%00%00%00%00", None, "NUL bytes as KATO"),
    ("post", "/api/v1/parties", {**PARTY, "short_name": "A\x00B"}, "NUL byte in a name"),
    ("post", "/api/v1/parties", {**PARTY, "short_name": "x" * 41}, "short name too long"),
    (
        "post",
        "/api/v1/parties",
        {"name": {"kk": "ә" * 301, "ru": "б"}, "short_name": "L"},
        "party name too long",
    ),
    ("post", "/api/v1/parties", {**PARTY, "short_name": ["NEW"]}, "short name as a list"),
    ("post", "/api/v1/parties", {**PARTY, "name": {"kk": None, "ru": 5}}, "wrong name types"),
    ("post", "/api/v1/units", {}, "empty object"),
    ("post", "/api/v1/units", {"kato": {"$gt": ""}}, "an object for a string"),
    (
        "post",
        "/api/v1/elections",
        {
            "unit_kato": "R",
            "kind": "rural",
            "called_on": "9999-12-30",
            "election_day": "9999-12-31",
        },
        "election at the end of time",
    ),
    (
        "post",
        "/api/v1/elections",
        {
            "unit_kato": "R",
            "kind": "rural",
            "called_on": "2026-02-30",
            "election_day": "2026-09-06",
        },
        "30 February",
    ),
    (
        "post",
        "/api/v1/elections",
        {"unit_kato": "R", "kind": "rural", "called_on": True, "election_day": 20260906},
        "dates of the wrong type",
    ),
    (
        "post",
        "/api/v1/elections",
        {
            "unit_kato": "R",
            "kind": "rural",
            "called_on": "2026-07-10",
            "election_day": "2026-09-06",
            "profile": "x" * 1000,
        },
        "profile name too long",
    ),
    (
        "post",
        "/api/v1/elections/{election_id}/precincts",
        {"number": 10**12, "unit_kato": "V", "voters_on_list": 5, "address": "x"},
        "precinct number beyond INTEGER",
    ),
    (
        "post",
        "/api/v1/elections/{election_id}/precincts",
        {"number": 9, "unit_kato": "V", "voters_on_list": 5, "address": "x" * 501},
        "address too long",
    ),
]


@pytest.mark.parametrize(
    ("method", "url", "body"), [n[:3] for n in NASTY], ids=[n[3] for n in NASTY]
)
def test_bad_input_is_never_a_500(client, world, admin, method, url, body):
    if isinstance(body, dict):
        replace = {"R": world.rural, "V": world.village_a}
        body = {k: replace.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    url = url.format(election_id=world.election_id)
    response = getattr(client, method)(url, json=body, headers=admin)
    assert response.status_code < 500, response.get_data(as_text=True)
    if response.status_code >= 400:
        errors_of(response, response.status_code)


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/login", {"username": "cec\x00admin", "password": "x"}),
        ("/login", {"username": "", "password": ""}),
        ("/login?next=/%0D%0ASet-Cookie:%20a=b", {"username": "u", "password": "p"}),
        ("/lang/ru?next=/%0D%0ASet-Cookie:%20a=b", None),
        ("/lang/%00?next=/", None),
        ("/?lang=%00", None),
    ],
    ids=[
        "NUL in a user name",
        "empty login form",
        "CRLF in next after sign-in",
        "CRLF in next of the language switch",
        "NUL as a language",
        "NUL as lang parameter",
    ],
)
def test_bad_input_to_pages_is_never_a_500(client, world, url, data):
    response = client.post(url, data=data) if data is not None else client.get(url)
    assert response.status_code < 500, response.get_data(as_text=True)
    assert "\r\n" not in response.headers.get("Location", "")


# --- pages ----------------------------------------------------------------------------------


def test_an_unknown_page_is_a_friendly_html_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith("<!doctype html>")
    assert "<h1>" in body and 'href="/"' in body
    assert '"errors"' not in body
