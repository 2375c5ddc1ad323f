"""``python -m benchmarks.replication``: the production shape of docs/deployment.md, drilled.

a. ``failover``: a primary with one synchronous standby (``synchronous_commit =
   remote_apply``). SIGKILL the primary in the middle of the national ingest, promote the
   standby, restart gunicorn on it. Every protocol the client saw acknowledged is there
   exactly once, ``audit verify --expect-head`` holds with the last head the public saw, and
   re-sending the unacknowledged protocols with their Idempotency-Key completes the set.
b. ``pitr``: a base backup and the WAL archive. A deliberately wrong correction is made;
   the database is restored to the instant just before it (the correction's own audit time),
   ``audit verify`` holds and the results equal those published at that moment.
c. ``sqlite-backup``: ``flask backup`` while the ingest writes on; the copy restores, holds
   every protocol acknowledged before the backup began, and verifies.
d. ``lag``: an asynchronous standby behind a primary under the national ingest, the public
   pages read from it (``ELECTIONS_READ_DATABASE_URL``): how far behind it runs.

Each drill makes its clusters in a temporary folder (benchmarks/clusters.py) and removes
them; each has a time limit and prints its counts (acknowledged, stored, lost, seconds), and
the run exits non-zero when a check fails. Loopback only.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import psycopg

from benchmarks.clusters import AS_POSTGRES, REPLAYED, WRITTEN, Cluster, Clusters
from benchmarks.common import (
    Http,
    Job,
    Server,
    correction_of,
    flask_cli,
    fresh_database,
    make_app,
    national_round,
    run_ingest,
    say,
)
from benchmarks.faults import DrillFailed, audit_verify, check, stored_state

HEAD = "/api/v1/audit/head"


def _dispose(app) -> None:
    from elections.core.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _tear_down(servers: list[Server], apps: list, clusters: Clusters | None = None) -> None:
    for server in servers:
        server.cleanup()
    for app in apps:
        _dispose(app)
    if clusters is not None:
        clusters.close()


def _national_on(primary: Cluster, label: str, seed: int, fraction: float, apps: list):
    """The national round in a new database on ``primary``: its URL, an app on it (kept in
    ``apps`` for the tear-down), a token per commission and the protocols to send."""
    url = primary.create_database("elections")
    app = make_app(url)
    apps.append(app)
    say(f"[{label}] building the data set (fraction {fraction}) ...")
    _summary, tokens, jobs = national_round(app, seed, fraction)
    return url, app, tokens, jobs


def _exactly_once(state: dict, acknowledged: dict[int, dict]) -> list[int]:
    """Precincts acknowledged but not stored as exactly one version with the digest answered."""
    wrong = []
    for precinct_id, answer in acknowledged.items():
        rows = state["versions"].get(precinct_id, [])
        if len(rows) != 1 or rows[0].digest != answer["digest"]:
            wrong.append(precinct_id)
    return wrong


class HeadWatcher:
    """A member of the public who keeps the newest audit head the service published."""

    def __init__(self, port: int):
        self.port = port
        self.last: dict | None = None
        self.seen = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        client = Http(self.port, timeout=5)
        while not self._stop.is_set():
            try:
                status, answer = client.request("GET", HEAD)
            except Exception:  # noqa: BLE001 (a dying server answers anything; keep watching)
                status, answer = -1, None
            if status == 200 and (self.last is None or answer["seq"] >= self.last["seq"]):
                self.last = answer
                self.seen += 1
            self._stop.wait(0.1)
        client.close()

    def stop(self) -> dict | None:
        self._stop.set()
        self._thread.join(10)
        return self.last


# -- a. failover ----------------------------------------------------------------------------------


def drill_failover(seed: int, fraction: float, kill_at: float) -> dict:
    clusters = Clusters("failover")
    servers: list[Server] = []
    apps = []
    try:
        primary = clusters.primary(sync_standby="standby")
        standby = clusters.standby(primary, "standby")
        url, app, tokens, jobs = _national_on(primary, "failover", seed, fraction, apps)
        by_precinct = {job.precinct_id: job for job in jobs}
        (sync_state,) = primary.sql("SELECT sync_state FROM pg_stat_replication")[0]
        check(sync_state == "sync", f"the standby is {sync_state}, not synchronous")
        server = Server(url).start()
        servers.append(server)
        watcher = HeadWatcher(server.port)
        target = max(1, int(len(jobs) * kill_at))
        reached, stop = threading.Event(), threading.Event()
        count = Counter()
        lock = threading.Lock()
        moments: dict[str, float] = {}

        def on_answer(_job: Job, status: int) -> None:
            with lock:
                count[status] += 1
                if count[200] >= target:
                    reached.set()

        def killer() -> None:
            if reached.wait(600):
                time.sleep(0.005 + (seed % 5) * 0.003)  # between answers, mid-transaction
                moments["killed"] = time.monotonic()
                primary.kill()
                time.sleep(1.0)  # the clients meet the dead database, and give up
                stop.set()

        thread = threading.Thread(target=killer, daemon=True)
        thread.start()
        say(f"[failover] ingesting; SIGKILL of the primary after {target:,} acknowledgements")
        first = run_ingest(server.port, jobs, tokens, deadline=600, stop=stop, on_answer=on_answer)
        thread.join(30)
        check("killed" in moments, "the primary was never killed (the ingest ended first)")
        public_head = watcher.stop()
        check(public_head is not None, "the public never saw a head")
        acknowledged = dict(first.acknowledged)

        standby.promote()
        # The standby's settings came with its base backup: as a primary it would wait for
        # a synchronous standby named "standby" (itself) and no commit would ever return.
        # Until a new standby is attached, it commits alone.
        standby.sql("ALTER SYSTEM SET synchronous_standby_names = ''")
        standby.sql("SELECT pg_reload_conf()")
        moments["promoted"] = time.monotonic()
        new_url = standby.url("elections")
        server.stop(timeout=5)
        restarted = Server(new_url).start()
        servers.append(restarted)
        moments["serving"] = time.monotonic()
        say(f"[failover] promoted and serving in {moments['serving'] - moments['killed']:.1f} s")

        new_app = make_app(new_url)
        apps.append(new_app)
        state = stored_state(new_app)
        wrong = _exactly_once(state, acknowledged)
        check(not wrong, f"acknowledged but not stored exactly once: {wrong[:10]}")
        check(not state["half_written"], f"half-written: {state['half_written'][:10]}")
        expect = f"{public_head['seq']}:{public_head['hash']}"
        held = flask_cli(new_url, "audit", "verify", "--expect-head", expect, timeout=600)
        check(held.returncode == 0, f"audit verify --expect-head {expect}: {held.stdout}")
        stored = {p for p, rows in state["versions"].items() if rows}
        unacknowledged = [by_precinct[p] for p in sorted(by_precinct) if p not in acknowledged]
        resent = run_ingest(restarted.port, unacknowledged, tokens, deadline=600)
        final = stored_state(new_app)
        complete = [p for p in by_precinct if len(final["versions"].get(p, [])) == 1]
        lost = len(by_precinct) - len(complete)
        check(lost == 0, f"{lost} protocols lost")
        check(final["version_rows"] == len(by_precinct), "a protocol was stored twice")
        code, verdict = audit_verify(new_url)
        check(code == 0, f"audit verify at the end: {verdict}")
        return {
            "protocols": len(jobs),
            "acknowledged": len(acknowledged),
            "stored_after_failover": len(stored),
            "stored_but_unacknowledged": len(stored - set(acknowledged)),
            "lost": lost,
            "public_head": expect[:24] + "...",
            "public_heads_seen": watcher.seen,
            "expect_head_holds": True,
            "resent": len(unacknowledged),
            "resent_statuses": dict(resent.statuses),
            "stored_final": len(complete),
            "promote_seconds": round(moments["promoted"] - moments["killed"], 2),
            "restart_seconds": round(moments["serving"] - moments["promoted"], 2),
            "kill_to_serving_seconds": round(moments["serving"] - moments["killed"], 2),
            "audit_final": verdict,
        }
    finally:
        _tear_down(servers, apps, clusters)


# -- b. point-in-time restore ---------------------------------------------------------------------


def _published(port: int, election_id: int) -> dict:
    client = Http(port)
    documents = {}
    for path in (f"/api/v1/elections/{election_id}/results", "/api/v1/results", HEAD):
        status, answer = client.request("GET", path)
        check(status == 200, f"GET {path}: {status}")
        documents[path] = answer
    client.close()
    return documents


def _correction_instant(app, precinct_id: int) -> str:
    """When the wrong correction was recorded: its own audit event's time."""
    from sqlalchemy import select

    from elections.core.audit import AuditEvent
    from elections.core.extensions import db

    with app.app_context():
        at = db.session.execute(
            select(AuditEvent.at)
            .where(AuditEvent.action == "protocol.saved", AuditEvent.entity_type == "protocol")
            .where(AuditEvent.entity_id == str(precinct_id))
            .where(AuditEvent.payload.contains('"version":2'))
        ).scalar_one()
        db.session.remove()
    return at.isoformat()


