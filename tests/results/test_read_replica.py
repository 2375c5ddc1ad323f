"""The public pages read from a real streaming replica (``ELECTIONS_READ_DATABASE_URL``,
elections/core/replica.py), and never show a result older than the one certified on the
primary.

The module starts its own primary and hot standby (``initdb`` and ``pg_basebackup`` in a
temporary folder, benchmarks/clusters.py), so it runs on the SQLite suite too.
"""

from __future__ import annotations

import pytest
from flask_migrate import upgrade
from sqlalchemy import event, select

from benchmarks.clusters import Clusters, wait_for_replay
from elections import create_app
from elections.auth.models import User
from elections.ballots import services as ballot_services
from elections.core import replica
from elections.core.extensions import db
from elections.results import national
from elections.results.services import certify
from elections.territory.models import Election, Precinct, Unit
from elections.web import page_cache
from tests import factories
from tests.results.support import protocol_body

pytestmark = pytest.mark.committing
CLOSED = "postgresql://nobody@127.0.0.1:1/none"  # a port nothing listens on


@pytest.fixture(scope="module")
def pair():
    clusters = Clusters("replica-test")
    try:
        primary = clusters.primary()
        yield primary, clusters.standby(primary)
    finally:
        clusters.close()


@pytest.fixture(scope="module")
def replica_app(pair):
    primary, standby = pair
    url = primary.create_database("elections")
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "READ_DATABASE_URI": standby.url("elections"),
            "REPLICA_WAIT": 0.5,
            "SECRET_KEY": "replica-test-secret-not-for-production",
            "WTF_CSRF_ENABLED": False,
            "SESSION_COOKIE_SECURE": False,
            "METRICS_PUBLIC": True,
            "ELECTIONS_NOW": factories.count_night(),
        }
    )
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        world = factories.make_world()
        election = db.session.get(Election, world.election_id)
        candidates = [
            factories.CandidateFactory(election=election, status="registered", last_name=name).id
            for name in ("Абенов", "Бекова")
        ]
        db.session.commit()
        for precinct_id, votes in ((world.precinct_a, (500, 250)), (world.precinct_b, (90, 300))):
            body = protocol_body(dict(zip(candidates, votes, strict=True)), against_all=10)
            ballot_services.save_protocol(db.session.get(Precinct, precinct_id), body, None)
            db.session.commit()
        db.session.remove()
    wait_for_replay(primary, standby)
    app.world = world
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
        app.extensions["replica"].dispose()


@pytest.fixture
def statements(replica_app):
    """The statements each engine ran during the test: ``{"primary": [...], "replica": [...]}``."""
    seen = {"primary": [], "replica": []}
    with replica_app.app_context():
        engines = {"primary": db.engine, "replica": replica_app.extensions["replica"]}

    listeners = []
    for name, engine in engines.items():

        def note(_conn, _cursor, statement, *_args, name=name):
            seen[name].append(statement)

        event.listen(engine, "before_cursor_execute", note)
        listeners.append((engine, note))
    page_cache.clear()
    national.forget()
    yield seen
    for engine, note in listeners:
        event.remove(engine, "before_cursor_execute", note)


def test_the_standby_is_a_real_one(pair):
    primary, standby = pair
    assert standby.sql("SELECT pg_is_in_recovery()") == [(True,)]
    assert primary.sql("SELECT state FROM pg_stat_replication") == [("streaming",)]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/elections/{id}/results",
        "/results/{id}",
        "/api/v1/elections/{id}/results.csv",
        "/api/v1/elections/{id}/results/nist-err",
        "/api/v1/results",
    ],
)
def test_public_pages_and_open_data_are_rendered_from_the_replica(replica_app, statements, path):
    client = replica_app.test_client()
    answer = client.get(path.format(id=replica_app.world.election_id))
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert len(statements["replica"]) >= 2, "the page was rendered from the replica"
    # The primary answers the page's key alone: one small query of state, never the render.
    assert len(statements["primary"]) <= 2, statements["primary"]
    assert not any("protocol_votes" in s for s in statements["primary"])


