"""The OpenAPI document: every /api/v1 route documented, nothing documented without a route,
the names of the public contract (../shared/api.md) present, and a page for people."""

from __future__ import annotations

import re
from pathlib import Path

import jsonschema
import pytest
from flask import Flask
from schemathesis.specs.openapi.definitions import OPENAPI_30

from elections.web import openapi
from elections.web.access import public

# The shared contract beside the checkout when it is there, else the copy kept with the tests.
_SHARED_API_MD = Path(__file__).resolve().parents[3] / "shared" / "api.md"
API_MD = _SHARED_API_MD if _SHARED_API_MD.exists() else Path(__file__).with_name("api_contract.md")


def _operations(document: dict) -> dict[tuple[str, str], dict]:
    return {
        (method.upper(), path): op
        for path, item in document["paths"].items()
        for method, op in item.items()
    }


def _sample_path(path: str) -> str:
    return openapi.PREFIX + re.sub(r"\{[^}]+\}", "1", path)


def contract_gaps(app: Flask, document: dict) -> list[str]:
    """What keeps the document and the URL map apart, in words; empty when they agree."""
    gaps = []
    documented = _operations(document)
    routes = set()
    for rule in openapi.api_rules(app):
        for method in openapi.rule_methods(rule):
            key = (method.upper(), openapi.openapi_path(rule))
            routes.add(key)
            if key not in documented:
                gaps.append(f"route without a documented operation: {key[0]} {rule.rule}")
    adapter = app.url_map.bind("localhost")
    for (method, path), op in documented.items():
        if (method, path) not in routes:
            gaps.append(f"documented operation without a route: {method} {path}")
            continue
        endpoint, _args = adapter.match(_sample_path(path), method=method)
        if endpoint != op["operationId"]:
            gaps.append(f"{method} {path} is {endpoint}, documented as {op['operationId']}")
    return gaps


@pytest.fixture(scope="module")
def document(app):
    response = app.test_client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


def test_every_route_has_an_operation_and_every_operation_a_route(app, document):
    assert contract_gaps(app, document) == []
    assert len(_operations(document)) == sum(
        len(openapi.rule_methods(rule)) for rule in openapi.api_rules(app)
    )


def test_a_new_route_without_a_row_is_caught(make_app):
    app = make_app()
    app.add_url_rule("/api/v1/novelty/<int:thing_id>", "novelty", public(lambda thing_id: {}))
    gaps = contract_gaps(app, openapi.build_document(app))
    assert gaps == ["route without a documented operation: GET /api/v1/novelty/<int:thing_id>"]


def test_an_operation_without_a_route_is_caught(app, document):
    doctored = {**document, "paths": {**document["paths"], "/gone": {"get": {}}}}
    assert contract_gaps(app, doctored) == ["documented operation without a route: GET /gone"]


def test_the_document_is_valid_openapi_3(document):
    assert document["openapi"].startswith("3.0")
    jsonschema.validators.validator_for(OPENAPI_30)(OPENAPI_30).validate(document)
    assert document["servers"] == [{"url": "/api/v1"}]


def test_each_operation_has_summary_tag_security_and_responses(app, document):
    tags = {tag["name"] for tag in document["tags"]}
    for (method, path), op in _operations(document).items():
        label = f"{method} {path}"
        assert op["summary"], label
        assert op["tags"] and set(op["tags"]) <= tags, label
        rule = app.view_functions[op["operationId"]].access_rule
        if rule.public:
            assert op["security"] == [], label
            assert op["x-roles"] == [], label
        else:
            assert op["security"] == [{"bearerAuth": []}], label
            assert op["x-roles"] == list(rule.roles), label
            assert {"401", "403"} <= set(op["responses"]), label
        successes = [status for status in op["responses"] if status.startswith("2")]
        assert len(successes) == 1, label
        for status, answer in op["responses"].items():
            if status.startswith(("4", "5")):
                schema = answer["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Error"}, (label, status)
        names = {p["name"] for p in op["parameters"] if p["in"] == "path"}
        assert names == set(re.findall(r"\{([^}]+)\}", path)), label
        if names:
            assert "404" in op["responses"], label
        if method in ("POST", "PUT") and "requestBody" in op:
            assert {"400", "422"} <= set(op["responses"]), label
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "A token from `flask --app elections users token NAME`.",
    }