def _restore(clusters: Clusters, base: Cluster, name: str, target_time: str) -> Cluster:
    restored = Cluster(clusters.folder, name)
    shutil.copytree(base.data, restored.data, symlinks=True)
    if AS_POSTGRES:
        for path in [restored.data, *restored.data.rglob("*")]:
            shutil.chown(path, "postgres", "postgres")
    (restored.data / "postmaster.pid").unlink(missing_ok=True)
    restored.configure(
        port=restored.port,
        archive_mode="off",
        restore_command=f"cp {clusters.archive}/%f %p",
        recovery_target_time=target_time,
        recovery_target_inclusive="false",
        recovery_target_action="promote",
    )
    (restored.data / "recovery.signal").touch()
    if AS_POSTGRES:
        shutil.chown(restored.data / "recovery.signal", "postgres", "postgres")
    clusters.members.append(restored)
    restored.start()
    deadline = time.monotonic() + 300
    while restored.sql("SELECT pg_is_in_recovery()")[0][0]:
        check(time.monotonic() < deadline, "the restore did not end its recovery")
        time.sleep(0.1)
    return restored


def drill_pitr(seed: int, fraction: float) -> dict:
    clusters = Clusters("pitr")
    servers: list[Server] = []
    apps = []
    try:
        primary = clusters.primary(archive=True)
        url, app, tokens, jobs = _national_on(primary, "pitr", seed, fraction, apps)
        base = clusters.base_backup(primary, "base")
        say("[pitr] base backup taken; ingesting ...")
        server = Server(url).start()
        servers.append(server)
        ingest = run_ingest(server.port, jobs, tokens, deadline=600)
        check(len(ingest.acknowledged) == len(jobs), f"ingest incomplete: {ingest.statuses}")
        victim = jobs[0]
        published = _published(server.port, victim.election_id)
        time.sleep(1.0)  # the wrong correction comes a moment after what the public read
        wrong = correction_of(victim, 1)
        wrong.body["votes"] = {cid: 0 for cid in wrong.body["votes"]}
        wrong.body["invalid_ballots"] = wrong.body["ballots_in_boxes"] - wrong.body["against_all"]
        headers = {
            "Authorization": f"Bearer {tokens[victim.organiser_id]}",
            "Idempotency-Key": "the-wrong-correction",
        }
        status, answer = Http(server.port).request("PUT", victim.path, wrong.body, headers)
        check(status == 200, f"the wrong correction was refused: {status} {answer}")
        after = _published(server.port, victim.election_id)
        check(after != published, "the wrong correction changed nothing published")
        instant = _correction_instant(app, victim.precinct_id)
        (segment,) = primary.sql("SELECT pg_walfile_name(pg_switch_wal())")[0]
        deadline = time.monotonic() + 60
        while not (clusters.archive / segment).exists():
            check(time.monotonic() < deadline, f"WAL segment {segment} was never archived")
            time.sleep(0.1)
        server.stop()
        primary.stop()
        say(f"[pitr] restoring to just before {instant} ...")
        started = time.monotonic()
        restored = _restore(clusters, base, "restored", instant)
        restore_seconds = time.monotonic() - started
        restored_url = restored.url("elections")
        restored_app = make_app(restored_url)
        apps.append(restored_app)
        state = stored_state(restored_app)
        missing = _exactly_once(state, ingest.acknowledged)
        lost = len(missing)
        check(lost == 0, f"{lost} acknowledged protocols not restored: {missing[:10]}")
        check(state["version_rows"] == len(jobs), "the wrong correction survived the restore")
        head = published[HEAD]
        code, verdict = audit_verify(restored_url)
        check(code == 0, f"audit verify after the restore: {verdict}")
        held = flask_cli(
            restored_url, "audit", "verify", "--expect-head", f"{head['seq']}:{head['hash']}"
        )
        check(held.returncode == 0, f"the published head is not held: {held.stdout}")
        again = Server(restored_url).start()
        servers.append(again)
        now = _published(again.port, victim.election_id)
        same = {path: now[path] == published[path] for path in published}
        check(all(same.values()), f"results differ from those published then: {same}")
        return {
            "protocols": len(jobs),
            "acknowledged": len(ingest.acknowledged),
            "stored_after_restore": len(jobs) - lost,
            "lost": lost,
            "wrong_correction_undone": True,
            "restored_to": instant,
            "results_equal_published": True,
            "restore_seconds": round(restore_seconds, 2),
            "audit": verdict,
        }
    finally:
        _tear_down(servers, apps, clusters)


