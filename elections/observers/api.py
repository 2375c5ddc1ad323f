"""JSON API: accreditations (the organising commission; the public list), scans of signed
protocols (the secretary or the commission), observers' copies (the observer) and the
commission's answers to differences."""

from __future__ import annotations

from flask import request, url_for
from flask_babel import gettext as _

from elections.auth.access import ensure_organiser, ensure_precinct_access
from elections.core.errors import ErrorItem, invalid
from elections.core.extensions import db
from elections.observers import accreditation, copies, differences, scans
from elections.observers.schemas import (
    AccreditationIn,
    AccreditationOut,
    AccreditationsOut,
    AnswerIn,
    CopyIn,
    CopyOut,
    DifferenceOut,
    ElectionDifferencesOut,
    ScanOut,
    ScanQuery,
    WithdrawalIn,
)
from elections.territory.services import get_election, get_precinct_in
from elections.web.access import current_actor, public, roles
from elections.web.api import OBSERVERS, ApiBlueprint, errors
from elections.web.uploads import scan_body

bp = ApiBlueprint("observers_api", __name__, tag=OBSERVERS)
COMMISSION = ("territorial_chair", "territorial_member")
PROTOCOL_ROLES = ("precinct_secretary", *COMMISSION)
FILE_BODY = {
    "required": True,
    "content": {
        media_type: {"schema": {"type": "string", "format": "binary"}}
        for media_type in (scans.JPEG, scans.PNG, scans.PDF)
    },
}


def sent_file() -> bytes:
    """The file of the request: its whole body, or the ``file`` of a form."""
    if request.mimetype == "multipart/form-data":
        chosen = request.files.get("file")
        if chosen is None:
            raise invalid([ErrorItem("missing_file", _("Choose the file."), field="file")])
        return chosen.read()
    return request.get_data(cache=False)


def scan_view(stored) -> dict:
    return {
        "sha256": stored.sha256,
        "url": url_for("scans.file", sha256=stored.sha256, _external=False),
        "version": getattr(stored, "version", None),
        "media_type": stored.media_type,
        "size": stored.size,
    }


@bp.post("/elections/<int:election_id>/observers")
@roles(*COMMISSION)
@errors(409)
@bp.body(AccreditationIn)
@bp.response(201, AccreditationOut)
def accredit(read, election_id: int):
    """Accredit an observer

    For some precincts of the election, sent by a party, a candidate, a public association
    or the media. The IIN is kept only as its keyed hash. 409 already_accredited.
    """
    election = get_election(election_id)
    ensure_organiser(current_actor(), election)
    found = accreditation.accredit(election, read(), current_actor())
    db.session.commit()
    return found


@bp.get("/elections/<int:election_id>/observers")
@public
@bp.response(200, AccreditationsOut)
def list_observers(election_id: int):
    """The observers accredited to an election

    Their names, who sent them and their precincts, withdrawn ones with the reason; never an
    IIN.
    """
    return {"accreditations": accreditation.accreditations_of(get_election(election_id))}


@bp.delete("/observers/<int:accreditation_id>")
@roles(*COMMISSION)
@errors(409)
@bp.body(WithdrawalIn)
@bp.response(200, AccreditationOut)
def withdraw(read, accreditation_id: int):
    """Withdraw an accreditation

    With its reason; the observer's sessions and tokens stop. 409 already_withdrawn.
    """
    found = accreditation.get_accreditation(accreditation_id)
    ensure_organiser(current_actor(), get_election(found.election_id))
    accreditation.withdraw(found, read()["reason"], current_actor())
    db.session.commit()
    return found


