"""Scans of signed paper protocols (and photos of observers' copies): checked, cleaned, kept
by their SHA-256, and attached to the protocol version entered from them.

A photo is decoded and encoded again (Pillow), so that nothing but its pixels is kept: no
EXIF, and so no place or device, no comments, no colour profile. It is turned upright first
by its EXIF orientation, which would otherwise go with the rest. A PDF is kept as sent, after
checking that it is one. The type is read from the bytes, never from the name or the header
the client sent.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from PIL import Image, ImageOps
from sqlalchemy import select

from elections.ballots.services import current_version
from elections.core import audit
from elections.core.audit import Action
from elections.core.clock import now
from elections.core.errors import ErrorItem, ServiceError, conflict, invalid
from elections.core.extensions import db
from elections.observers import files
from elections.observers.models import ObserverCopy, ProtocolScan
from elections.territory.models import Precinct

JPEG, PNG, PDF = "image/jpeg", "image/png", "application/pdf"
MAGIC = ((b"\xff\xd8\xff", JPEG), (b"\x89PNG\r\n\x1a\n", PNG), (b"%PDF-", PDF))
SUFFIX = {JPEG: "jpg", PNG: "png", PDF: "pdf"}
# A phone's camera gives 12-48 million pixels; more than this is no photo of a sheet but a
# decompression bomb (a small file that decodes into gigabytes).
MAX_PIXELS = 50_000_000
# What Pillow raises for a file it cannot decode (UnidentifiedImageError is an OSError).
UNDECODABLE = (OSError, SyntaxError, ValueError, Image.DecompressionBombError)


@dataclass(frozen=True)
class Stored:
    sha256: str
    media_type: str
    size: int


def _media_type(content: bytes) -> str:
    for magic, media_type in MAGIC:
        if content.startswith(magic):
            return media_type
    raise ServiceError.one(
        415, "unsupported_media_type", _("Send a photo (JPEG or PNG) or a PDF of the protocol.")
    )


def _unreadable() -> ServiceError:
    return invalid(
        [ErrorItem("unreadable_file", _("This file cannot be read: send it again."), field="file")]
    )


def _whole(content: bytes, media_type: str) -> None:
    """Refuse a file cut short. Pillow alone will not, once WeasyPrint (the printed
    documents) has set its process-wide ``LOAD_TRUNCATED_IMAGES``: it then fills the missing
    part with grey. A PNG's chunks are read through IEND with their checksums; a JPEG must end
    its last scan with the end-of-image marker (what a camera appends after it may stay)."""
    if media_type == PNG:
        Image.open(io.BytesIO(content)).verify()
    elif content.find(b"\xff\xd9", content.rfind(b"\xff\xda")) < 0:
        raise OSError("a JPEG cut short")


def _reencoded(content: bytes, media_type: str) -> bytes:
    try:
        _whole(content, media_type)
        image = Image.open(io.BytesIO(content))
        width, height = image.size  # read from the header: nothing is decoded yet
        if width * height > MAX_PIXELS:
            raise _unreadable()
        image.load()
        image = ImageOps.exif_transpose(image)
    except UNDECODABLE as error:
        raise _unreadable() from error
    if media_type == JPEG and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    elif media_type == PNG and image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA")  # a palette's transparency kept in the pixels
    # Pillow writes back what it read into ``info`` (a JPEG's comment, a colour profile):
    # only the pixels go out.
    image.info = {}
    out = io.BytesIO()
    image.save(
        out,
        "JPEG" if media_type == JPEG else "PNG",
        **({"quality": 90} if media_type == JPEG else {}),
    )
    return out.getvalue()


def clean(content: bytes, photos_only: bool = False) -> tuple[bytes, str]:
    """The bytes to keep and their type; 413 past ``SCAN_MAX_BYTES``, 415 for another type
    (a PDF too when ``photos_only``), 422 for a file that does not decode."""
    if len(content) > current_app.config["SCAN_MAX_BYTES"]:
        raise ServiceError.one(
            413, "payload_too_large", _("The file is larger than the service accepts.")
        )
    if not content:
        raise invalid([ErrorItem("empty_file", _("The file is empty."), field="file")])
    media_type = _media_type(content)
    if photos_only and media_type == PDF:
        raise ServiceError.one(
            415, "unsupported_media_type", _("Send a photo of the copy (JPEG or PNG).")
        )
    if media_type == PDF:
        if b"%%EOF" not in content[-1024:]:
            raise _unreadable()
        return content, PDF
    return _reencoded(content, media_type), media_type


def keep(content: bytes, photos_only: bool = False) -> Stored:
    """Clean the file and store it under its SHA-256."""
    cleaned, media_type = clean(content, photos_only)
    sha256 = hashlib.sha256(cleaned).hexdigest()
    files.store(sha256, cleaned)
    return Stored(sha256, media_type, len(cleaned))


def attach_scan(
    precinct: Precinct, content: bytes, actor, expected_version: int | None = None
) -> ProtocolScan:
    """The scan of the signed paper, attached to the precinct's current protocol version;
    409 when ``expected_version`` (the version its sender was shown) is no longer current,
    so that the paper of one version never goes with the figures of the next."""
    stored = keep(content)  # first: the file travels before the transaction reads or writes
    version = current_version(precinct)
    if version is None:
        raise conflict(
            "no_protocol", _("Enter the protocol first: its scan goes with the version.")
        )
    if expected_version is not None and expected_version != version.version:
        raise conflict(
            "version_conflict",
            _("The protocol was changed meanwhile: reload it and check the figures."),
            extra={"current_version": version.version},
        )
    scan = db.session.execute(
        select(ProtocolScan).where(
            ProtocolScan.version_id == version.id, ProtocolScan.sha256 == stored.sha256
        )
    ).scalar_one_or_none()
    if scan is not None:
        return scan
    scan = ProtocolScan(
        election_id=precinct.election_id,
        precinct_id=precinct.id,
        version_id=version.id,
        version=version.version,
        sha256=stored.sha256,
        media_type=stored.media_type,
        size=stored.size,
        attached_at=now(),
        attached_by=actor.username,
    )
    db.session.add(scan)
    db.session.flush()
    audit.record(
        Action.PROTOCOL_SCAN_ATTACHED,
        "protocol",
        precinct.id,
        {
            "election_id": precinct.election_id,
            "version": version.version,
            "version_digest": version.digest,
            "sha256": stored.sha256,
            "media_type": stored.media_type,
            "size": stored.size,
        },
        actor,
        chain=precinct.election.audit_chain,
    )
    return scan


def scans_of(election_id: int) -> dict[int, list[ProtocolScan]]:
    """Per precinct, the scans of the election's protocols, newest version first."""
    found: dict[int, list[ProtocolScan]] = {}
    for scan in db.session.execute(
        select(ProtocolScan)
        .where(ProtocolScan.election_id == election_id)
        .order_by(ProtocolScan.version.desc(), ProtocolScan.id)
    ).scalars():
        found.setdefault(scan.precinct_id, []).append(scan)
    return found


def published_type(sha256: str) -> str | None:
    """The type of a kept file the public may read (a protocol's scan or a copy's photo)."""
    scan = db.session.execute(
        select(ProtocolScan.media_type).where(ProtocolScan.sha256 == sha256).limit(1)
    ).scalar_one_or_none()
    if scan is not None:
        return scan
    return db.session.execute(
        select(ObserverCopy.photo_media_type).where(ObserverCopy.photo_sha256 == sha256).limit(1)
    ).scalar_one_or_none()


def kept_digests() -> list[str]:
    """Every file the service must keep: the scans, and the copies' photos."""
    scans = select(ProtocolScan.sha256)
    photos = select(ObserverCopy.photo_sha256).where(ObserverCopy.photo_sha256.is_not(None))
    return sorted(set(db.session.execute(scans.union(photos)).scalars()))
