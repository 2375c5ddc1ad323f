"""Shared machinery: fresh databases, the data set, the real server, tokens, protocols, a client.

Everything here talks to loopback only: PostgreSQL at 127.0.0.1 and gunicorn on a free
local port. Each helper that waits has a deadline.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PG_ADMIN_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
SECRET = "benchmark-secret-not-for-production"  # noqa: S105 (a throwaway key for loopback runs)


def say(message: str) -> None:
    """Progress goes to stderr; the results table is the only thing on stdout."""
    print(message, file=sys.stderr, flush=True)


# -- databases ---------------------------------------------------------------------------------


@dataclass
class Database:
    engine: str  # "sqlite" or "postgresql"
    url: str
    drop: Callable[[], None]


def fresh_database(engine: str, label: str) -> Database:
    """A brand-new empty database; ``drop()`` removes it again."""
    if engine == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix=f"elections-{label}-"))
        return Database(
            engine,
            f"sqlite:///{folder / 'national.sqlite3'}",
            lambda: shutil.rmtree(folder, ignore_errors=True),
        )
    if engine != "postgresql":
        raise ValueError(f"unknown engine {engine}")
    name = f"elections_{label}_{os.getpid()}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()

    def drop() -> None:
        engine_ = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with engine_.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine_.dispose()

    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    return Database(engine, url, drop)


def make_app(url: str):
    from elections import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET})


def build(app, seed: int, fraction: float, with_protocols: bool = False) -> dict:
    """Migrate the empty database and load the national round into it; returns its summary."""
    from flask_migrate import upgrade

    from elections.core.extensions import db
    from elections.demo.national import Shape, build_plan, load_plan

    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        plan = build_plan(seed, with_protocols=with_protocols, shape=Shape.national(fraction))
        started = time.monotonic()
        load_plan(plan)
        db.session.commit()
        summary = dict(plan.summary, load_seconds=time.monotonic() - started)
        db.session.remove()
    return summary


# -- the server ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn with two workers on a loopback port, as production runs it (without nginx)."""

    def __init__(
        self,
        url: str,
        workers: int = 2,
        port: int | None = None,
        extra: list[str] | None = None,
        environment: dict[str, str] | None = None,
    ):
        self.url = url
        self.workers = workers
        self.extra = extra or []  # more gunicorn options, e.g. ["--threads", "4"]
        self.environment = environment or {}  # more settings, e.g. the read replica's URL
        self.port = port or free_port()
        self.proc: subprocess.Popen | None = None
        self.log_path = Path(tempfile.mkstemp(prefix="gunicorn-", suffix=".log")[1])

    @property
    def command(self) -> list[str]:
        return [
            str(BIN / "gunicorn"),
            "-w",
            str(self.workers),
            "-b",
            f"127.0.0.1:{self.port}",
            *self.extra,
            "elections:create_app()",
        ]

    def env(self) -> dict:
        return {
            **os.environ,
            "ELECTIONS_DATABASE_URL": self.url,
            "SECRET_KEY": SECRET,
            **self.environment,
        }

    def start(self, timeout: float = 60) -> Server:
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: one killpg reaches master and workers
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.log_tail()}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200 and len(self.worker_pids()) >= 1:
                    connection.close()
                    self._wait_workers(deadline)
                    return self
                connection.close()
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer in {timeout} s: {self.log_tail()}")

    def _wait_workers(self, deadline: float) -> None:
        while len(self.worker_pids()) < self.workers and time.monotonic() < deadline:
            time.sleep(0.1)

    def worker_pids(self) -> list[int]:
        if self.proc is None:
            return []
        path = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        try:
            return [int(pid) for pid in path.read_text().split()]
        except OSError:
            return []

    def peak_rss_mb(self) -> dict[int, float]:
        """VmHWM (peak resident set) of each live worker, in MB."""
        peaks = {}
        for pid in self.worker_pids():
            with contextlib.suppress(OSError):
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peaks[pid] = int(line.split()[1]) / 1024
        return peaks

    def stop(self, timeout: float = 20) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> list[int]:
        """SIGKILL the master and every worker at once; returns the pids killed."""
        if self.proc is None:
            return []
        pids = [self.proc.pid, *self.worker_pids()]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)
        return pids

    def log_tail(self, lines: int = 30) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""

    def cleanup(self) -> None:
        self.stop()
        with contextlib.suppress(OSError):
            self.log_path.unlink()


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used, from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def postgres_pids() -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if (entry / "comm").read_text().strip() == "postgres":
                    pids.append(int(entry.name))
    return pids


