"""``python -m benchmarks.faults``: election night under faults, with nothing lost.

a. ``kill``: SIGKILL gunicorn (master and workers) in the middle of the national ingest,
   restart it, and show that every protocol the client saw acknowledged is stored exactly
   once and whole, that ``audit verify`` holds, and that re-sending the unacknowledged
   ones with their Idempotency-Key completes the set (SQLite and PostgreSQL).
b. ``postgres``: restart PostgreSQL during ingest; the service answers 503 with the error
   envelope while the database is away and recovers by itself.
c. ``race``: 20 clients save the same protocol at once: exactly one version per accepted
   save, the others 409 (SQLite and PostgreSQL, 2 and 8 workers).

Loopback only; every drill has a time limit; each prints its counts and exits non-zero
when a check fails.
"""

from __future__ import annotations

import argparse
import copy
import http.client
import json
import subprocess
import threading
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import func, select

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


class DrillFailed(AssertionError):
    pass


def check(condition: bool, message: str) -> None:
    if not condition:
        raise DrillFailed(message)


def digest_of(body: dict) -> str:
    from elections.ballots.models import FIGURE_FIELDS
    from elections.ballots.services import figures_digest
    from elections.ballots.tally import ProtocolFigures

    figures = ProtocolFigures(
        votes={int(k): v for k, v in body["votes"].items()},
        **{name: body[name] for name in FIGURE_FIELDS},
    )
    return figures_digest(figures)


def stored_state(app) -> dict:
    """What the database holds, per precinct, and whether anything is half-written."""
    from elections.ballots.models import Protocol, ProtocolVersion, ProtocolVote
    from elections.candidates.models import ON_BALLOT, Candidate
    from elections.core.audit import AuditEvent
    from elections.core.extensions import db
    from elections.core.idempotency import IdempotencyRecord

    with app.app_context():
        s = db.session
        headers = dict(s.execute(select(Protocol.precinct_id, Protocol.version)).all())
        versions: dict[int, list] = {}
        for row in s.execute(
            select(
                ProtocolVersion.id,
                ProtocolVersion.precinct_id,
                ProtocolVersion.election_id,
                ProtocolVersion.version,
                ProtocolVersion.is_current,
                ProtocolVersion.digest,
            )
        ):
            versions.setdefault(row.precinct_id, []).append(row)
        votes = dict(
            s.execute(
                select(ProtocolVote.version_id, func.count()).group_by(ProtocolVote.version_id)
            ).all()
        )
        on_ballot = dict(
            s.execute(
                select(Candidate.election_id, func.count())
                .where(Candidate.status.in_(ON_BALLOT))
                .group_by(Candidate.election_id)
            ).all()
        )
        audited = s.execute(
            select(func.count()).where(AuditEvent.action == "protocol.saved")
        ).scalar_one()
        keys = s.execute(select(func.count()).select_from(IdempotencyRecord)).scalar_one()
        s.remove()
    half_written = []
    for precinct_id, rows in versions.items():
        current = [r for r in rows if r.is_current]
        if len(current) != 1 or headers.get(precinct_id) != max(r.version for r in rows):
            half_written.append(precinct_id)
        for row in rows:
            if votes.get(row.id, 0) != on_ballot.get(row.election_id, 0):
                half_written.append(precinct_id)
    half_written += [p for p in headers if p not in versions]
    return {
        "headers": headers,
        "versions": versions,
        "half_written": sorted(set(half_written)),
        "version_rows": sum(len(v) for v in versions.values()),
        "audited": audited,
        "idempotency_keys": keys,
    }


def audit_verify(url: str) -> tuple[int, str]:
    done = flask_cli(url, "audit", "verify", timeout=600)
    return done.returncode, (done.stdout + done.stderr).strip().splitlines()[-1]


# -- a. SIGKILL in the middle of the national ingest ----------------------------------------------


