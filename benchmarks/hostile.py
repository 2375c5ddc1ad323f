"""Protocol saves while anonymous clients hammer the public lists and the sign-in form.

Eight anonymous keep-alive clients loop, each in turn: ``GET /api/v1/elections``, ``GET
/api/v1/units`` and ``GET /api/v1/elections/{id}/precincts`` (a page chosen at random, with a
made-up parameter that changes on every request, as a cache-busting attacker sends), then a
failed sign-in through the real form (its CSRF token and cookie, a predictable user name, a
wrong password). Meanwhile the commissions' protocol corrections arrive through the API at
``rate`` a second; the figure is their p99 latency (goal: at most 100 ms). The readers run in
a process of their own, so the figure is the server's, not the timing client's.
"""

from __future__ import annotations

import http.client
import multiprocessing
import random
import re
import statistics
import threading
import time
import urllib.parse
from collections import Counter

from benchmarks.common import Job, correction_of, run_ingest

CLIENTS = 8
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _current_versions(app, jobs: list[Job]) -> list[Job]:
    """A correction of every protocol over its current version, in elections still open."""
    from sqlalchemy import select

    from elections.ballots.models import ProtocolVersion
    from elections.core.extensions import db
    from elections.territory.models import Election

    with app.app_context():
        versions = dict(
            db.session.execute(
                select(ProtocolVersion.precinct_id, ProtocolVersion.version).where(
                    ProtocolVersion.is_current
                )
            ).all()
        )
        open_ids = set(
            db.session.execute(select(Election.id).where(Election.state == "open")).scalars()
        )
        db.session.remove()
    stream = [
        correction_of(job, versions[job.precinct_id])
        for job in jobs
        if job.precinct_id in versions and job.election_id in open_ids
    ]
    random.Random(13).shuffle(stream)
    return stream


class _Anonymous:
    """One hostile reader: its own connection, its own cookie."""

    def __init__(self, port: int, election_ids: list[int], pages: dict[str, int], seed: int):
        self.port = port
        self.election_ids = election_ids
        self.pages = pages
        self.random = random.Random(seed)
        self.connection: http.client.HTTPConnection | None = None
        self.statuses: Counter = Counter()
        self.cookie = ""

    def _send(self, method: str, path: str, body: bytes | None = None, headers=None):
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            self.connection.request(method, path, body, headers or {})
            response = self.connection.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException):
            self.statuses["connection_error"] += 1
            if self.connection is not None:
                self.connection.close()
            self.connection = None
            return None, b""
        for name, value in response.getheaders():
            if name.lower() == "set-cookie" and value.startswith("session="):
                self.cookie = value.split(";", 1)[0]
        if response.will_close:
            self.connection.close()
            self.connection = None
        return response.status, raw

    def _list(self, kind: str, path: str) -> None:
        page = self.random.randint(1, max(1, self.pages.get(kind, 1)))
        bust = self.random.getrandbits(48)
        status, _ = self._send("GET", f"{path}?per_page=100&page={page}&utm={bust}")
        self.statuses[f"{kind} {status}"] += 1

    def _failed_sign_in(self) -> None:
        status, raw = self._send("GET", "/login?lang=en", headers={"Cookie": self.cookie})
        token = _CSRF.search(raw.decode(errors="replace")) if status == 200 else None
        if token is None:
            self.statuses[f"login form {status}"] += 1
            return
        form = urllib.parse.urlencode(
            {
                "csrf_token": token.group(1),
                "username": f"tec-{self.random.randint(100000000, 999999999)}",
                "password": "wrong-password-guess",
            }
        ).encode()
        status, _ = self._send(
            "POST",
            "/login?lang=en",
            form,
            {"Content-Type": "application/x-www-form-urlencoded", "Cookie": self.cookie},
        )
        self.statuses[f"sign-in {status}"] += 1

    def loop(self, stop: threading.Event) -> None:
        while not stop.is_set():
            self._list("elections", "/api/v1/elections")
            self._list("units", "/api/v1/units")
            election = self.random.choice(self.election_ids)
            self._list("precincts", f"/api/v1/elections/{election}/precincts")
            self._failed_sign_in()
        if self.connection is not None:
            self.connection.close()


def _read_until_stopped(port: int, election_ids, pages, stop, results) -> None:
    """The readers, in a process of their own: in the process that times the saves, their
    threads parsing 120 KB list pages would hold its interpreter lock, and a save's answer
    would wait in the socket for the client rather than for the server."""
    readers = [_Anonymous(port, election_ids, pages, seed) for seed in range(CLIENTS)]
    threads = [threading.Thread(target=r.loop, args=(stop,), daemon=True) for r in readers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses: Counter = Counter()
    for reader in readers:
        statuses.update(reader.statuses)
    results.put(dict(statuses))


def saves_under_public_load(
    app, server, jobs: list[Job], tokens: dict, seconds: float, rate: float = 20.0
) -> dict:
    stream = _current_versions(app, jobs)
    election_ids = sorted({job.election_id for job in jobs})
    probe = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    pages = {}
    for kind, path in (("elections", "/api/v1/elections"), ("units", "/api/v1/units")):
        probe.request("GET", f"{path}?per_page=100")
        response = probe.getresponse()
        response.read()
        pages[kind] = -(-int(response.getheader("X-Total-Count", "1")) // 100)
    probe.close()
    context = multiprocessing.get_context("fork")
    stop, results = context.Event(), context.Queue()
    readers = context.Process(
        target=_read_until_stopped, args=(server.port, election_ids, pages, stop, results)
    )
    readers.start()
    time.sleep(3)  # the readers are at full speed before the first save is timed
    saves_stop = threading.Event()
    timer = threading.Timer(seconds, saves_stop.set)
    try:
        timer.start()
        saved = run_ingest(
            server.port,
            stream,
            tokens,
            connections=2,
            deadline=seconds + 30,
            key_prefix="under-load",
            stop=saves_stop,
            rate=rate,
        )
    finally:
        timer.cancel()
        stop.set()
    statuses = Counter(results.get(timeout=90))
    readers.join(30)
    latencies = sorted(saved.latencies)
    p99 = latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))] if latencies else None
    return {
        "saves": len(saved.acknowledged),
        "save_statuses": dict(saved.statuses),
        "p50_ms": 1000 * statistics.median(latencies) if latencies else None,
        "p99_ms": 1000 * p99 if p99 is not None else None,
        "reader_requests": sum(statuses.values()),
        "reader_rate": sum(statuses.values()) / (seconds + 3),
        "reader_statuses": dict(statuses),
    }