class CpuMeter:
    """CPU seconds used by the server's workers, by PostgreSQL and by this client meanwhile."""

    def __init__(self, server: Server):
        self.server = server
        self.start = self._sample()

    def _sample(self) -> dict[str, dict[int, float]]:
        return {
            "workers": {p: process_cpu_seconds(p) for p in self.server.worker_pids()},
            "postgres": {p: process_cpu_seconds(p) for p in postgres_pids()},
            "client": {os.getpid(): process_cpu_seconds(os.getpid())},
        }

    def used(self) -> dict[str, float]:
        end = self._sample()
        return {
            part: sum(end[part].get(p, 0.0) - self.start[part].get(p, 0.0) for p in end[part])
            for part in end
        }


# -- tokens and protocols -------------------------------------------------------------------------


def issue_tokens(app) -> dict[int, str]:
    """A fresh API token for each commission's territorial member: organiser unit id -> token."""
    from elections.auth.models import User
    from elections.auth.services import issue_token
    from elections.core.extensions import db

    with app.app_context():
        users = db.session.execute(
            select(User).where(User.role == "territorial_member").order_by(User.id)
        ).scalars()
        tokens = {user.commission_unit_id: issue_token(user) for user in users}
        db.session.commit()
        db.session.remove()
    return tokens


@dataclass
class Job:
    election_id: int
    precinct_id: int
    organiser_id: int
    body: dict
    version: int = 0  # the version this body expects (expected_version)

    @property
    def path(self) -> str:
        return f"/api/v1/elections/{self.election_id}/precincts/{self.precinct_id}/protocol"


def body_of(figures, expected_version: int) -> dict:
    from elections.ballots.models import FIGURE_FIELDS

    body = {name: getattr(figures, name) for name in FIGURE_FIELDS}
    body["votes"] = {str(cid): n for cid, n in figures.votes.items()}
    body["expected_version"] = expected_version
    return body


def protocol_jobs(app, seed: int) -> list[Job]:
    """A consistent first protocol for every precinct, in the order they arrive on election
    night (shuffled), made the way the national demo makes its protocols."""
    from elections.ballots.services import ballot_lines
    from elections.candidates.models import Candidate
    from elections.core.extensions import db
    from elections.demo.national import LEAN, protocol_figures
    from elections.territory.models import Election, Party, Precinct

    with app.app_context():
        session = db.session
        organiser = dict(session.execute(select(Election.id, Election.organiser_id)).all())
        lines = ballot_lines()
        party = dict(
            session.execute(
                select(Candidate.id, Party.short_name).join(Party, Party.id == Candidate.party_id)
            ).all()
        )
        precincts = session.execute(
            select(Precinct.id, Precinct.election_id, Precinct.voters_on_list).order_by(Precinct.id)
        ).all()
        session.remove()
    rng = random.Random(seed * 7919 + 1)
    ordered, strengths = {}, {}
    for election_id in sorted(lines):
        ordered[election_id] = [{"id": line.candidate_id} for line in lines[election_id]]
        strengths[election_id] = [
            rng.gammavariate(2.0, 1.0) * LEAN.get(party.get(line.candidate_id), 1.0)
            for line in lines[election_id]
        ]
    jobs = []
    for precinct_id, election_id, voters in precincts:
        figures = protocol_figures(rng, voters, ordered[election_id], strengths[election_id])
        jobs.append(Job(election_id, precinct_id, organiser[election_id], body_of(figures, 0)))
    rng.shuffle(jobs)
    return jobs


def correction_of(job: Job, version: int) -> Job:
    """The same protocol re-entered over ``version``: every other correction moves one vote of
    the first candidate with votes to the invalid ballots, the next moves it back."""
    body = json.loads(json.dumps(job.body))
    body["expected_version"] = version
    if version % 2 == 1:
        for cid, votes in body["votes"].items():
            if votes > 0:
                body["votes"][cid] = votes - 1
                body["invalid_ballots"] += 1
                break
    return Job(job.election_id, job.precinct_id, job.organiser_id, body, version)


# -- the client ---------------------------------------------------------------------------------


class Http:
    """One HTTP/1.1 connection, kept alive while the server allows it and reopened when not."""

    def __init__(self, port: int, timeout: float = 30):
        self.port = port
        self.timeout = timeout
        self.connection: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body=None, headers=None) -> tuple[int, object]:
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, self.timeout)
        payload = None if body is None else json.dumps(body).encode()
        all_headers = {"Accept": "application/json", **(headers or {})}
        if payload is not None:
            all_headers["Content-Type"] = "application/json"
        try:
            self.connection.request(method, path, payload, all_headers)
            response = self.connection.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException):
            self.close()
            raise
        if response.will_close:
            self.close()
        try:
            answer = json.loads(raw) if raw else None
        except ValueError:
            answer = raw.decode(errors="replace")
        return response.status, answer

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