def drill_kill(engine: str, seed: int, fraction: float, kill_at: float) -> dict:
    database = fresh_database(engine, "fault_kill")
    server = restarted = None
    app = make_app(database.url)
    try:
        say(f"[kill/{engine}] building the data set (fraction {fraction}) ...")
        _summary, tokens, jobs = national_round(app, seed, fraction)
        by_precinct = {job.precinct_id: job for job in jobs}
        server = Server(database.url).start()
        target = max(1, int(len(jobs) * kill_at))
        stop, reached = threading.Event(), threading.Event()
        acks = Counter()
        killed: dict = {}
        lock = threading.Lock()

        def on_answer(_job: Job, status: int) -> None:
            with lock:
                acks[status] += 1
                if status == 200 and acks[200] >= target:
                    reached.set()

        def killer() -> None:
            if reached.wait(900):
                # A moment later, not on an answer: requests are caught mid-way, some before
                # their commit and perhaps one after it but before its answer left.
                time.sleep(0.004 + (seed % 7) * 0.003)
                killed["pids"] = server.kill()  # SIGKILL, master and workers at once
                stop.set()

        thread = threading.Thread(target=killer, daemon=True)
        thread.start()
        say(f"[kill/{engine}] ingesting; SIGKILL after {target:,} acknowledgements ...")
        first = run_ingest(server.port, jobs, tokens, deadline=900, stop=stop, on_answer=on_answer)
        thread.join(30)
        check(bool(killed), "the server was never killed (ingest ended first)")
        acknowledged = dict(first.acknowledged)
        say(f"[kill/{engine}] killed pids {killed['pids']}; {len(acknowledged):,} acknowledged")

        restarted = Server(database.url).start()
        state = stored_state(app)
        stored = {p for p, rows in state["versions"].items() if rows}
        for precinct_id, answer in acknowledged.items():
            rows = state["versions"].get(precinct_id, [])
            check(len(rows) == 1, f"precinct {precinct_id}: {len(rows)} versions, not 1")
            check(rows[0].version == 1 and state["headers"][precinct_id] == 1, "version not 1")
            check(rows[0].digest == answer["digest"], f"precinct {precinct_id}: other digest")
            check(rows[0].digest == digest_of(by_precinct[precinct_id].body), "not what was sent")
        check(not state["half_written"], f"half-written protocols: {state['half_written'][:10]}")
        check(state["audited"] == state["version_rows"], "audit events != versions")
        code, verdict = audit_verify(database.url)
        check(code == 0, f"audit verify failed after the kill: {verdict}")
        unacknowledged = [by_precinct[p] for p in sorted(by_precinct) if p not in acknowledged]
        in_flight_stored = len(stored - set(acknowledged))

        # A client that is unsure re-sends acknowledged ones too: the same key and body get
        # the first answer back, and nothing new is stored.
        sample = [by_precinct[p] for p in sorted(acknowledged)[:200]]
        again = run_ingest(restarted.port, sample, tokens, deadline=300)
        replayed_same = sum(
            1
            for j in sample
            if again.acknowledged.get(j.precinct_id) == acknowledged[j.precinct_id]
        )
        check(replayed_same == len(sample), "a re-sent acknowledged protocol got another answer")
        say(f"[kill/{engine}] re-sending {len(unacknowledged):,} with their Idempotency-Keys ...")
        second = run_ingest(restarted.port, unacknowledged, tokens, deadline=900)
        replayed = sum(
            1 for p in stored - set(acknowledged) if second.acknowledged.get(p, {}).get("version")
        )
        final = stored_state(app)
        complete = [p for p in by_precinct if len(final["versions"].get(p, [])) == 1]
        lost = len(by_precinct) - len(complete)
        check(lost == 0, f"{lost} protocols lost")
        check(not final["half_written"], "half-written protocols after re-sending")
        check(final["version_rows"] == len(by_precinct), "a protocol was stored twice")
        check(final["audited"] == final["version_rows"], "audit events != versions")
        code2, verdict2 = audit_verify(database.url)
        check(code2 == 0, f"audit verify failed at the end: {verdict2}")
        return {
            "engine": engine,
            "protocols": len(jobs),
            "acknowledged": len(acknowledged),
            "stored_after_restart": len(stored),
            "stored_but_unacknowledged": in_flight_stored,
            "half_written": len(state["half_written"]),
            "audit_after_kill": verdict,
            "acknowledged_resent_replayed_identically": f"{replayed_same}/{len(sample)}",
            "resent": len(unacknowledged),
            "resent_ok": len(second.acknowledged),
            "resent_replayed": replayed,
            "resent_statuses": dict(second.statuses),
            "stored_final": len(complete),
            "versions_final": final["version_rows"],
            "lost": lost,
            "audit_final": verdict2,
        }
    finally:
        for one in (server, restarted):
            if one is not None:
                one.cleanup()
        with app.app_context():
            from elections.core.extensions import db

            db.engine.dispose()
        database.drop()


