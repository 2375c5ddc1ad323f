"""``python -m benchmarks --voters``: the voter lists of the national round (issue 15).

For each engine: build the national round into a fresh database (its election day moved 30
days ahead of today: lists are loaded before election day), write every precinct's list as
the akimat's CSV file (about 12 million voters, valid unique IINs), start gunicorn, then

1. upload every list through ``PUT .../precincts/{id}/voters`` by 8 concurrent connections,
   each worker's peak RSS (VmHWM) read at the end; beside it the ceiling: the same rows,
   already hashed, written by one bare COPY (PostgreSQL) or executemany (SQLite) into a
   table with the same indexes;
2. "where do I vote" (``POST /voter-lookup``) at 32 connections (wrk, a random listed IIN
   and a random client address per request, as behind a proxy: ``ELECTIONS_PROXY_COUNT=1``)
   beside a static file of the same size from the same gunicorn;
3. a 300-row signature sheet of a self-nominee checked (``POST .../signatures``), the median
   of 5, beside an executemany of the same 300 rows.
"""

from __future__ import annotations

import http.client
import os
import random
import shutil
import statistics
import tempfile
import threading
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select, text

from benchmarks.common import ROOT, Server, fresh_database, issue_tokens, make_app, say

# The server and this process hash IINs with the same key.
os.environ.setdefault("ELECTIONS_PII_KEY", "benchmark-pii-key-not-for-production")

GOALS = {"upload_s": {"postgresql": 600.0, "sqlite": 1200.0}, "rss_mb": 250.0,
         "lookup_share": 0.5, "lookup_p99_ms": 50.0, "sheet_s": 1.0}  # fmt: skip
FULL_ROUND = 12_000_000  # voters of the whole national round
SAMPLED = 20_000  # listed IINs the lookup draws from
SHEET_ROWS = 300


