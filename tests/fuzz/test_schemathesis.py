"""schemathesis over every operation of /api/v1, as anonymous and with each role's token.

Each operation gets positive cases (valid by the document) and negative ones (invalid
on purpose), with generated ids and with ids that exist in the demo data. Every answer
must: not be a 5xx, conform to the document (status, content type, body schema), carry
the error envelope when it is a 4xx, and leak no stack trace or SQL. Derandomised and
bounded, so a run is the same run every time and stays within a few minutes.
"""

from __future__ import annotations

import pytest
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from elections import api_blueprints
from elections.web.openapi import api_rules, openapi_path, rule_methods
from tests.fuzz.harness import IDENTITIES, TALLY, error_envelope, no_leak

MAX_EXAMPLES = 25
# A caller the operation refuses outright (401 or 403 before the body is read) needs few.
REFUSED_EXAMPLES = 5
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXTRA_CHECKS = [error_envelope, no_leak]


def _cases(live, operation, names: tuple[str, ...]):
    known = live.path_parameters(names)
    strategies = []
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        strategies.append(operation.as_strategy(generation_mode=mode))
        if known:
            strategies.append(
                st.sampled_from(known).flatmap(
                    lambda params, mode=mode: operation.as_strategy(
                        generation_mode=mode, path_parameters=params
                    )
                )
            )
    return st.one_of(strategies)


def _fuzz(live, operation, names: tuple[str, ...], identity: str) -> None:
    headers = live.headers[identity]
    roles = operation.definition.raw.get("x-roles") or []
    refused = bool(roles) and identity not in roles

    @settings(
        max_examples=REFUSED_EXAMPLES if refused else MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=(Phase.explicit, Phase.generate, Phase.shrink),
        suppress_health_check=list(HealthCheck),
    )
    @given(case=_cases(live, operation, names))
    def fuzz(case):
        response = case.call(headers=headers)
        TALLY.count(operation.label, response.status_code)
        case.validate_response(
            response, checks=CHECKS, additional_checks=EXTRA_CHECKS, headers=headers
        )

    fuzz()


def _operations() -> list[str]:
    """The endpoints of /api/v1, read from its blueprints without an app's database."""
    app = Flask(__name__)
    for blueprint in api_blueprints():
        app.register_blueprint(blueprint)
    return sorted({rule.endpoint for rule in api_rules(app)})


@pytest.mark.committing
@pytest.mark.parametrize("endpoint", _operations())
@pytest.mark.parametrize("identity", IDENTITIES)
def test_operation(live, identity, endpoint):
    rules = [rule for rule in api_rules(live.app) if rule.endpoint == endpoint]
    assert rules, f"{endpoint} has no route"
    for rule in rules:
        for method in rule_methods(rule):
            operation = live.operation(method, openapi_path(rule))
            _fuzz(live, operation, tuple(sorted(rule.arguments)), identity)