# -- b. PostgreSQL restarts during ingest ---------------------------------------------------------


def pg_cluster() -> list[str]:
    versions = sorted(p.name for p in Path("/etc/postgresql").iterdir())
    return ["pg_ctlcluster", "--skip-systemctl-redirect", versions[-1], "main", "restart"]


def drill_postgres(seed: int, fraction: float) -> dict:
    database = fresh_database("postgresql", "fault_pg")
    server = None
    app = make_app(database.url)
    try:
        say(f"[postgres] building the data set (fraction {fraction}) ...")
        _summary, tokens, jobs = national_round(app, seed, fraction)
        by_precinct = {job.precinct_id: job for job in jobs}
        server = Server(database.url).start()
        election_id = jobs[0].election_id
        restart: dict = {}
        acked = threading.Event()
        count = Counter()
        lock = threading.Lock()

        def on_answer(_job: Job, status: int) -> None:
            with lock:
                count[status] += 1
                if count[200] >= len(jobs) // 4:
                    acked.set()

        probes: list[tuple[float, int, object]] = []
        probing = threading.Event()

        def probe() -> None:
            client = Http(server.port, timeout=10)
            path = f"/api/v1/elections/{election_id}/results"
            while not probing.is_set():
                try:
                    status, answer = client.request("GET", path)
                except (OSError, http.client.HTTPException):
                    status, answer = -1, None
                probes.append((time.monotonic(), status, answer))
                time.sleep(0.1)
            client.close()

        outcome: dict = {}

        def ingest() -> None:
            outcome["result"] = run_ingest(
                server.port,
                jobs,
                tokens,
                deadline=600,
                retry_unavailable=True,
                on_answer=on_answer,
            )

        threads = [threading.Thread(target=ingest), threading.Thread(target=probe)]
        for thread in threads:
            thread.start()
        check(acked.wait(300), "ingest never reached a quarter")
        command = pg_cluster()
        say(f"[postgres] {' '.join(command)}")
        restart["start"] = time.monotonic()
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        restart["end"] = time.monotonic()
        check(done.returncode == 0, f"restart failed: {done.stderr}")
        threads[0].join(660)
        probing.set()
        threads[1].join(30)
        result = outcome["result"]
        after = [p for p in probes if p[0] > restart["end"]]
        recovered = next((p[0] for p in after if p[1] == 200), None)
        down = [p for p in probes if p[1] == 503]
        envelopes = sum(1 for p in down if isinstance(p[2], dict) and p[2]["errors"][0]["code"])
        final = stored_state(app)
        complete = [p for p in by_precinct if len(final["versions"].get(p, [])) == 1]
        code, verdict = audit_verify(database.url)
        summary = {
            "protocols": len(jobs),
            "acknowledged": len(result.acknowledged),
            "answers": dict(result.statuses),
            "ingest_503_with_envelope": result.envelopes_ok,
            "probe_answers": dict(Counter(p[1] for p in probes)),
            "probe_503_with_envelope": envelopes,
            "restart_seconds": round(restart["end"] - restart["start"], 2),
            "first_200_after_restart_s": round(recovered - restart["end"], 2)
            if recovered
            else None,
            "stored_final": len(complete),
            "versions_final": final["version_rows"],
            "half_written": len(final["half_written"]),
            "lost": len(by_precinct) - len(complete),
            "audit": verdict,
        }
        check(result.statuses.get(503, 0) + summary["probe_answers"].get(503, 0) > 0, "no 503")
        check(result.statuses.get(500, 0) == 0, "a 500 during the restart")
        check(summary["lost"] == 0 and final["version_rows"] == len(jobs), "lost or doubled")
        check(code == 0, f"audit verify failed: {verdict}")
        check(recovered is not None, "the service did not recover")
        return summary
    finally:
        if server is not None:
            server.cleanup()
        with app.app_context():
            from elections.core.extensions import db

            db.engine.dispose()
        database.drop()


# -- c. 20 clients save the same protocol at once -------------------------------------------------