# -- c. SQLite online backup ---------------------------------------------------------------------


def drill_sqlite_backup(seed: int, fraction: float, at: float) -> dict:
    database = fresh_database("sqlite", "backup")
    folder = Path(tempfile.mkdtemp(prefix="elections-restore-"))
    servers: list[Server] = []
    apps = []
    try:
        app = make_app(database.url)
        apps.append(app)
        say(f"[sqlite-backup] building the data set (fraction {fraction}) ...")
        _summary, tokens, jobs = national_round(app, seed, fraction)
        by_precinct = {job.precinct_id: job for job in jobs}
        server = Server(database.url).start()
        servers.append(server)
        reached = threading.Event()
        answered: set[int] = set()  # precincts acknowledged so far
        lock = threading.Lock()

        def on_answer(job: Job, status: int) -> None:
            with lock:
                if status == 200:
                    answered.add(job.precinct_id)
                if len(answered) >= len(jobs) * at:
                    reached.set()

        outcome: dict = {}
        ingest = threading.Thread(
            target=lambda: outcome.setdefault(
                "result", run_ingest(server.port, jobs, tokens, deadline=600, on_answer=on_answer)
            )
        )
        ingest.start()
        check(reached.wait(600), "the ingest never reached the backup's moment")
        copy = folder / "backup.sqlite3"
        with lock:
            before = set(answered)
        started = time.monotonic()
        backup = flask_cli(database.url, "backup", str(copy))
        backup_seconds = time.monotonic() - started
        with lock:
            during = len(answered) - len(before)
        ingest.join(660)
        check(backup.returncode == 0, f"flask backup failed: {backup.stderr}")
        head = backup.stdout.rsplit(" ", 1)[1].strip()
        result = outcome["result"]
        check(len(result.acknowledged) == len(jobs), f"ingest incomplete: {result.statuses}")
        check(during > 0, "no write was acknowledged while the backup ran")

        restored_url = f"sqlite:///{copy}"
        restored_app = make_app(restored_url)
        apps.append(restored_app)
        state = stored_state(restored_app)
        stored = {p for p, rows in state["versions"].items() if rows}
        check(not state["half_written"], "half-written protocols in the backup")
        # Every protocol acknowledged before the backup began is in it, whole; those
        # acknowledged while it ran may be or not; whatever it holds is what was answered.
        lost_in_backup = sorted(before - stored)
        check(not lost_in_backup, f"acknowledged before the backup, not in it: {lost_in_backup}")
        wrong = _exactly_once(state, {p: result.acknowledged[p] for p in stored})
        check(not wrong, f"stored with another digest than acknowledged: {wrong[:10]}")
        code, verdict = audit_verify(restored_url)
        check(code == 0, f"audit verify on the backup: {verdict}")
        held = flask_cli(restored_url, "audit", "verify", "--expect-head", head)
        check(held.returncode == 0, f"the backup's own head is not held: {held.stdout}")
        # Restore: serve the copy and re-send what it lacks, with the same keys.
        again = Server(restored_url).start()
        servers.append(again)
        missing = [by_precinct[p] for p in sorted(by_precinct) if p not in stored]
        resent = run_ingest(again.port, missing, tokens, deadline=600)
        final = stored_state(restored_app)
        complete = [p for p in by_precinct if len(final["versions"].get(p, [])) == 1]
        lost = len(by_precinct) - len(complete)
        check(lost == 0, f"{lost} protocols lost after the restore")
        return {
            "protocols": len(jobs),
            "acknowledged_when_backup_began": len(before),
            "acknowledged_while_it_ran": during,
            "stored_in_backup": len(stored),
            "lost": len(lost_in_backup) + lost,
            "backup_seconds": round(backup_seconds, 2),
            "backup_bytes": copy.stat().st_size,
            "resent_after_restore": len(missing),
            "resent_statuses": dict(resent.statuses),
            "stored_final": len(complete),
            "audit": verdict,
        }
    finally:
        _tear_down(servers, apps)
        database.drop()
        shutil.rmtree(folder, ignore_errors=True)


