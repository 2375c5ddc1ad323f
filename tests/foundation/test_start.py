"""The README's run command for real: ``flask --app elections start`` as a subprocess serving
on a free port, stopped and started again on the same database, then used over HTTP as a
person would (the sign-in form with its CSRF token, the protocol form).

Nothing here is stubbed: the server is the one ``start`` runs, the database a file (or, when
ELECTIONS_TEST_DATABASE_URL is set, a fresh PostgreSQL database as well) that nothing else
uses. The logins file goes to the test's own folder, never to the checkout's instance/.
"""

from __future__ import annotations

import http.cookiejar
import os
import sqlite3
import stat
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from elections.auth.models import ROLES
from elections.demo import region as demo
from tests import processes
from tests.processes import free_port

pytestmark = pytest.mark.committing

FLASK = str(Path(sys.executable).with_name("flask"))
ENGINES = ["sqlite"] + (["postgresql"] if os.environ.get("ELECTIONS_TEST_DATABASE_URL") else [])
# Enough for a cold start (migrations, the demo with its argon2 hashes) on a busy machine.
START_TIMEOUT = 90
# What a person waits for at most, per request. Idle, a sign-in takes about 0.1 s and a save
# less; the bound leaves room for a loaded CI machine, and is a third of what a held write lock
# costs (the old code made the sign-in wait SQLite's 30 s busy timeout, then answer 503).
PATIENCE = 10.0


@pytest.fixture
def database(request, tmp_path) -> Iterator[str]:
    """An empty database, never migrated: ``start`` migrates it itself."""
    engine = getattr(request, "param", "sqlite")
    if engine == "sqlite":
        yield "sqlite:///" + str(tmp_path / "served.sqlite3")
        return
    url = make_url(os.environ["ELECTIONS_TEST_DATABASE_URL"])
    server = url.set(drivername="postgresql", database="postgres")
    server_dsn = server.render_as_string(hide_password=False)
    name = f"elections_start_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(server_dsn, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def environment(database_url: str, logins_file: Path, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "ELECTIONS_DATABASE_URL": database_url,
        "ELECTIONS_DEMO_LOGINS_FILE": str(logins_file),
        "SECRET_KEY": "start-test-secret-not-for-production",
        "ELECTIONS_ENV": "development",
        "LANG": "C.UTF-8",
        "PYTHONUNBUFFERED": "1",
    }
    for name in ("LC_ALL", "LC_MESSAGES", "LANGUAGE", "FLASK_APP", "FLASK_RUN_FROM_CLI"):
        env.pop(name, None)
    env.update(extra)
    return env