def drill_race(engine: str, seed: int, workers: int, clients: int = 20, rounds: int = 3) -> dict:
    database = fresh_database(engine, f"fault_race{workers}")
    server = None
    app = make_app(database.url)
    try:
        _summary, tokens, jobs = national_round(app, seed, 0.01)
        # Precincts large enough that each client's variant stays a consistent protocol.
        jobs = [j for j in jobs if j.body["voters_on_list"] >= 500][:3]
        server = Server(database.url, workers=workers).start()
        statuses: Counter = Counter()
        accepted_versions = []
        problems = []
        for job in jobs:
            current = 0
            for _round in range(rounds):
                barrier = threading.Barrier(clients)
                answers: list = [None] * clients

                def save(index: int, job=job, current=current, barrier=barrier, answers=answers):
                    body = copy.deepcopy(correction_of(job, current).body)
                    body["invalid_ballots"] += index  # every client a different protocol:
                    body["ballots_in_boxes"] += index  # still consistent, a distinct digest
                    body["ballots_issued"] += index
                    body["ballots_cancelled"] -= index
                    client = Http(server.port)
                    headers = {
                        "Authorization": f"Bearer {tokens[job.organiser_id]}",
                        "Idempotency-Key": f"race-{job.precinct_id}-{current}-{index}",
                    }
                    barrier.wait(30)
                    try:
                        answers[index] = client.request("PUT", job.path, body, headers)
                    except (OSError, http.client.HTTPException) as error:
                        answers[index] = (-1, str(error))
                    client.close()

                threads = [threading.Thread(target=save, args=(i,)) for i in range(clients)]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join(120)
                codes = Counter(a[0] for a in answers)
                statuses.update(codes)
                ok = [a[1] for a in answers if a[0] == 200]
                conflicts = [a[1] for a in answers if a[0] == 409]
                if len(ok) != 1 or codes[409] != clients - 1:
                    problems.append(f"precinct {job.precinct_id} round {_round}: {dict(codes)}")
                if any(c["errors"][0]["code"] != "version_conflict" for c in conflicts):
                    problems.append("a 409 that is not version_conflict")
                if ok:
                    accepted_versions.append((job.precinct_id, ok[0]["version"], ok[0]["digest"]))
                    current = ok[0]["version"]
        state = stored_state(app)
        stored = [(p, r.version, r.digest) for p, rows in state["versions"].items() for r in rows]
        check(not problems, "; ".join(problems))
        check(sorted(stored) == sorted(accepted_versions), "stored versions != accepted saves")
        check(not state["half_written"], "half-written protocols")
        check(state["audited"] == len(accepted_versions), "audit events != accepted saves")
        code, verdict = audit_verify(database.url)
        check(code == 0, verdict)
        return {
            "engine": engine,
            "workers": workers,
            "saves_sent": clients * rounds * len(jobs),
            "accepted": statuses[200],
            "conflicts_409": statuses[409],
            "other": sum(n for s, n in statuses.items() if s not in (200, 409)),
            "versions_stored": len(stored),
            "audit": verdict,
        }
    finally:
        if server is not None:
            server.cleanup()
        with app.app_context():
            from elections.core.extensions import db

            db.engine.dispose()
        database.drop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.faults", description=__doc__)
    parser.add_argument("--only", choices=["kill", "postgres", "race"], action="append")
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--kill-fraction", type=float, default=1.0, help="of the national set")
    parser.add_argument("--kill-at", type=float, default=0.4, help="share acknowledged")
    parser.add_argument("--pg-fraction", type=float, default=0.1)
    args = parser.parse_args(argv)
    drills = args.only or ["kill", "postgres", "race"]
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    failures = 0
    report: list[tuple[str, dict]] = []
    started = time.monotonic()

    def run(name: str, work) -> None:
        nonlocal failures
        try:
            report.append((name, work()))
        except DrillFailed as error:
            failures += 1
            report.append((name, {"FAILED": str(error)}))
        print(f"{report[-1][0]}: {json.dumps(report[-1][1], ensure_ascii=False)}", flush=True)

    if "kill" in drills:
        for engine in engines:
            run(
                f"a. SIGKILL during ingest ({engine})",
                lambda e=engine: drill_kill(e, args.seed, args.kill_fraction, args.kill_at),
            )
    if "postgres" in drills and "postgresql" in engines:
        run("b. PostgreSQL restart", lambda: drill_postgres(args.seed, args.pg_fraction))
    if "race" in drills:
        for engine in engines:
            for workers in (2, 8):
                run(
                    f"c. 20 clients, one protocol ({engine}, {workers} workers)",
                    lambda e=engine, w=workers: drill_race(e, args.seed, w),
                )
    say(f"faults: {len(report) - failures} passed, {failures} failed in "
        f"{time.monotonic() - started:.0f} s")  # fmt: skip
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
