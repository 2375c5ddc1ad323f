"""Files kept by their content: a scan is stored once, under its SHA-256, and never changes.

The folder is ``SCAN_FOLDER`` (the instance folder's ``scans/`` by default): ``ab/abcdef...``.
A file is written beside its place and renamed into it, so a reader never sees half of one,
and two workers storing the same bytes write the same file.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from flask import current_app

SHA256 = re.compile(r"[0-9a-f]{64}")


def _path(sha256: str) -> Path:
    if not SHA256.fullmatch(sha256):
        raise ValueError("not a SHA-256 in hex")
    return Path(current_app.config["SCAN_FOLDER"]) / sha256[:2] / sha256


def store(sha256: str, content: bytes) -> None:
    path = _path(sha256)
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def read(sha256: str) -> bytes | None:
    try:
        return _path(sha256).read_bytes()
    except (ValueError, FileNotFoundError):
        return None
