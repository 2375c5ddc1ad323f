"""Prometheus metrics at ``/metrics``, with the official client library (prometheus_client).

Request latency by endpoint, answers by status (409, 422, 503 among them), protocol saves
and version conflicts, page-cache hits, and the read replica's lag, measured when scraped.

Under gunicorn every worker counts on its own; with ``PROMETHEUS_MULTIPROC_DIR`` set (an
empty folder, before the workers start) the scrape adds every worker's counts together.
Who may scrape is the auth layer's (elections/auth/metrics_page.py).
"""

from __future__ import annotations

import os
import time

from flask import Flask, Response, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

LATENCY = Histogram(
    "elections_request_seconds",
    "Time to answer a request, by endpoint.",
    ["method", "endpoint"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
ANSWERS = Counter("elections_responses", "Answers by endpoint and status.", ["endpoint", "status"])
SAVES = Counter("elections_protocol_saves", "Protocol saves accepted (API and form).")
CONFLICTS = Counter("elections_protocol_conflicts", "Protocol saves refused with 409.")
PAGE_CACHE = Counter(
    "elections_page_cache", "Public pages by how the cache served them.", ["outcome"]
)
# The protocol's API save and its form: a 200 from one of them (a 302 from the form) is a save.
_SAVE_ENDPOINTS = {"ballots_api.save_protocol": 200, "protocols.protocol": 302}


def _count(response):
    endpoint = request.endpoint or "unmatched"
    started = g.get("request_started")  # set first of all by web/request_log.py
    if started is not None:
        LATENCY.labels(request.method, endpoint).observe(time.perf_counter() - started)
    ANSWERS.labels(endpoint, str(response.status_code)).inc()
    accepted = _SAVE_ENDPOINTS.get(endpoint)
    if accepted is not None and request.method in ("PUT", "POST"):
        if response.status_code == accepted:
            SAVES.inc()
        elif response.status_code == 409:
            CONFLICTS.inc()
    return response


class _ReplicaLag:
    """The replica's lag behind the primary, read when Prometheus scrapes."""

    def __init__(self, app: Flask):
        self.app = app

    def collect(self):
        from elections.core import replica

        up = GaugeMetricFamily("elections_replica_up", "Whether the replica answered the scrape.")
        try:
            with self.app.app_context():
                lag = replica.lag()
        except Exception:  # noqa: BLE001 (a replica that is away is what this reports)
            self.app.logger.exception("the replica's lag could not be read")
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        seconds = GaugeMetricFamily(
            "elections_replica_lag_seconds", "Seconds since the replica's last replayed commit."
        )
        seconds.add_metric([], lag.seconds)
        size = GaugeMetricFamily(
            "elections_replica_lag_bytes", "WAL bytes the replica has still to replay."
        )
        size.add_metric([], lag.bytes)
        yield seconds
        yield size


def exposition() -> Response:
    """The scrape: every worker's counts (or this one's), and the replica's lag."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    answer = generate_latest(registry)
    if current_app.extensions.get("replica"):
        lag = CollectorRegistry()
        lag.register(_ReplicaLag(current_app._get_current_object()))
        answer += generate_latest(lag)
    response = Response(answer, mimetype=CONTENT_TYPE_LATEST)
    response.headers["Cache-Control"] = "no-store"
    return response


def install(app: Flask) -> None:
    app.after_request(_count)
