"""An observer's copy of a precinct protocol: its figures, checked as the protocol's are, and
compared with the official version as soon as they are entered."""

from __future__ import annotations

import hashlib

from flask_babel import gettext as _
from sqlalchemy import select

from elections.ballots.models import FIGURE_FIELDS
from elections.ballots.services import (
    current_version,
    ensure_writable,
    lock_for_save,
    read_figures,
)
from elections.core import audit
from elections.core.audit import Action, canonical
from elections.core.clock import now
from elections.core.errors import conflict
from elections.core.extensions import db
from elections.observers import differences, scans
from elections.observers.differences import VOTES
from elections.observers.models import Accreditation, ObserverCopy
from elections.observers.scans import Stored
from elections.territory.models import Precinct


def copy_of(accreditation: Accreditation, precinct: Precinct) -> ObserverCopy | None:
    return db.session.execute(
        select(ObserverCopy).where(
            ObserverCopy.accreditation_id == accreditation.id,
            ObserverCopy.precinct_id == precinct.id,
        )
    ).scalar_one_or_none()


def enter_copy(precinct: Precinct, data: dict, accreditation: Accreditation, actor) -> ObserverCopy:
    """Take the figures of the observer's copy (the lines of the protocol, each a whole
    number), replacing those entered before, and compare them with the official version."""
    election = lock_for_save(precinct.election_id, precinct.id)  # and the precinct's row
    ensure_writable(election)
    # As the copy reads, even where its figures break a control relation: a copy that does
    # not add up is itself worth seeing beside the official protocol.
    figures = read_figures(election, data)
    lines = {name: getattr(figures, name) for name in FIGURE_FIELDS}
    lines.update({f"{VOTES}{cid}": votes for cid, votes in figures.votes.items()})
    digest = hashlib.sha256(canonical(lines).encode()).hexdigest()
    at = now()
    copy = copy_of(accreditation, precinct)
    if copy is None:
        copy = ObserverCopy(
            accreditation_id=accreditation.id, election_id=election.id, precinct_id=precinct.id
        )
        db.session.add(copy)
    copy.lines, copy.digest, copy.entered_at = lines, digest, at
    copy.entries = (copy.entries or 0) + 1
    db.session.flush()
    official = current_version(precinct)
    differences.reconcile(copy, official, at)
    db.session.flush()
    audit.record(
        Action.OBSERVER_COPY_ENTERED,
        "precinct",
        precinct.id,
        {
            "election_id": election.id,
            "accreditation_id": accreditation.id,
            "digest": digest,
            "photo_sha256": copy.photo_sha256,
            "official_version": official.version if official else None,
            "differences": [d.line for d in differences.of_copy(copy)],
        },
        actor,
        chain=election.audit_chain,
    )
    return copy


def required_copy(accreditation: Accreditation, precinct: Precinct) -> ObserverCopy:
    copy = copy_of(accreditation, precinct)
    if copy is None:
        raise conflict("no_copy", _("Enter the figures of your copy first."))
    return copy


def attach_photo(accreditation: Accreditation, precinct: Precinct, content: bytes, actor) -> Stored:
    """A photo of the copy (JPEG or PNG), cleaned of its metadata and kept beside its
    figures; locked with them once the result is certified."""
    stored = scans.keep(content, photos_only=True)  # before the lock: a slow store holds no one
    election = lock_for_save(precinct.election_id)
    ensure_writable(election)
    copy = required_copy(accreditation, precinct)
    copy.photo_sha256, copy.photo_media_type = stored.sha256, stored.media_type
    copy.entries = (copy.entries or 0) + 1
    audit.record(
        Action.OBSERVER_PHOTO_ATTACHED,
        "precinct",
        precinct.id,
        {
            "election_id": copy.election_id,
            "accreditation_id": accreditation.id,
            "digest": copy.digest,
            "photo_sha256": stored.sha256,
        },
        actor,
        chain=election.audit_chain,
    )
    return stored


def copy_view(copy: ObserverCopy) -> dict:
    official = current_version(copy.precinct)
    return {
        "precinct_id": copy.precinct_id,
        "official_version": official.version if official else None,
        "differences": differences.of_copy(copy),
    }