@dataclass
class IngestResult:
    statuses: Counter = field(default_factory=Counter)
    acknowledged: dict[int, dict] = field(default_factory=dict)  # precinct id -> 200 answer
    unacknowledged: list[Job] = field(default_factory=list)  # sent, no answer (or not sent)
    errors: list[str] = field(default_factory=list)
    envelopes_ok: int = 0  # 503 answers that carried the error envelope
    latencies: list[float] = field(default_factory=list)
    first_503: float | None = None
    last_503: float | None = None
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return len(self.acknowledged) / self.seconds if self.seconds else 0.0


def run_ingest(
    port: int,
    jobs: Iterable[Job],
    tokens: dict[int, str],
    *,
    connections: int = 8,
    deadline: float = 300,
    key_prefix: str = "ingest",
    retry_unavailable: bool = False,
    stop: threading.Event | None = None,
    on_answer: Callable[[Job, int], None] | None = None,
    rate: float | None = None,
) -> IngestResult:
    """Send the protocols with ``connections`` concurrent keep-alive clients, each with its
    Idempotency-Key. A 503 is retried (same key and body) when ``retry_unavailable``; a
    connection error leaves the protocol unacknowledged. Stops at ``deadline`` seconds.
    With ``rate``, protocols leave at that pace (per second) instead of as fast as answered."""
    queue = list(jobs)[::-1]
    lock = threading.Lock()
    result = IngestResult()
    stop = stop or threading.Event()
    started = time.monotonic()
    ends = started + deadline
    sent = [0]

    def take() -> Job | None:
        with lock:
            if not queue:
                return None
            due = started + sent[0] / rate if rate else 0.0
            sent[0] += 1
            job = queue.pop()
        if due:
            time.sleep(max(0.0, min(due, ends) - time.monotonic()))
        return job

    def worker() -> None:
        client = Http(port)
        while not stop.is_set() and time.monotonic() < ends:
            job = take()
            if job is None:
                break
            headers = {
                "Authorization": f"Bearer {tokens[job.organiser_id]}",
                "Idempotency-Key": f"{key_prefix}-{job.precinct_id}-v{job.version}",
            }
            while True:
                sent = time.monotonic()
                try:
                    status, answer = client.request("PUT", job.path, job.body, headers)
                except (OSError, http.client.HTTPException) as error:
                    with lock:
                        result.statuses["connection_error"] += 1
                        result.unacknowledged.append(job)
                        if len(result.errors) < 5:
                            result.errors.append(f"{type(error).__name__}: {error}")
                    break
                took = time.monotonic() - sent
                with lock:
                    result.statuses[status] += 1
                    result.latencies.append(took)
                    if status == 200:
                        result.acknowledged[job.precinct_id] = answer
                    if status == 503:
                        now = time.monotonic() - started
                        result.first_503 = result.first_503 if result.first_503 else now
                        result.last_503 = now
                        if isinstance(answer, dict) and answer.get("errors", [{}])[0].get("code"):
                            result.envelopes_ok += 1
                    elif status != 200 and len(result.errors) < 5:
                        result.errors.append(f"{status} {job.path}: {str(answer)[:300]}")
                if on_answer:
                    on_answer(job, status)
                if status == 503 and retry_unavailable and not stop.is_set():
                    if time.monotonic() > ends:
                        with lock:
                            result.unacknowledged.append(job)
                        break
                    time.sleep(0.25)
                    continue
                if status != 200:
                    with lock:
                        result.unacknowledged.append(job)
                break
        client.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.1, ends - time.monotonic()) + 35)
    result.seconds = time.monotonic() - started
    with lock:
        result.unacknowledged.extend(reversed(queue))  # never sent
        queue.clear()
    return result


def flask_cli(url: str, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run ``flask --app elections ARGS`` against the database at ``url``."""
    return subprocess.run(
        [str(BIN / "flask"), "--app", "elections", *args],
        cwd=ROOT,
        env={**os.environ, "ELECTIONS_DATABASE_URL": url, "SECRET_KEY": SECRET},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def national_round(app, seed: int, fraction: float) -> tuple[dict, dict[int, str], list[Job]]:
    """Load the national round into the app's empty database: its summary, a token per
    commission and the protocol of every precinct, ready to send."""
    summary = build(app, seed, fraction)
    return summary, issue_tokens(app), protocol_jobs(app, seed)