def test_signed_in_and_token_requests_read_the_primary(replica_app, statements):
    world = replica_app.world
    page = f"/api/v1/elections/{world.election_id}/results"
    client = replica_app.test_client()
    signed_in = client.post(
        "/login",
        data={"username": world.usernames["territorial_chair"], "password": factories.PASSWORD},
    )
    assert signed_in.status_code == 302
    with replica_app.app_context():
        from elections.auth.services import issue_token

        token = issue_token(db.session.get(User, world.users["territorial_chair"]))
        db.session.commit()
    statements["replica"].clear()
    assert client.get(f"/results/{world.election_id}").status_code == 200  # the cookie's
    answer = replica_app.test_client().get(page, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200
    assert statements["replica"] == []
    assert any("protocol" in s for s in statements["primary"])


def test_a_public_page_without_a_state_to_check_reads_the_primary(replica_app, statements):
    """The certified versions have no page-cache state: nothing could tell the replica is
    behind, so they are read on the primary."""
    path = f"/api/v1/elections/{replica_app.world.election_id}/results/versions"
    assert replica_app.test_client().get(path).status_code == 200
    assert statements["replica"] == []


def test_a_certification_not_yet_replayed_is_shown_from_the_primary(pair, replica_app, statements):
    primary, standby = pair
    world = replica_app.world
    client = replica_app.test_client()
    page = f"/api/v1/elections/{world.election_id}/results"
    assert client.get(page).get_json()["status"] != "certified"
    standby.sql("SELECT pg_wal_replay_pause()")
    try:
        with replica_app.app_context():
            chair = db.session.get(User, world.users["territorial_chair"])
            certify(db.session.get(Election, world.election_id), chair)
            db.session.commit()
        (on_standby,) = standby.sql(
            f"SELECT state FROM elections WHERE id = {world.election_id}",  # noqa: S608 (an int)
            database="elections",
        )[0]
        assert on_standby != "certified", "the standby must not have replayed it yet"
        statements["primary"].clear()
        shown = client.get(page).get_json()
        assert shown["status"] == "certified" and shown["version"] == 1
        assert any("protocol" in s for s in statements["primary"]), "rendered from the primary"
    finally:
        standby.sql("SELECT pg_wal_replay_resume()")
    wait_for_replay(primary, standby)
    page_cache.clear()
    statements["replica"].clear()
    again = client.get(page).get_json()
    assert again["status"] == "certified"
    assert statements["replica"], "once replayed, the replica renders it again"


def test_writes_and_row_locks_in_a_replica_render_go_to_the_primary(replica_app, statements):
    """A read-only standby refuses every write and every FOR UPDATE: one that succeeds went to
    the primary, while a plain read in the same render went to the replica."""
    with replica_app.test_request_context("/results"):
        replica_app.preprocess_request()
        with replica.reading(lambda: ("same",), ("same",)):
            assert replica.routed()
            db.session.execute(select(Unit.id).limit(1)).scalar_one()
            assert statements["replica"], "the plain read went to the replica"
            db.session.execute(select(Unit).limit(1).with_for_update()).scalar_one()
            unit = db.session.execute(select(Unit).limit(1)).scalar_one()
            unit.name_ru = "Записано публичным запросом"
            db.session.commit()
        db.session.remove()
    assert any("FOR UPDATE" in s for s in statements["primary"])
    assert any(s.startswith("UPDATE units") for s in statements["primary"])


def test_readiness_and_metrics_name_the_replica(replica_app):
    client = replica_app.test_client()
    ready = client.get("/readyz").get_json()
    assert ready["checks"] == {"database": "ok", "replica": "ok"}
    scrape = client.get("/metrics").get_data(as_text=True)
    assert "elections_replica_up 1.0" in scrape
    assert "elections_replica_lag_bytes " in scrape
    assert "elections_replica_lag_seconds " in scrape


def test_readiness_checks_the_primary_and_the_replica_each(pair, replica_app):
    """A primary that is away is not ready, even with the replica up; a replica that is away
    is named, and the scrape still answers, saying so."""
    _primary, standby = pair
    base = {**replica_app.config, "TESTING": True}
    for database, read, expected in (
        (CLOSED, standby.url("elections"), {"database": "failed", "replica": "ok"}),
        (
            replica_app.config["SQLALCHEMY_DATABASE_URI"],
            CLOSED,
            {"database": "ok", "replica": "failed"},
        ),
    ):
        app = create_app({**base, "SQLALCHEMY_DATABASE_URI": database, "READ_DATABASE_URI": read})
        client = app.test_client()
        ready = client.get("/readyz")
        assert ready.status_code == 503 and ready.get_json()["checks"] == expected
        if expected["replica"] == "failed":
            scrape = client.get("/metrics")
            assert scrape.status_code == 200
            assert "elections_replica_up 0.0" in scrape.get_data(as_text=True)
        with app.app_context():
            db.engine.dispose()
            app.extensions["replica"].dispose()
