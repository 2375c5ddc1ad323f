"""No N+1: a results request issues as many SQL statements for a big election as for a small one.

Statements are counted with the engine's ``before_cursor_execute`` event during one request
of the test client. On a mismatch the assertion names the statements whose count differs.
"""

from __future__ import annotations

import re
from collections import Counter
from contextlib import contextmanager
from types import SimpleNamespace

import pytest
from sqlalchemy import event, select

from elections.ballots.models import Protocol
from elections.core.extensions import db
from elections.results import national
from elections.territory.models import Election
from elections.web import page_cache
from tests import factories
from tests.results.support import protocol_body, put_protocol


@pytest.fixture(params=["all-reported", "half-reported"])
def small_and_big(request, world, add_candidates, save, make_election):
    """world.election with 2 candidates / 2 precincts, another with 6 / 8: every precinct
    reported, or every other one (so that reported and missing precincts both show)."""
    small = SimpleNamespace(
        id=world.election_id,
        precincts=[world.precinct_a, world.precinct_b],
        candidates=add_candidates(world.election_id, 2),
    )
    big = make_election(candidates=6, precincts=8)
    step = 1 if request.param == "all-reported" else 2
    for election in (small, big):
        for i, precinct_id in enumerate(election.precincts[::step]):
            votes = {cid: 10 + i + j for j, cid in enumerate(election.candidates)}
            save(precinct_id, votes, invalid=2, against_all=3)
    return small, big


@contextmanager
def counted(app):
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


def _shape(statement: str) -> str:
    """A statement without its literal ids and savepoint names, to compare like with like."""
    statement = re.sub(r"sa_savepoint_\d+", "sa_savepoint_N", statement)
    statement = re.sub(r"\bIN \([^)]*\)", "IN (...)", statement)
    statement = re.sub(r"\b\d+\b", "N", statement)
    return " ".join(statement.split())


def difference(small: list[str], big: list[str]) -> dict[str, int]:
    """Statement shapes the big election ran more (or fewer) times than the small one."""
    counts = Counter(map(_shape, big))
    counts.subtract(Counter(map(_shape, small)))
    return {shape: n for shape, n in counts.items() if n}


def assert_same_statements(small: list[str], big: list[str]) -> None:
    if len(small) == len(big):
        return
    details = "\n".join(f"{n:+d} x {shape}" for shape, n in difference(small, big).items())
    pytest.fail(
        f"{len(small)} statements for the small election, {len(big)} for the big one; "
        f"these differ (big minus small):\n{details}"
    )


def statements_for(app, client, method: str, url: str, **kwargs) -> list[str]:
    page_cache.clear()  # count a real rendering, not a page cache hit
    with counted(app) as statements:
        response = client.open(url, method=method, **kwargs)
    assert response.status_code == 200, response.get_data(as_text=True)
    return statements


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/elections/{id}/results",
        "/results/{id}",
        "/api/v1/elections/{id}/results.csv",
        "/api/v1/elections/{id}/results/nist-err",
        "/api/v1/elections/{id}/results/versions",
    ],
)
def test_public_results_issue_the_same_queries_for_a_big_election_as_for_a_small_one(
    app, client, small_and_big, path
):
    small, big = small_and_big
    statements_for(app, client, "GET", path.format(id=small.id))  # warm up the app

    counts = [
        statements_for(app, client, "GET", path.format(id=election.id)) for election in (small, big)
    ]

    assert_same_statements(*counts)


def test_results_index_issues_the_same_queries_for_more_elections(
    app, client, small_and_big, make_election
):
    statements_for(app, client, "GET", "/results")
    before = statements_for(app, client, "GET", "/results")
    for _ in range(3):
        make_election(candidates=2, precincts=3)

    after = statements_for(app, client, "GET", "/results")

    assert_same_statements(before, after)


