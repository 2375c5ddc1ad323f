"""The service's clock and timezone, in one place so tests can move time."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def service_timezone() -> ZoneInfo:
    return ZoneInfo(current_app.config["ELECTIONS_TIMEZONE"])


def now() -> datetime:
    """Now, unless the app was given a fixed ``ELECTIONS_NOW`` (tests and demos)."""
    fixed = current_app.config.get("ELECTIONS_NOW")
    return fixed if fixed is not None else datetime.now(UTC)