class Server:
    """``flask --app elections start --port PORT`` running, its output collected as it comes."""

    def __init__(self, env: dict[str, str], cwd: Path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            [FLASK, "--app", "elections", "start", "--port", str(self.port)],
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def wait_until_serving(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"start exited early:\n{self.output}"
            try:
                health = urllib.request.urlopen(self.base + "/healthz", timeout=2)  # noqa: S310
                with health as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        raise AssertionError(f"start did not serve within {START_TIMEOUT} s:\n{self.output}")

    def stop(self) -> None:
        processes.stop(self.process, timeout=15)
        self.reader.join(timeout=5)
        self.process.stdout.close()


@pytest.fixture
def servers() -> Iterator[list[Server]]:
    started: list[Server] = []
    yield started
    for server in started:
        server.stop()


def start(servers: list[Server], env: dict[str, str], cwd: Path) -> Server:
    server = Server(env, cwd)
    servers.append(server)
    server.wait_until_serving()
    return server


def printed_logins(output: str) -> dict[str, tuple[str, str, str]]:
    """username -> (password, role, scope) from the table ``start`` prints; {} without one."""
    if "Demo logins" not in output:
        return {}
    lines = output.split("Demo logins", 1)[1].splitlines()[1:]
    rows = [line.split() for line in lines if line.startswith("  ")]
    return {row[0]: (row[1], row[2], row[3]) for row in rows}


class Forms(HTMLParser):
    """Every form of a page: its action and the names and values of its inputs."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self.forms.append((attributes.get("action") or "", {}))
        elif tag == "input" and self.forms and attributes.get("name"):
            self.forms[-1][1][attributes["name"]] = attributes.get("value") or ""


def forms_of(html: str) -> list[tuple[str, dict[str, str]]]:
    parser = Forms()
    parser.feed(html)
    return parser.forms


class Browser:
    """A person with a cookie jar: every request must answer within PATIENCE seconds."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def _open(self, path: str, data: dict[str, str] | None = None) -> tuple[str, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        started = time.monotonic()
        with self.opener.open(self.base + path, data=body, timeout=PATIENCE) as response:
            page = response.read().decode()
            url = response.geturl()
        took = time.monotonic() - started
        assert took < PATIENCE, f"{path} took {took:.1f} s"
        return url, page

    def get(self, path: str) -> tuple[str, str]:
        return self._open(path)

    def post(self, path: str, data: dict[str, str]) -> tuple[str, str]:
        return self._open(path, data)


def sign_in(browser: Browser, username: str, password: str) -> str:
    _url, page = browser.get("/login")
    _action, fields = next(form for form in forms_of(page) if "csrf_token" in form[1])
    url, page = browser.post("/login", {**fields, "username": username, "password": password})
    assert not urllib.parse.urlsplit(url).path.startswith("/login"), "signed in"
    return page


def save_the_last_protocol(browser: Browser, precinct_id: int) -> str:
    """Fill in precinct 702's protocol of the Викторовка election (figures that hold) and post."""
    path = f"/precincts/{precinct_id}/protocol"
    _url, page = browser.get(path)
    _action, fields = next(form for form in forms_of(page) if form[0].endswith(path))
    votes = sorted(name for name in fields if name.startswith("votes-"))
    assert len(votes) == 3, fields
    figures = {
        "voters_on_list": "615",
        "ballots_received": "622",
        "ballots_issued": "430",
        "ballots_cancelled": "192",
        "ballots_in_boxes": "430",
        "invalid_ballots": "5",
        "against_all": "12",
        **dict(zip(votes, ("120", "231", "62"), strict=True)),
    }
    url, page = browser.post(path, {**fields, **figures})
    assert urllib.parse.urlsplit(url).query == "saved=1", (url, page[:2000])
    return page


def count(database_url: str, query: str, **params) -> int:
    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as connection:
            return connection.execute(text(query), params).scalar_one()
    finally:
        engine.dispose()


# --- the tests --------------------------------------------------------------------------


@pytest.mark.parametrize("database", ENGINES, indirect=True)
def test_a_second_start_serves_sign_in_and_saves_at_once(database, servers, tmp_path):
    logins_file = tmp_path / "demo-logins.txt"
    env = environment(database, logins_file)

    first = start(servers, env, tmp_path)
    logins = printed_logins(first.output)
    assert logins["precinct-702"][1] == "precinct_secretary", first.output
    assert {role for _password, role, _scope in logins.values()} == set(ROLES)
    assert f"http://127.0.0.1:{first.port}/" in first.output
    assert stat.S_IMODE(logins_file.stat().st_mode) == 0o600, "the passwords are owner-only"
    first.stop()

    second = start(servers, env, tmp_path)
    assert printed_logins(second.output) == logins, "the second start shows the same logins"
    assert count(database, "SELECT count(*) FROM units") == len(demo.UNITS), "loaded once"

    browser = Browser(second.base)
    password, _role, precinct = logins["precinct-702"]
    began = time.monotonic()
    sign_in(browser, "precinct-702", password)
    save_the_last_protocol(browser, int(precinct))
    assert time.monotonic() - began < 2 * PATIENCE, "signed in and saved in a few seconds"
    saved = "SELECT count(*) FROM protocol_versions WHERE precinct_id = :precinct"
    assert count(database, saved, precinct=int(precinct)) == 1, "the protocol is stored"


def run_cli(env: dict[str, str], cwd: Path, *args: str, input: str | None = None) -> str:
    done = subprocess.run(
        [FLASK, "--app", "elections", *args],
        env=env,
        cwd=cwd,
        input=input,
        capture_output=True,
        text=True,
        timeout=START_TIMEOUT,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_start_never_shows_the_logins_of_another_database(servers, tmp_path):
    logins_file = tmp_path / "demo-logins.txt"
    demo_path = tmp_path / "demo.sqlite3"
    demo_url = f"sqlite:///{demo_path}"
    first = start(servers, environment(demo_url, logins_file), tmp_path)
    old = printed_logins(first.output)
    assert {role for _password, role, _scope in old.values()} == set(ROLES), first.output
    first.stop()
    remembered = logins_file.read_text()

    # Another database, which a real install has begun: it holds only its first administrator.
    real_url = f"sqlite:///{tmp_path / 'real.sqlite3'}"
    real = environment(real_url, logins_file)
    run_cli(real, tmp_path, "db", "upgrade")
    run_cli(
        real,
        tmp_path,
        *("users", "create", "first-admin", "--role", "cec_admin", "--password-stdin"),
        input="a long and quiet steppe morning\n",
    )
    served = start(servers, real, tmp_path)
    assert "Demo logins" not in served.output
    assert not [password for password, *_rest in old.values() if password in served.output]
    assert count(real_url, "SELECT count(*) FROM units") == 0, "no demo in a real install"
    assert count(real_url, "SELECT count(*) FROM users") == 1
    served.stop()
    assert logins_file.read_text() == remembered, "the demo's file is left as it was"

    # The same path, another database: the demo's file replaced by a new demo of its own
    # (whose logins went elsewhere). The same user names, other passwords: none is shown.
    for suffix in ("", "-wal", "-shm"):
        Path(f"{demo_path}{suffix}").unlink(missing_ok=True)
    elsewhere = environment(demo_url, tmp_path / "elsewhere.txt")
    run_cli(elsewhere, tmp_path, "db", "upgrade")
    new = printed_logins(run_cli(elsewhere, tmp_path, "demo"))
    assert set(new) == set(old) and new != old
    replaced = start(servers, environment(demo_url, logins_file), tmp_path)
    assert "Demo logins" not in replaced.output
    assert not [password for password, *_rest in old.values() if password in replaced.output]
    replaced.stop()

    # With the file that belongs to it, the same database shows its own logins.
    mine = start(servers, environment(demo_url, tmp_path / "elsewhere.txt"), tmp_path)
    assert printed_logins(mine.output) == new


def test_audit_verify_only_reads_and_never_waits_for_the_write_lock(servers, tmp_path):
    """A command that only reads does not queue behind writers: while another process holds
    SQLite's write lock (a server saving, a long import), ``audit verify`` runs at once on the
    last committed state (before, it began IMMEDIATE and waited 30 s, then failed)."""
    path = tmp_path / "busy.sqlite3"
    env = environment(f"sqlite:///{path}", tmp_path / "demo-logins.txt")
    start(servers, env, tmp_path).stop()

    writer = sqlite3.connect(path, isolation_level=None, timeout=1)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("DELETE FROM audit_head")  # not committed: verify must not see it
    try:
        began = time.monotonic()
        verified = run_cli(env, tmp_path, "audit", "verify")
        assert time.monotonic() - began < PATIENCE, "it did not wait for the writer"
        assert "audit trail intact" in verified
    finally:
        writer.execute("ROLLBACK")
        writer.close()
