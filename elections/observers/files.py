"""Files kept by their content: a scan is stored once, under its SHA-256, and never changes.

By default in a folder, ``SCAN_FOLDER`` (the instance folder's ``scans/``): ``ab/abcdef...``.
A file is written beside its place and renamed into it, so a reader never sees half of one,
and two workers storing the same bytes write the same file. With ``SCAN_S3`` set, in an
S3-compatible object store instead (elections/observers/s3.py).

Whatever the store, a file read back is checked against its digest: a damaged or replaced
file is never served as the scan of a protocol, and the same file sent again replaces it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from elections.core import audit
from elections.core.db import has_written
from elections.core.errors import ServiceError
from elections.core.extensions import db
from elections.observers.s3 import S3Store, StoreUnavailable

SHA256 = re.compile(r"[0-9a-f]{64}")

log = logging.getLogger(__name__)


def _path(sha256: str) -> Path:
    return Path(current_app.config["SCAN_FOLDER"]) / sha256[:2] / sha256


def _object_store() -> S3Store | None:
    settings = current_app.config.get("SCAN_S3")
    if not settings:
        return None
    stores = current_app.extensions.setdefault("scan_s3", {})
    key = tuple(sorted(settings.items()))
    if key not in stores:
        # Room for a scan's bytes and then some: a larger object is no scan of ours.
        stores[key] = S3Store(**settings, max_bytes=2 * current_app.config["SCAN_MAX_BYTES"])
    return stores[key]


def _unavailable(error: Exception) -> ServiceError:
    log.error("the scan store did not answer: %s", error)
    return ServiceError.one(
        503,
        "store_unavailable",
        _("The file store is briefly unavailable. Try again shortly."),
        headers={"Retry-After": "5"},
    )


def _outside_transaction() -> None:
    """A file travels to or from its store outside any database transaction, so that a slow
    store holds no lock and no pooled connection (on SQLite a write request's transaction
    holds the database's write lock). Only a transaction that has written nothing is ended,
    so nothing is lost; callers store a file before they write."""
    session = db.session()
    if not session.in_transaction():
        return
    if session.new or session.dirty or session.deleted or audit.has_pending(session):
        return
    if has_written(session.connection()):
        return
    session.rollback()


def store(sha256: str, content: bytes) -> None:
    if not SHA256.fullmatch(sha256):
        raise ValueError("not a SHA-256 in hex")
    _outside_transaction()
    object_store = _object_store()
    if object_store is not None:
        try:
            object_store.store(sha256, content)
        except StoreUnavailable as error:
            raise _unavailable(error) from error
        return
    _store_in_folder(sha256, content)


def _store_in_folder(sha256: str, content: bytes) -> None:
    path = _path(sha256)
    if path.exists() and hashlib.sha256(path.read_bytes()).hexdigest() == sha256:
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


def _fetch(sha256: str) -> bytes | None:
    object_store = _object_store()
    try:
        return object_store.read(sha256) if object_store else _path(sha256).read_bytes()
    except FileNotFoundError:
        return None


def read(sha256: str) -> bytes | None:
    """The file's bytes; None when it is not kept; 503 when the store cannot give them, or
    gives bytes of another digest."""
    if not SHA256.fullmatch(sha256):
        return None
    _outside_transaction()
    try:
        content = _fetch(sha256)
    except StoreUnavailable as error:
        raise _unavailable(error) from error
    if content is not None and hashlib.sha256(content).hexdigest() != sha256:
        raise _unavailable(ValueError(f"the file kept as {sha256} has another digest"))
    return content


def state_of(sha256: str) -> str:
    """``kept``, ``missing`` or ``damaged`` (bytes of another digest); raises
    StoreUnavailable when the store does not answer."""
    content = _fetch(sha256)
    if content is None:
        return "missing"
    return "kept" if hashlib.sha256(content).hexdigest() == sha256 else "damaged"


def copy_from_folder(folder: Path, digests: list[str]) -> tuple[int, int]:
    """Store each named file of a folder store (``ab/abcdef...``) in the configured store;
    (copied, not found or damaged in the folder)."""
    copied = refused = 0
    for sha256 in digests:
        source = folder / sha256[:2] / sha256
        content = source.read_bytes() if source.is_file() else None
        if content is None or hashlib.sha256(content).hexdigest() != sha256:
            refused += 1
            continue
        store(sha256, content)
        copied += 1
    return copied, refused
