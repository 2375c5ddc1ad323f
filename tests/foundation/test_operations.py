"""What the operators' tools read: /healthz (alive), /readyz (ready to serve), /metrics
(Prometheus), and the request log, one JSON line per request that never holds an IIN or a
password (elections/web/health.py, metrics.py, request_log.py)."""

from __future__ import annotations

import json
import os
import re
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text

from elections.core.extensions import db
from tests import processes

REDIS_URL = "redis://127.0.0.1:6379/0"
CLOSED_PORT = "redis://127.0.0.1:1/0"


def test_healthz_answers_without_asking_the_database(make_app):
    app = make_app(SQLALCHEMY_DATABASE_URI="postgresql://nobody@127.0.0.1:1/none")
    answer = app.test_client().get("/healthz")
    assert answer.status_code == 200
    assert answer.get_json() == {"status": "ok"}


def test_readyz_is_ready_on_a_database_at_the_migrations_head(client):
    answer = client.get("/readyz")
    assert answer.status_code == 200
    assert answer.get_json() == {"status": "ready", "checks": {"database": "ok"}}
    assert answer.headers["Cache-Control"] == "no-store"


def test_readyz_is_not_ready_while_the_schema_is_behind_the_migrations(app, client):
    with app.app_context():
        db.session.execute(text("UPDATE alembic_version SET version_num = 'c17a0revisions'"))
        db.session.commit()  # in the test's transaction, rolled back at its end
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.get_json()["checks"] == {"database": "migrations_behind"}


def test_readyz_asks_redis_when_the_limits_live_there(make_app):
    up = make_app(REDIS_URL=REDIS_URL).test_client().get("/readyz")
    assert up.status_code == 200 and up.get_json()["checks"]["redis"] == "ok"
    down = make_app(REDIS_URL=CLOSED_PORT).test_client().get("/readyz")
    assert down.status_code == 503
    assert down.get_json() == {
        "status": "not_ready",
        "checks": {"database": "ok", "redis": "failed"},
    }


@pytest.mark.committing
def test_readyz_is_not_ready_when_the_database_is_away(make_app):
    app = make_app(SQLALCHEMY_DATABASE_URI="postgresql://nobody@127.0.0.1:1/none")
    answer = app.test_client().get("/readyz")
    assert answer.status_code == 503
    assert answer.get_json() == {"status": "not_ready", "checks": {"database": "failed"}}


def test_metrics_answer_the_administrator_only(client, world, token_for, login):
    assert client.get("/metrics").status_code == 401
    chair = token_for(world.users["territorial_chair"])
    assert client.get("/metrics", headers=chair).status_code == 403
    admin = client.get("/metrics", headers=token_for(world.users["cec_admin"]))
    assert admin.status_code == 200
    assert admin.mimetype == "text/plain"
    assert "elections_request_seconds_bucket" in admin.get_data(as_text=True)
    assert login(world.users["cec_admin"]).get("/metrics").status_code == 200


def test_metrics_may_be_opened_to_a_scraper_by_a_setting(make_app):
    assert make_app(METRICS_PUBLIC=True).test_client().get("/metrics").status_code == 200


def test_page_cache_hits_and_misses_are_counted(make_app, world):
    client = make_app(METRICS_PUBLIC=True).test_client()

    def cached(outcome: str) -> float:
        scrape = client.get("/metrics").get_data(as_text=True)
        found = re.search(
            rf'^elections_page_cache_total{{outcome="{outcome}"}} (\S+)$', scrape, re.M
        )
        return float(found.group(1)) if found else 0.0

    before = {outcome: cached(outcome) for outcome in ("hit", "miss", "not_modified")}
    page = f"/api/v1/elections/{world.election_id}/results"
    first = client.get(page)
    assert first.status_code == 200
    assert client.get(page).status_code == 200
    assert client.get(page, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    assert cached("miss") == before["miss"] + 1
    assert cached("hit") == before["hit"] + 1
    assert cached("not_modified") == before["not_modified"] + 1


def _request_lines(captured: str) -> list[dict]:
    return [json.loads(line) for line in captured.splitlines() if line.startswith('{"time"')]


def test_each_request_is_one_json_line_with_its_id_user_endpoint_status_and_time(
    client, world, token_for, capsys
):
    capsys.readouterr()
    headers = {**token_for(world.users["cec_admin"]), "X-Request-ID": "nginx-4f2a9c"}
    answer = client.get("/api/v1/elections", headers=headers)
    assert answer.headers["X-Request-ID"] == "nginx-4f2a9c"
    forged = client.get("/healthz", headers={"X-Request-ID": "a b;forged"})
    assert re.fullmatch(r"[0-9a-f]{32}", forged.headers["X-Request-ID"])
    first, second = _request_lines(capsys.readouterr().err)
    assert first["request_id"] == "nginx-4f2a9c"
    assert first["endpoint"] == "territory_api.list_elections"
    assert first["status"] == 200 and first["method"] == "GET"
    assert first["user"] == world.usernames["cec_admin"]
    assert first["ms"] > 0
    assert second["request_id"] == forged.headers["X-Request-ID"]
    assert second["user"] is None


def test_the_log_never_holds_a_password_or_an_iin(client, world, capsys):
    capsys.readouterr()
    password = "Sekret-Password-42"  # noqa: S105
    iin = "900101300123"
    client.post("/login", data={"username": "no-such-user", "password": password})
    client.post("/where-to-vote", data={"iin": iin})
    client.post("/api/v1/voter-lookup", json={"iin": iin})
    client.get(f"/where-to-vote?iin={iin}&password={password}")
    captured = capsys.readouterr().err
    lines = _request_lines(captured)
    assert [line["path"] for line in lines] == [
        "/login",
        "/where-to-vote",
        "/api/v1/voter-lookup",
        "/where-to-vote",
    ]
    assert iin not in captured and password not in captured


@pytest.mark.committing
def test_two_gunicorn_workers_count_together(committed_app, fresh_database_url, tmp_path):
    env = {
        **os.environ,
        "ELECTIONS_DATABASE_URL": fresh_database_url,
        "SECRET_KEY": "metrics-test-secret-not-for-production",
        "ELECTIONS_ENV": "development",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
        "PYTHONUNBUFFERED": "1",
    }
    server = processes.Gunicorn(env, {"METRICS_PUBLIC": True})
    try:
        server.wait_until_serving()
        calls = 60
        with ThreadPoolExecutor(max_workers=8) as pool:
            answers = list(pool.map(lambda _: server.get("/healthz"), range(calls)))
        while len(server.pids("/healthz")) < 2 and len(answers) < 1000:
            answers.append(server.get("/healthz"))
        assert answers == [200] * len(answers)
        assert len(server.pids("/healthz")) == 2, "both workers answered"
        with urllib.request.urlopen(server.base + "/metrics", timeout=20) as scrape:  # noqa: S310
            text_ = scrape.read().decode()
        found = re.search(
            r'^elections_responses_total{endpoint="health.healthz",status="200"} (\S+)$',
            text_,
            re.M,
        )
        # Every answer, whichever worker gave it (the start-up probes of wait_until_serving
        # among them), as the access log counts them.
        served = [line for line in server.lines if re.match(r"ACCESS \S+ 200 /healthz$", line)]
        assert found and float(found.group(1)) == len(served) >= calls
    finally:
        server.stop()