@bp.post("/elections/<int:election_id>/precincts/<int:precinct_id>/protocol/scan")
@roles(*PROTOCOL_ROLES)
@errors(409, 413, 415, 503)
@bp.doc(requestBody=FILE_BODY)
@scan_body
@bp.arguments(ScanQuery, location="query")
@bp.response(201, ScanOut)
def attach_scan(query, election_id: int, precinct_id: int):
    """Attach the scan of the signed protocol

    A photo (JPEG or PNG, encoded again without its metadata) or a PDF, as the body or as
    the file of a form; attached to the current protocol version and public beside its
    figures. 409 no_protocol before the first version; with version=N, 409 version_conflict
    when N is no longer the current version.
    """
    precinct = get_precinct_in(election_id, precinct_id)
    ensure_precinct_access(current_actor(), precinct)
    scan = scans.attach_scan(precinct, sent_file(), current_actor(), query.get("version"))
    db.session.commit()
    return scan_view(scan)


@bp.put("/elections/<int:election_id>/precincts/<int:precinct_id>/observer-copy")
@roles("observer")
@errors(409)
@bp.body(CopyIn)
@bp.response(200, CopyOut)
def enter_copy(read, election_id: int, precinct_id: int):
    """Enter the figures of an observer copy

    The lines of the protocol as the copy reads, each a whole number; the control relations
    are not checked (a copy that does not add up is worth seeing too). Compared at once with
    the current official version: each differing line is public from now on, until they
    agree.
    """
    precinct = get_precinct_in(election_id, precinct_id)
    observer = accreditation.ensure_observer_at(current_actor(), precinct)
    copy = copies.enter_copy(precinct, read(), observer, current_actor())
    db.session.commit()
    return copies.copy_view(copy)


@bp.get("/elections/<int:election_id>/precincts/<int:precinct_id>/observer-copy")
@roles("observer")
@bp.response(200, CopyOut)
def show_copy(election_id: int, precinct_id: int):
    """The own copy of an observer at a precinct, with its open differences"""
    precinct = get_precinct_in(election_id, precinct_id)
    observer = accreditation.ensure_observer_at(current_actor(), precinct)
    return copies.copy_view(copies.required_copy(observer, precinct))


@bp.post("/elections/<int:election_id>/precincts/<int:precinct_id>/observer-copy/photo")
@roles("observer")
@errors(409, 413, 415, 503)
@bp.doc(requestBody=FILE_BODY)
@scan_body
@bp.response(201, ScanOut)
def attach_photo(election_id: int, precinct_id: int):
    """Attach a photo of an observer copy

    Optional, JPEG or PNG; encoded again without its metadata (no place, no device). 409
    no_copy before the copy's figures are entered, results_certified after certification.
    """
    precinct = get_precinct_in(election_id, precinct_id)
    observer = accreditation.ensure_observer_at(current_actor(), precinct)
    stored = copies.attach_photo(observer, precinct, sent_file(), current_actor())
    db.session.commit()
    return scan_view(stored)


@bp.get("/elections/<int:election_id>/differences")
@public
@bp.response(200, ElectionDifferencesOut)
def election_differences(election_id: int):
    """Observer copies against the official figures

    How many copies came in, agree, differ or await the protocol, and every difference seen,
    open or closed, with the commission's answer.
    """
    election = get_election(election_id)
    standing = differences.comparisons([election.id])[election.id]
    return {**vars(standing), "differences": differences.of_election(election.id)}


@bp.post(
    "/elections/<int:election_id>/precincts/<int:precinct_id>/differences/<int:difference_id>/answer"
)
@roles(*COMMISSION)
@errors(409)
@bp.body(AnswerIn)
@bp.response(200, DifferenceOut)
def answer(read, election_id: int, precinct_id: int, difference_id: int):
    """Answer a difference

    A recount ordered, the clerical error corrected (in a new protocol version) or an
    explanation, with a note: public at once. 409 results_certified.
    """
    precinct = get_precinct_in(election_id, precinct_id)
    ensure_organiser(current_actor(), precinct.election)
    found = differences.get_difference(election_id, precinct_id, difference_id)
    body = read()
    differences.answer(found, body["kind"], body["note"], current_actor())
    db.session.commit()
    return found