def test_the_error_envelope_is_one_shared_schema(document):
    schemas = document["components"]["schemas"]
    envelope = schemas["Error"]
    assert envelope["required"] == ["errors"]
    assert envelope["properties"]["errors"]["items"] == {"$ref": "#/components/schemas/ErrorItem"}
    item = schemas["ErrorItem"]
    assert set(item["properties"]) == {"code", "message", "field", "legal_basis"}
    assert sorted(item["required"]) == ["code", "message"]
    assert item["additionalProperties"] is True  # relation_failed adds relation, left, right


# --- The names of ../shared/api.md ---------------------------------------------------------------

CONTRACT_OPERATIONS = [
    ("POST", "/units"),
    ("GET", "/units"),
    ("POST", "/parties"),
    ("POST", "/elections"),
    ("GET", "/elections"),
    ("GET", "/elections/{election_id}"),
    ("POST", "/elections/{election_id}/precincts"),
    ("GET", "/elections/{election_id}/precincts"),
    ("POST", "/elections/{election_id}/candidates"),
    ("GET", "/candidates/{candidate_id}"),
    ("PATCH", "/candidates/{candidate_id}"),
    ("POST", "/candidates/{candidate_id}/decision"),
    ("POST", "/candidates/{candidate_id}/withdraw"),
    ("POST", "/candidates/{candidate_id}/cancel-registration"),
    ("GET", "/status"),
    ("POST", "/status"),
    ("GET", "/elections/{election_id}/ballot"),
    ("PUT", "/elections/{election_id}/precincts/{precinct_id}/protocol"),
    ("GET", "/elections/{election_id}/precincts/{precinct_id}/protocol"),
    ("GET", "/elections/{election_id}/precincts/{precinct_id}/protocol/versions"),
    ("GET", "/elections/{election_id}/results"),
    ("POST", "/elections/{election_id}/certify"),
    ("POST", "/elections/{election_id}/corrections"),
    ("GET", "/elections/{election_id}/results/versions"),
    ("GET", "/elections/{election_id}/results.csv"),
    ("GET", "/elections/{election_id}/results/nist-err"),
]