def test_every_result_issues_the_same_queries_for_more_elections(
    app, client, small_and_big, make_election, save
):
    national.forget()
    statements_for(app, client, "GET", "/api/v1/results")
    before = statements_for(app, client, "GET", "/api/v1/results")
    for _ in range(3):
        more = make_election(candidates=3, precincts=2)
        save(more.precincts[0], {cid: 5 + j for j, cid in enumerate(more.candidates)})

    after = statements_for(app, client, "GET", "/api/v1/results")

    assert_same_statements(before, after)


def test_a_protocol_save_issues_the_same_queries_for_a_big_election_as_for_a_small_one(
    app, client, small_and_big, chair
):
    small, big = small_and_big

    def save_next(election):
        precinct_id = election.precincts[0]
        with app.app_context():
            current = db.session.execute(
                select(Protocol.version).where(Protocol.precinct_id == precinct_id)
            ).scalar_one()
        votes = {cid: 20 + j for j, cid in enumerate(election.candidates)}
        body = protocol_body(votes, invalid=1, against_all=1, expected_version=current)
        with counted(app) as statements:
            response = put_protocol(client, chair, election.id, precinct_id, body)
        assert response.status_code == 200, response.get_data(as_text=True)
        return statements

    save_next(small)  # warm up the app
    counts = [save_next(election) for election in (small, big)]

    assert_same_statements(*counts)


def test_the_dashboard_issues_the_same_queries_for_a_big_election_as_for_a_small_one(
    app, client, world, small_and_big, login
):
    small, big = small_and_big
    login(world.users["territorial_member"])  # of the commission organising both
    url = "/commission/elections/{id}/results"
    statements_for(app, client, "GET", url.format(id=small.id))  # warm up the app

    counts = [statements_for(app, client, "GET", url.format(id=e.id)) for e in (small, big)]

    assert_same_statements(*counts)


def test_certify_issues_the_same_queries_for_a_big_election_as_for_a_small_one(
    app, client, small_and_big, chair, save
):
    small, big = small_and_big
    for election in (small, big):  # every precinct reported
        for precinct_id in election.precincts:
            with app.app_context():
                reported = db.session.execute(
                    select(Protocol.version).where(Protocol.precinct_id == precinct_id)
                ).scalar_one_or_none()
            if reported is None:
                save(precinct_id, {cid: 1 + j for j, cid in enumerate(election.candidates)})

    def certify_counted(election):
        with counted(app) as statements:
            response = client.post(f"/api/v1/elections/{election.id}/certify", headers=chair)
        assert response.status_code == 200, response.get_data(as_text=True)
        return statements

    # The token's last use is written at most once a minute: on this call, not on the counted.
    assert client.get(f"/api/v1/elections/{small.id}", headers=chair).status_code == 200
    counts = [certify_counted(election) for election in (small, big)]

    with app.app_context():
        sqlite = db.engine.dialect.name == "sqlite"
    if sqlite:
        # pysqlite cannot return the ids of a multi-row INSERT in parameter order, so the ORM
        # inserts the candidates' status events one by one there (PostgreSQL gets one
        # statement): one INSERT per extra candidate, and nothing else, repeats.
        [(shape, extra)] = difference(*counts).items()
        assert shape.startswith("INSERT INTO candidate_events "), shape
        assert extra == len(big.candidates) - len(small.candidates)
    else:
        assert_same_statements(*counts)


def test_the_commission_home_issues_the_same_queries_for_more_elections(
    app, login, world, small_and_big, make_election
):
    staff = login(world.users["territorial_chair"])
    statements_for(app, staff, "GET", "/commission/")
    before = statements_for(app, staff, "GET", "/commission/")
    for _ in range(3):
        more = make_election(candidates=2, precincts=3)
        with app.app_context():
            election = db.session.get(Election, more.id)
            factories.CandidateFactory(election=election, status="submitted")
            db.session.commit()

    after = statements_for(app, staff, "GET", "/commission/")

    assert_same_statements(before, after)
