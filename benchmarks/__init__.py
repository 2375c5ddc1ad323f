"""Benchmarks and fault drills for a national round (issue 6). Not part of the test suite.

``python -m benchmarks`` builds the national data set on SQLite and PostgreSQL, starts the
real server (gunicorn, 2 workers) and prints one table; ``python -m benchmarks.faults``
runs the fault drills. Everything runs on loopback and every phase is bounded in time.
"""