# (method, path, "request" or "response", dotted path into the shape, names there)
CONTRACT_FIELDS = [
    ("POST", "/units", "request", "", {"kato", "parent_kato", "kind", "name"}),
    ("POST", "/units", "request", "name", {"kk", "ru"}),
    ("POST", "/parties", "request", "", {"name", "short_name"}),
    ("POST", "/parties", "response", "", {"id", "name", "short_name"}),
    ("POST", "/elections", "request", "", {"unit_kato", "kind", "called_on", "election_day"}),
    ("POST", "/elections", "request", "", {"profile"}),
    ("POST", "/elections", "response", "", {"id", "kind", "unit", "profile", "status"}),
    (
        "POST",
        "/elections",
        "response",
        "calendar",
        {
            "nomination_opens",
            "nomination_closes",
            "registration_closes",
            "withdrawal_closes",
            "results_due",
            "publication_due",
        },
    ),
    (
        "POST",
        "/elections/{election_id}/precincts",
        "request",
        "",
        {"number", "unit_kato", "voters_on_list", "address"},
    ),
    (
        "POST",
        "/elections/{election_id}/precincts",
        "response",
        "",
        {"id", "number", "voters_on_list"},
    ),
    (
        "POST",
        "/elections/{election_id}/candidates",
        "request",
        "",
        {
            "iin",
            "last_name",
            "first_name",
            "patronymic",
            "birth_date",
            "citizenship",
            "education",
            "work_experience_years",
            "nomination",
            "deposit_paid",
            "documents",
            "legal_capacity",
            "serving_sentence",
            "unexpunged_conviction",
            "corruption_offence",
            "special_check",
            "consecutive_terms_in_post",
            "qualification_met",
            "qualification_note",
        },
    ),
    (
        "PATCH",
        "/candidates/{candidate_id}",
        "request",
        "",
        {"qualification_met", "qualification_note", "documents"},
    ),
    (
        "PATCH",
        "/candidates/{candidate_id}",
        "request",
        "documents",
        {"tax_certificate", "signature_check_protocol"},
    ),
    (
        "GET",
        "/candidates/{candidate_id}",
        "response",
        "",
        {"qualification_met", "qualification_note"},
    ),
    (
        "POST",
        "/elections/{election_id}/candidates",
        "request",
        "nomination",
        {"type", "party_id", "party_member", "signatures_valid", "settlements_covered"},
    ),
    (
        "POST",
        "/elections/{election_id}/candidates",
        "request",
        "documents",
        {
            "application",
            "biography",
            "declarations",
            "party_decision",
            "tax_certificate",
            "signature_check_protocol",
        },
    ),
    (
        "POST",
        "/elections/{election_id}/candidates",
        "response",
        "",
        {"id", "application_number", "status", "eligibility"},
    ),
    (
        "POST",
        "/elections/{election_id}/candidates",
        "response",
        "eligibility",
        {"eligible", "violations"},
    ),
    (
        "POST",
        "/elections/{election_id}/candidates",
        "response",
        "eligibility.violations",
        {"code", "message", "legal_basis"},
    ),
    ("GET", "/candidates/{candidate_id}", "response", "", {"status", "eligibility", "history"}),
    (
        "GET",
        "/candidates/{candidate_id}",
        "response",
        "history",
        {"status", "at", "actor", "reason"},
    ),
    (
        "POST",
        "/candidates/{candidate_id}/decision",
        "request",
        "",
        {"decision", "grounds", "note"},
    ),
    ("POST", "/candidates/{candidate_id}/withdraw", "request", "", {"reason"}),
    ("POST", "/candidates/{candidate_id}/cancel-registration", "request", "", {"grounds", "note"}),
    (
        "GET",
        "/status",
        "response",
        "",
        {"application_number", "status", "election", "history", "reasons"},
    ),
    (
        "GET",
        "/elections/{election_id}/ballot",
        "response",
        "",
        {"election_id", "lines", "against_all", "print_run"},
    ),
    (
        "GET",
        "/elections/{election_id}/ballot",
        "response",
        "lines",
        {"position", "candidate_id", "last_name", "first_name", "patronymic", "nomination"},
    ),
    ("GET", "/elections/{election_id}/ballot", "response", "against_all", {"position", "label"}),
    ("GET", "/elections/{election_id}/ballot", "response", "print_run", {"total", "precincts"}),
    (
        "GET",
        "/elections/{election_id}/ballot",
        "response",
        "print_run.precincts",
        {"precinct_id", "voters_on_list", "ballots"},
    ),
    (
        "PUT",
        "/elections/{election_id}/precincts/{precinct_id}/protocol",
        "request",
        "",
        {
            "voters_on_list",
            "ballots_received",
            "ballots_issued",
            "ballots_cancelled",
            "ballots_in_boxes",
            "invalid_ballots",
            "votes",
            "against_all",
            "expected_version",
        },
    ),
    (
        "PUT",
        "/elections/{election_id}/precincts/{precinct_id}/protocol",
        "response",
        "",
        {"precinct_id", "version", "status"},
    ),
    (
        "GET",
        "/elections/{election_id}/results",
        "response",
        "",
        {
            "election_id",
            "status",
            "as_of",
            "precincts_reporting",
            "precincts_total",
            "voters_on_list",
            "ballots_in_boxes",
            "turnout",
            "invalid_ballots",
            "against_all",
            "candidates",
            "outcome",
            "winner_candidate_id",
            "deposit_refund_candidate_ids",
            "version",
        },
    ),
    (
        "GET",
        "/elections/{election_id}/results",
        "response",
        "candidates",
        {"candidate_id", "name", "votes", "share"},
    ),
    ("POST", "/elections/{election_id}/corrections", "request", "", {"reason"}),
]