# -- d. replica lag under the national ingest -----------------------------------------------------


class LagProbe:
    """How far the standby runs behind: on connections of its own to both servers, the WAL
    bytes it had still to replay at a moment, and the seconds until it had replayed them."""

    def __init__(self, primary: Cluster, standby: Cluster):
        self.primary = psycopg.connect(primary.url(), autocommit=True)
        self.standby = psycopg.connect(standby.url(), autocommit=True)

    def _replayed(self) -> int:
        return self.standby.execute(REPLAYED).fetchone()[0]

    def sample(self) -> tuple[float, int]:
        (target,) = self.primary.execute(WRITTEN).fetchone()
        started = time.monotonic()
        behind = max(0, target - self._replayed())
        while behind and self._replayed() < target and time.monotonic() - started < 30:
            time.sleep(0.001)
        return (time.monotonic() - started if behind else 0.0), behind

    def close(self) -> None:
        self.primary.close()
        self.standby.close()


def drill_lag(seed: int, fraction: float) -> dict:
    clusters = Clusters("lag")
    servers: list[Server] = []
    apps = []
    try:
        primary = clusters.primary()
        standby = clusters.standby(primary, "replica")
        url, app, tokens, jobs = _national_on(primary, "lag", seed, fraction, apps)
        replica_url = standby.url("elections")
        server = Server(url, environment={"ELECTIONS_READ_DATABASE_URL": replica_url}).start()
        servers.append(server)
        election_ids = sorted({job.election_id for job in jobs})
        done = threading.Event()
        samples: list[tuple[float, int]] = []
        pages = Counter()

        def sample() -> None:
            probe = LagProbe(primary, standby)
            while not done.is_set():
                samples.append(probe.sample())
                done.wait(0.05)
            probe.close()

        def read_pages() -> None:
            client = Http(server.port)
            n = 0
            while not done.is_set():
                path = f"/api/v1/elections/{election_ids[n % len(election_ids)]}/results"
                try:
                    status, _answer = client.request("GET", path)
                except OSError:
                    status = -1
                pages[status] += 1
                n += 1
            client.close()

        threads = [threading.Thread(target=sample), threading.Thread(target=read_pages)]
        for thread in threads:
            thread.start()
        say("[lag] ingesting with the public reading the replica ...")
        ingest = run_ingest(server.port, jobs, tokens, deadline=600)
        done.set()
        for thread in threads:
            thread.join(60)
        check(len(ingest.acknowledged) == len(jobs), f"ingest incomplete: {ingest.statuses}")
        check(pages.get(200, 0) > 0 and set(pages) == {200}, f"public pages: {dict(pages)}")
        seconds = sorted(s for s, _b in samples)
        sizes = sorted(b for _s, b in samples)

        def pct(values, share):
            return values[min(len(values) - 1, int(len(values) * share))]

        return {
            "protocols": len(jobs),
            "acknowledged": len(ingest.acknowledged),
            "ingest_per_s": round(ingest.rate, 1),
            "public_pages_from_replica": pages.get(200, 0),
            "lag_samples": len(samples),
            "samples_behind": sum(1 for _s, b in samples if b),
            "lag_ms_p50": round(statistics.median(seconds) * 1000, 1),
            "lag_ms_p99": round(pct(seconds, 0.99) * 1000, 1),
            "lag_ms_max": round(seconds[-1] * 1000, 1),
            "lag_kb_p50": round(statistics.median(sizes) / 1024, 1),
            "lag_kb_max": round(sizes[-1] / 1024, 1),
            "lost": 0,
        }
    finally:
        _tear_down(servers, apps, clusters)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.replication", description=__doc__)
    parser.add_argument(
        "--only", choices=["failover", "pitr", "sqlite-backup", "lag"], action="append"
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--fraction", type=float, default=0.1, help="of the national set")
    parser.add_argument("--kill-at", type=float, default=0.4, help="share acknowledged")
    args = parser.parse_args(argv)
    drills = args.only or ["failover", "pitr", "sqlite-backup", "lag"]
    failures = 0
    started = time.monotonic()
    work = {
        "failover": ("a. failover", lambda: drill_failover(args.seed, args.fraction, args.kill_at)),
        "pitr": ("b. point-in-time restore", lambda: drill_pitr(args.seed, args.fraction)),
        "sqlite-backup": (
            "c. SQLite online backup",
            lambda: drill_sqlite_backup(args.seed, args.fraction, 0.4),
        ),
        "lag": ("d. replica lag under ingest", lambda: drill_lag(args.seed, args.fraction)),
    }
    for name in drills:
        label, run = work[name]
        began = time.monotonic()
        try:
            outcome = run()
        except DrillFailed as error:
            failures += 1
            outcome = {"FAILED": str(error)}
        outcome["drill_seconds"] = round(time.monotonic() - began, 1)
        print(f"{label}: {json.dumps(outcome, ensure_ascii=False)}", flush=True)
    say(f"replication: {len(drills) - failures} passed, {failures} failed in "
        f"{time.monotonic() - started:.0f} s")  # fmt: skip
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
