"""``python -m benchmarks.printing``: what printing costs a server, in figures.

On a fresh SQLite database with the demo loaded, served in this process by a threaded
Werkzeug server on 127.0.0.1 (as the browser tests serve it), measure

1. PDFs per second for one document rendered anew each time (the per-process PDF cache
   emptied before every request, where the code has one) and for the same document served
   again (cached);
2. the latency of the public results index ``/results`` alone, then while 20 clients ask for
   one election's ``ballot.pdf`` in parallel, each ``--rounds`` times (the cache empty when
   they start), and how long those requests took.

The limiter is opened wide (``PRINT_RATE``) so that the renderer is what is measured. Runs
against older code too (``PYTHONPATH=<checkout> python <checkout>/benchmarks/printing.py``)
to compare: without a cache both PDF figures are uncached ones.
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import select
from werkzeug.serving import make_server

from elections import create_app
from elections.core.extensions import db
from elections.demo.region import load_demo
from elections.territory.models import Election

try:
    from elections.printing import cache as pdf_cache
except ImportError:  # code from before the cache
    pdf_cache = None


def clear_cache() -> None:
    if pdf_cache is not None:
        pdf_cache.clear()


def get(port: int, path: str) -> tuple[int, float, int]:
    """Status, seconds and body length of one GET on a fresh connection."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
        return response.status, time.perf_counter() - started, len(body)
    finally:
        connection.close()


def rate(port: int, path: str, count: int, *, fresh: bool) -> float:
    started = time.perf_counter()
    for _ in range(count):
        if fresh:
            clear_cache()
        status, _seconds, _size = get(port, path)
        assert status == 200, (path, status)
    return count / (time.perf_counter() - started)


def results_latency_during_flood(port: int, pdf_path: str, parallel: int, rounds: int) -> dict:
    clear_cache()
    flood_done = threading.Event()
    statuses: list[int] = []

    def one() -> None:
        for _ in range(rounds):
            statuses.append(get(port, pdf_path)[0])

    threads = [threading.Thread(target=one) for _ in range(parallel)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()

    def finish() -> None:
        for thread in threads:
            thread.join()
        flood_done.set()

    threading.Thread(target=finish).start()
    latencies = []
    while not flood_done.is_set():
        latencies.append(get(port, "/results")[1])
    flood = time.perf_counter() - started
    assert statuses == [200] * parallel * rounds, statuses
    return {"flood_s": flood, "latencies": latencies}


def p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10, help="requests per PDF figure")
    parser.add_argument("--parallel", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3, help="requests per parallel client")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="elections-printing-"))
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite3'}",
            "SECRET_KEY": "benchmark-secret-not-for-production",
            "SESSION_COOKIE_SECURE": False,
            "PRINT_RATE": (10**9, 60),
        }
    )
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        load_demo()
        db.session.commit()
        election_id = db.session.execute(select(Election.id).order_by(Election.id)).scalar()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_port
    pdf_path = f"/elections/{election_id}/ballot.pdf"
    try:
        get(port, pdf_path)  # WeasyPrint and the fonts loaded once
        for _ in range(3):
            get(port, "/results")
        alone = [get(port, "/results")[1] for _ in range(20)]
        uncached = rate(port, pdf_path, args.count, fresh=True)
        cached = rate(port, pdf_path, args.count * 10, fresh=False)
        flood = results_latency_during_flood(port, pdf_path, args.parallel, args.rounds)
    finally:
        server.shutdown()

    during = flood["latencies"]
    print(f"code: {'with' if pdf_cache else 'without'} the PDF cache ({Path.cwd()})")
    print(f"ballot.pdf uncached: {uncached:8.1f} PDFs/s")
    print(f"ballot.pdf cached:   {cached:8.1f} PDFs/s")
    print(
        f"/results alone:      median {statistics.median(alone) * 1000:7.1f} ms,"
        f" max {max(alone) * 1000:7.1f} ms"
    )
    print(
        f"/results during {args.parallel} parallel ballot.pdf clients: median"
        f" {statistics.median(during) * 1000:7.1f} ms, p90 {p90(during) * 1000:7.1f} ms,"
        f" max {max(during) * 1000:7.1f} ms ({len(during)} requests);"
        f" the {args.parallel * args.rounds} PDFs took {flood['flood_s']:.2f} s"
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
