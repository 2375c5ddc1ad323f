"""Configuration from the environment. Nothing secret lives in the repository."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def _secret_key(instance_path: str, variable: str = "SECRET_KEY", name: str = "secret_key") -> str:
    """A secret from the environment, else one generated once and kept in the instance folder."""
    if os.environ.get(variable):
        return os.environ[variable]
    path = Path(instance_path) / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def _normalise_database_url(url: str) -> str:
    """Plain postgresql:// URLs are served by psycopg 3, the driver this service installs."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def _s3_settings() -> dict | None:
    """The scans' object store: ``ELECTIONS_S3_ENDPOINT`` (``https://host:port``),
    ``ELECTIONS_S3_BUCKET``, the keys, and the region if the store wants one."""
    if not os.environ.get("ELECTIONS_S3_BUCKET"):
        return None
    return {
        "endpoint": os.environ.get("ELECTIONS_S3_ENDPOINT", "https://127.0.0.1:9000"),
        "bucket": os.environ["ELECTIONS_S3_BUCKET"],
        "access_key": os.environ.get("ELECTIONS_S3_ACCESS_KEY", ""),
        "secret_key": os.environ.get("ELECTIONS_S3_SECRET_KEY", ""),
        "region": os.environ.get("ELECTIONS_S3_REGION", "us-east-1"),
        # Seconds a read may wait on the store before the client gets a 503.
        "timeout": float(os.environ.get("ELECTIONS_S3_TIMEOUT") or 10),
    }


def from_environment(instance_path: str) -> dict:
    database_url = os.environ.get("ELECTIONS_DATABASE_URL") or (
        "sqlite:///" + str(Path(instance_path) / "elections.sqlite3")
    )
    development = os.environ.get("ELECTIONS_ENV", "production") == "development"
    return {
        "SECRET_KEY": _secret_key(instance_path),
        # The key of the IINs' keyed hashes on the voter lists and signature sheets
        # (docs/personal-data.md): never in the database, so a copy of it reads no IIN back.
        "PII_KEY": _secret_key(instance_path, "ELECTIONS_PII_KEY", "pii_key"),
        "SQLALCHEMY_DATABASE_URI": database_url,
        # A streaming replica the public pages read from (core/replica.py); none: the primary.
        "READ_DATABASE_URI": os.environ.get("ELECTIONS_READ_DATABASE_URL") or None,
        # Seconds a public page waits for the replica to replay what its key read on the
        # primary, before it reads the primary instead.
        "REPLICA_WAIT": float(os.environ.get("ELECTIONS_REPLICA_WAIT") or 2),
        # /metrics for anyone (a scraper on a private network), not only the admin's token.
        "METRICS_PUBLIC": os.environ.get("ELECTIONS_METRICS_PUBLIC") == "1",
        # One JSON line per request on stderr (web/request_log.py); "off" silences them.
        "REQUEST_LOG": os.environ.get("ELECTIONS_REQUEST_LOG", "on") != "off",
        "ELECTIONS_TIMEZONE": os.environ.get("ELECTIONS_TIMEZONE", "Asia/Almaty"),
        "BABEL_DEFAULT_LOCALE": "kk",
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("ELECTIONS_TIMEZONE", "Asia/Almaty"),
        "LANGUAGES": ("kk", "ru", "en"),
        "WTF_CSRF_TIME_LIMIT": None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": not development,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        # Sign-in throttling per (user name, client address) instead of a lockout
        # (elections/auth/throttle.py): free failures, then 2**(n - free) s up to the cap.
        "LOGIN_FREE_FAILURES": 3,
        "LOGIN_MAX_DELAY": 15 * 60,
        "LOGIN_THROTTLE_WINDOW": 24 * 60 * 60,
        # Failures for one user name from all addresses together, per period, that hold it.
        "LOGIN_ACCOUNT_CEILING": (100, 60 * 60),
        "STATUS_LOOKUP_RATE": (10, 60),
        "VOTER_LOOKUP_RATE": (10, 60),
        # A voter list or a signature sheet arrives as a stream of rows, read one at a time:
        # far above a precinct's list (about 3,000 voters, 300 KB), with room for the largest.
        "UPLOAD_MAX_BYTES": 64 * 1024 * 1024,
        # A photo or PDF of a signed protocol, or of an observer's copy: a phone's photo is
        # 2-6 MB. Files are kept under their SHA-256 in this folder (elections/observers/files.py).
        "SCAN_MAX_BYTES": 12 * 1024 * 1024,
        "SCAN_FOLDER": os.environ.get("ELECTIONS_SCAN_FOLDER")
        or str(Path(instance_path) / "scans"),
        # Or an S3-compatible store (MinIO is the reference), when a bucket is named.
        "SCAN_S3": _s3_settings(),
        # Days after election day the voter lists and signers' names are kept, once the
        # election is settled (docs/personal-data.md); no source gives the appeal periods.
        "PII_KEEP_DAYS": int(os.environ.get("ELECTIONS_PII_KEEP_DAYS") or 90),
        # Sign-in attempts per client address and window, besides the throttling above.
        "LOGIN_RATE": (20, 60),
        # Sign-in attempts per submitted user name (hashed) and window, from every address:
        # six addresses at LOGIN_RATE to reach it, so one attacker cannot hold an owner out.
        "LOGIN_ACCOUNT_RATE": (120, 60),
        # Rate-limit counters (and caches) shared by every worker and machine; none: per process.
        "REDIS_URL": os.environ.get("ELECTIONS_REDIS_URL") or None,
        # Reverse proxies in front whose X-Forwarded-For/-Proto are trusted (0: ignored).
        "PROXY_COUNT": int(os.environ.get("ELECTIONS_PROXY_COUNT") or 0),
        # The public page cache of each worker, bounded by the bytes it keeps.
        "PAGE_CACHE_BYTES": 64 * 1024 * 1024,
    }


def finalise(config: dict) -> None:
    config["SQLALCHEMY_DATABASE_URI"] = _normalise_database_url(config["SQLALCHEMY_DATABASE_URI"])
    if config.get("READ_DATABASE_URI"):
        config["READ_DATABASE_URI"] = _normalise_database_url(config["READ_DATABASE_URI"])