def prepare(app, seed: int, folder: Path) -> dict:
    """Move election day ahead, write every list as CSV; the precincts and sampled IINs."""
    from elections.core.extensions import db
    from elections.demo.national.voters import round_voters
    from elections.territory.models import Election, Precinct
    from elections.voters.rules import LIST_FIELDS

    day = date.today() + timedelta(days=30)
    with app.app_context():
        db.session.execute(text("UPDATE elections SET election_day = :day"), {"day": day})
        db.session.commit()
        rows = db.session.execute(
            select(
                Precinct.id,
                Precinct.election_id,
                Precinct.voters_on_list,
                Precinct.address,
                Election.organiser_id,
            )
            .join(Election, Election.id == Precinct.election_id)
            .order_by(Precinct.id)
        ).all()
        db.session.remove()
    precincts = [r._asdict() for r in rows]
    rng = random.Random(seed)
    sample_every = max(1, sum(p["voters_on_list"] for p in precincts) // SAMPLED)
    sampled, signers, voters = [], {}, 0
    header = ",".join(LIST_FIELDS) + "\r\n"
    for precinct, voters_rows in round_voters(seed, precincts):
        lines = [header]
        for row in voters_rows:
            lines.append(",".join(row[name] for name in LIST_FIELDS) + "\r\n")
            voters += 1
            if voters % sample_every == 0:
                sampled.append(row["iin"])
        (folder / f"{precinct['id']}.csv").write_text("".join(lines), encoding="utf-8")
        if len(signers.setdefault(precinct["election_id"], [])) < SHEET_ROWS * 2:
            signers[precinct["election_id"]].extend(
                rng.sample(voters_rows, min(50, len(voters_rows)))
            )
    return {"precincts": precincts, "sampled": sampled, "signers": signers, "voters": voters}


def upload_all(
    server: Server, folder: Path, precincts: list[dict], tokens: dict, limit: float
) -> dict:
    """Every list through the API, 8 connections; statuses, seconds, each worker's peak RSS."""
    queue = list(precincts)
    lock = threading.Lock()
    statuses: dict[int, int] = {}
    errors: list[str] = []
    deadline = time.monotonic() + limit

    def work():
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
        while time.monotonic() < deadline:
            with lock:
                if not queue:
                    break
                precinct = queue.pop()
            path = folder / f"{precinct['id']}.csv"
            body = path.read_bytes()
            url = f"/api/v1/elections/{precinct['election_id']}/precincts/{precinct['id']}/voters"
            headers = {
                "Authorization": f"Bearer {tokens[precinct['organiser_id']]}",
                "Content-Type": "text/csv",
            }
            try:
                connection.request("PUT", url, body=body, headers=headers)
                response = connection.getresponse()
                answer = response.read()
            except (OSError, http.client.HTTPException) as error:
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
                with lock:
                    errors.append(repr(error))
                continue
            with lock:
                statuses[response.status] = statuses.get(response.status, 0) + 1
                if response.status != 200 and len(errors) < 5:
                    errors.append(answer[:300].decode(errors="replace"))
        connection.close()

    started = time.monotonic()
    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {
        "seconds": time.monotonic() - started,
        "statuses": statuses,
        "errors": errors,
        "rss_mb": server.peak_rss_mb(),
        "done": len(precincts) - len(queue),
    }


def ceiling(app, folder: Path, precincts: list[dict]) -> float:
    """The same rows, hashed, into a bare copy of the voters table: one COPY (PostgreSQL) or
    executemany (SQLite), indexes as the real table's. Seconds, hashing included."""
    from elections.core.db import bulk_insert
    from elections.core.extensions import db
    from elections.voters.lists import VOTER_COLUMNS
    from elections.voters.pii import iin_hasher
    from elections.voters.reading import Upload
    from elections.voters.rules import LIST_FIELDS

    with app.app_context():
        connection = db.session.connection()
        postgres = connection.dialect.name == "postgresql"
        if postgres:
            connection.exec_driver_sql("CREATE TABLE ceiling (LIKE voters INCLUDING ALL)")
        else:
            connection.exec_driver_sql(
                "CREATE TABLE ceiling (id INTEGER PRIMARY KEY, election_id INTEGER NOT NULL, "
                "precinct_id INTEGER NOT NULL, line INTEGER NOT NULL, iin_hash BLOB NOT NULL, "
                "last_name VARCHAR(100) NOT NULL, first_name VARCHAR(100) NOT NULL, "
                "patronymic VARCHAR(100), birth_date DATE NOT NULL, address VARCHAR(500) NOT NULL, "
                "UNIQUE (iin_hash, election_id))"
            )
            connection.exec_driver_sql("CREATE INDEX ix_ceiling ON ceiling (precinct_id, line)")
        hashed = iin_hasher()
        started = time.monotonic()
        for precinct in precincts:
            with (folder / f"{precinct['id']}.csv").open("rb") as stream:
                records = [
                    (
                        precinct["election_id"],
                        precinct["id"],
                        line,
                        hashed(cells["iin"]),
                        cells["last_name"],
                        cells["first_name"],
                        cells["patronymic"],
                        cells["birth_date"]
                        if not postgres
                        else date.fromisoformat(cells["birth_date"]),
                        cells["address"],
                    )
                    for line, cells in Upload(stream, "text/csv", LIST_FIELDS)
                ]
            bulk_insert(connection, "ceiling", VOTER_COLUMNS, records)
        db.session.commit()
        seconds = time.monotonic() - started
        db.session.execute(text("DROP TABLE ceiling"))
        db.session.commit()
        db.session.remove()
    return seconds


def analyse(app) -> None:
    """Fresh planner statistics for the voters table, as autovacuum gathers them within a
    minute of a load this size: with the empty table's, PostgreSQL hash-joins every lookup
    over all precincts and units (measured: p50 116 ms instead of a few)."""
    from elections.core.extensions import db

    with app.app_context():
        db.session.connection().exec_driver_sql("ANALYZE voters")
        db.session.commit()
        db.session.remove()


_LOOKUP_SCRIPT = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local iins = {%s}
request = function()
  wrk.headers["X-Forwarded-For"] = string.format("10.%%d.%%d.%%d", math.random(0, 255),
    math.random(0, 255), math.random(1, 254))
  return wrk.format(nil, nil, nil, '{"iin": "' .. iins[math.random(#iins)] .. '"}')
end
"""


def lookup(server: Server, sampled: list[str], seconds: int) -> dict:
    from benchmarks.__main__ import wrk

    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    script.write_text(_LOOKUP_SCRIPT % ",".join(f'"{iin}"' for iin in sampled))
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    connection.request(
        "POST", "/api/v1/voter-lookup", body=f'{{"iin": "{sampled[0]}"}}',
        headers={"Content-Type": "application/json"},
    )  # fmt: skip
    answer = connection.getresponse()
    body, status = answer.read(), answer.status
    connection.close()
    if status != 200:
        raise RuntimeError(f"the lookup answered {status}: {body[:200]!r}")
    static = ROOT / "elections" / "static" / f"bench-{uuid.uuid4().hex[:8]}.json"
    static.write_bytes(body)
    base = f"http://127.0.0.1:{server.port}"
    try:
        wrk(base + "/api/v1/voter-lookup", 2, script=script)
        found = wrk(base + "/api/v1/voter-lookup", seconds, script=script)
        wrk(base + f"/static/{static.name}", 2)
        plain = wrk(base + f"/static/{static.name}", seconds)
    finally:
        static.unlink(missing_ok=True)
        script.unlink(missing_ok=True)
    return {"lookup": found, "static": plain, "bytes": len(body)}


def sheet(app, server: Server, signers: dict, tokens: dict, runs: int = 5) -> dict:
    """A self-nominee awaiting the decision, and 300 signatures of its territory's voters,
    checked ``runs`` times through the API; beside it one executemany of the same rows."""
    import json

    from elections.candidates.iin import make_iin
    from elections.candidates.models import Candidate
    from elections.candidates.services import new_application_number
    from elections.core.extensions import db
    from elections.territory.models import Election

    election_id = max(signers, key=lambda e: len(signers[e]))
    rows = signers[election_id][:SHEET_ROWS]
    with app.app_context():
        election = db.session.get(Election, election_id)
        candidate = Candidate(
            election=election, application_number=new_application_number(),
            iin=make_iin(date(1980, 3, 3), "male", 77), last_name="Сынақов", first_name="Ерлан",
            patronymic=None, birth_date=date(1980, 3, 3), citizenship="KZ", education="higher",
            work_experience_years=5.0, nomination_type="self", signatures_valid=0,
            settlements_covered=0, deposit_paid=True, documents={}, legal_capacity=True,
            serving_sentence=False, unexpunged_conviction=False, corruption_offence=False,
            special_check="passed", consecutive_terms_in_post=0, status="submitted", grounds=[],
        )  # fmt: skip
        db.session.add(candidate)
        db.session.commit()
        candidate_id, organiser = candidate.id, election.organiser_id
        signed = (candidate.created_at.date() + timedelta(days=1)).isoformat()
        db.session.remove()
    body = json.dumps(
        [
            {"sheet": 1 + n // 20, "line": 1 + n % 20, "signed_on": signed,
             **{k: row[k] for k in ("iin", "last_name", "first_name", "patronymic")}}
            for n, row in enumerate(rows)
        ],
        ensure_ascii=False,
    ).encode()  # fmt: skip
    headers = {"Authorization": f"Bearer {tokens[organiser]}", "Content-Type": "application/json"}
    times, answer = [], {}
    for _ in range(runs):
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        started = time.monotonic()
        connection.request("POST", f"/api/v1/candidates/{candidate_id}/signatures", body, headers)
        response = connection.getresponse()
        answer = json.loads(response.read())
        times.append(time.monotonic() - started)
        connection.close()
        if response.status != 200:
            raise RuntimeError(f"the sheet check answered {response.status}: {answer}")
    with app.app_context():
        raw = db.session.connection().connection.driver_connection
        marker = "%s" if db.engine.dialect.name == "postgresql" else "?"
        statement = (
            "INSERT INTO signature_rows (candidate_id, sheet, line, last_name, first_name, "  # noqa: S608
            f"verdict) VALUES ({', '.join([marker] * 6)})"
        )
        started = time.monotonic()
        cursor = raw.cursor()
        cursor.executemany(
            statement,
            [
                (candidate_id, 9, n, r["last_name"], r["first_name"], "valid")
                for n, r in enumerate(rows)
            ],
        )
        bare = time.monotonic() - started
        db.session.rollback()
        db.session.remove()
    return {"seconds": statistics.median(times), "valid": answer.get("valid"), "bare_s": bare}


def bench_engine(engine: str, args) -> dict:
    from benchmarks.common import build

    fraction = 0.1 if args.quick else 1.0
    database = fresh_database(engine, "voters")
    folder = Path(tempfile.mkdtemp(prefix="voter-lists-"))
    server = None
    figures: dict = {"engine": engine}
    try:
        app = make_app(database.url)
        say(f"[{engine}] building the national round (fraction {fraction}) ...")
        build(app, args.seed, fraction)
        say(f"[{engine}] writing the lists as CSV files ...")
        started = time.monotonic()
        prepared = prepare(app, args.seed, folder)
        size = sum(p.stat().st_size for p in folder.iterdir())
        figures["lists"] = {"voters": prepared["voters"], "files": len(prepared["precincts"]),
                            "bytes": size, "seconds": time.monotonic() - started}  # fmt: skip
        say(f"[{engine}] {figures['lists']}")
        tokens = issue_tokens(app)
        server = Server(database.url, workers=args.workers)
        server.env = lambda: {**Server.env(server), "ELECTIONS_PROXY_COUNT": "1"}
        server.start()
        say(f"[{engine}] uploading {len(prepared['precincts']):,} lists, 8 connections ...")
        figures["upload"] = upload_all(
            server, folder, prepared["precincts"], tokens, GOALS["upload_s"][engine] * 3
        )
        say(f"[{engine}] upload: {figures['upload']}")
        analyse(app)
        say(f"[{engine}] where do I vote, 32 connections ...")
        figures["lookup"] = lookup(server, prepared["sampled"], args.wrk_seconds)
        say(f"[{engine}] lookup: {figures['lookup']}")
        figures["sheet"] = sheet(app, server, prepared["signers"], tokens)
        say(f"[{engine}] sheet: {figures['sheet']}")
        server.stop()
        server = None
        say(f"[{engine}] the ceiling: the same rows by one bare bulk insert ...")
        figures["ceiling_s"] = ceiling(app, folder, prepared["precincts"])
        say(f"[{engine}] ceiling: {figures['ceiling_s']:.1f} s")
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)
        database.drop()
    return figures


def _mark(ok: bool) -> str:
    return "met" if ok else "NOT met"


def rows(results: list[dict]) -> list[tuple[str, list[str], str]]:
    """(label, a cell per engine, goal) for the table of python -m benchmarks."""
    lines = []

    def cells(make) -> list[str]:
        return [make(r) for r in results]

    def upload(r):
        u = r["upload"]
        ok = u["statuses"].get(200, 0) == u["done"] == r["lists"]["files"]
        rate = r["lists"]["voters"] / u["seconds"]
        cell = (f"{u['seconds']:.0f} s, {rate:,.0f} voters/s, {u['statuses'].get(200, 0):,}/"
                f"{r['lists']['files']:,} ok")  # fmt: skip
        if r["lists"]["voters"] < FULL_ROUND:  # --quick: the goal is for the whole round
            projected = FULL_ROUND / rate
            met = ok and projected <= GOALS["upload_s"][r["engine"]]
            return f"{cell}; 12 M at this rate {projected:.0f} s ({_mark(met)})"
        return f"{cell} ({_mark(ok and u['seconds'] <= GOALS['upload_s'][r['engine']])})"

    lines.append(("voter lists uploaded (8 conn)", cells(upload), "PG <= 600 s, SQLite <= 1200 s"))
    lines.append(
        ("  ceiling: one bare bulk insert", cells(lambda r: f"{r['ceiling_s']:.0f} s"), "")
    )

    def rss(r):
        peaks = r["upload"]["rss_mb"].values()
        return (
            ", ".join(f"{p:.0f} MB" for p in peaks) + f" ({_mark(max(peaks) <= GOALS['rss_mb'])})"
        )

    lines.append(("  worker peak RSS during the uploads", cells(rss), "<= 250 MB"))

    def share(r):
        found, plain = r["lookup"]["lookup"], r["lookup"]["static"]
        ratio = found["rate"] / plain["rate"]
        return (f"{found['rate']:.0f} vs static {plain['rate']:.0f} req/s: {ratio:.0%} "
                f"({_mark(ratio >= GOALS['lookup_share'])})")  # fmt: skip

    lines.append(("where do I vote (32 conn) / static", cells(share), ">= 50%"))

    def p99(r):
        found = r["lookup"]["lookup"]
        ok = found["p99_ms"] <= GOALS["lookup_p99_ms"] and found["non_2xx"] == 0
        return f"p99 {found['p99_ms']:.1f} ms, non-2xx {found['non_2xx']} ({_mark(ok)})"

    lines.append(("  where do I vote p99", cells(p99), "<= 50 ms"))

    def sheet_cell(r):
        s = r["sheet"]
        met = _mark(s["seconds"] <= GOALS["sheet_s"])
        return (f"{s['seconds'] * 1000:.0f} ms, {s['valid']} valid; bare insert "
                f"{s['bare_s'] * 1000:.0f} ms ({met})")  # fmt: skip

    lines.append(("300-row signature sheet checked", cells(sheet_cell), "<= 1 s"))
    return lines