def _resolve(document: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    if schema.get("type") == "array":
        return _resolve(document, schema["items"])
    return schema


def _shape(document: dict, method: str, path: str, side: str, dotted: str) -> dict:
    op = document["paths"][path][method.lower()]
    if side == "request":
        content = op["requestBody"]["content"]
    else:
        content = next(a for s, a in op["responses"].items() if s.startswith("2"))["content"]
    schema = _resolve(document, content["application/json"]["schema"])
    for name in filter(None, dotted.split(".")):
        schema = _resolve(document, schema["properties"][name])
    return schema


def test_the_operations_of_the_contract_are_documented(document):
    documented = set(_operations(document))
    assert [op for op in CONTRACT_OPERATIONS if op not in documented] == []


@pytest.mark.parametrize(
    ("method", "path", "side", "dotted", "names"),
    CONTRACT_FIELDS,
    ids=[f"{m} {p} {s} {d}" for m, p, s, d, _ in CONTRACT_FIELDS],
)
def test_the_fields_of_the_contract_are_documented(document, method, path, side, dotted, names):
    properties = set(_shape(document, method, path, side, dotted).get("properties", {}))
    assert names - properties == set()


# Calls that api.md's "Additions of December 2026" name and a later issue builds (its number).
# Each must still be absent from the document: building one without removing it here fails.
NOT_YET_BUILT: dict[tuple[str, str], int] = {}


def _calls_in_api_md(document: dict) -> tuple[set, set]:
    """The calls api.md names, and those of them the document has (ids normalised)."""
    text = API_MD.read_text(encoding="utf-8")
    documented = {(m, re.sub(r"\{[^}]+\}", "{}", p)) for m, p in _operations(document)}
    found = set(
        re.findall(r"\b(GET|POST|PUT|PATCH|DELETE) (/[A-Za-z0-9_{}./-]*[A-Za-z0-9_}])", text)
    )
    assert len(found) >= 20
    return found, {(m, p) for m, p in found if (m, re.sub(r"\{[^}]+\}", "{}", p)) in documented}


def test_every_call_written_in_api_md_is_documented(document):
    """Each `VERB /path` that api.md names is in the document, but those still to be built."""
    found, documented = _calls_in_api_md(document)
    missing = sorted(found - documented - set(NOT_YET_BUILT))
    assert missing == [], missing


def test_the_calls_still_to_be_built_are_not_built_yet(document):
    """An entry of NOT_YET_BUILT goes once its call is built, so none hides a built call."""
    found, documented = _calls_in_api_md(document)
    if API_MD == _SHARED_API_MD:
        assert set(NOT_YET_BUILT) <= found, "a pending call is no longer in api.md"
    assert sorted(set(NOT_YET_BUILT) & documented) == []


# --- The page for people -----------------------------------------------------------------------


def test_the_api_page_lists_every_operation_without_scripts(client, document):
    response = client.get("/api")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    for (method, path), op in _operations(document).items():
        anchor = op["operationId"].replace(".", "-")
        card = html[html.index(f'id="op-{anchor}"') :]
        card = card[: card.index("</article>")]
        assert f"<code>/api/v1{path}</code>" in card
        assert f'<span class="badge">{method}</span>' in card
        assert op["summary"] in card
        for role in op["x-roles"]:
            assert role in card
        for parameter in op["parameters"]:
            assert f"<code>{parameter['name']}</code>" in card
    for tag in document["tags"]:
        assert f">{tag['name']}</h2>" in html
    for name in document["components"]["schemas"]:
        assert f'id="schema-{name}"' in html
    assert "<script" not in html
    assert "http://" not in html and "https://" not in html  # nothing from elsewhere
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]


def test_the_document_and_page_are_public(client):
    assert client.get("/api/v1/openapi.json").status_code == 200
    assert client.get("/api").status_code == 200
    bad = {"Authorization": "Bearer nonsense"}
    assert client.get("/api/v1/openapi.json", headers=bad).status_code == 401
