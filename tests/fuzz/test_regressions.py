"""What the fuzzer found, kept as plain tests (each ran into a 500 before its fix)."""

from __future__ import annotations

import pytest

from tests.factories import CandidateFactory
from tests.foundation.support import errors_of

TOO_BIG = 139310092652662898145017819299840  # past any database integer: SQLite cannot bind it


@pytest.mark.parametrize("tail", ["results", "results.csv", "results/nist-err"])
@pytest.mark.parametrize("election_id", [TOO_BIG, 2**31, 2**63])
def test_public_results_of_an_id_past_the_database_integer_are_404(client, tail, election_id):
    """The cache of the public results queried the id before the view could say 404."""
    response = client.get(f"/api/v1/elections/{election_id}/{tail}")
    assert [e["code"] for e in errors_of(response, 404)] == ["not_found"]


@pytest.mark.parametrize(
    ("method", "tail", "body"),
    [
        ("GET", "", None),
        ("POST", "/decision", {"decision": "register"}),
        ("POST", "/withdraw", {"reason": "ill"}),
        ("POST", "/cancel-registration", {"grounds": ["deposit_unpaid"]}),
    ],
)
@pytest.mark.parametrize("candidate_id", [TOO_BIG, 2**31, 2**63])
def test_a_candidate_id_past_the_database_integer_is_404(
    client, world, token_for, method, tail, body, candidate_id
):
    headers = token_for(world.users["territorial_member"])
    response = client.open(
        f"/api/v1/candidates/{candidate_id}{tail}", method=method, json=body, headers=headers
    )
    assert [e["code"] for e in errors_of(response, 404)] == ["not_found"]


def test_the_largest_storable_candidate_id_is_still_looked_up(app, client, world, token_for):
    from elections.core.extensions import db
    from elections.territory.models import Election

    with app.app_context():
        candidate = CandidateFactory(election=db.session.get(Election, world.election_id))
        db.session.commit()
        known = candidate.id
    headers = token_for(world.users["territorial_member"])
    assert client.get(f"/api/v1/candidates/{known}", headers=headers).status_code == 200
    response = client.get(f"/api/v1/candidates/{2**31 - 1}", headers=headers)
    errors_of(response, 404)
