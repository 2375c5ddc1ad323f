"""PDF downloads: each from the page it belongs to, and open to whoever may open that page.

- the precinct protocol of one version: the secretary of the precinct and the organising
  commission, as the protocol's history of versions;
- the certified result protocol of one certified version: anyone, as the public results page
  that lists the certified versions (the commission's dashboard links the same document);
- the ballot proof: anyone, as the ballot page.
"""

from __future__ import annotations

from flask import Blueprint, make_response, render_template

from elections.auth.access import current_actor, ensure_precinct_access, public, roles
from elections.errors import not_found
from elections.extensions import db
from elections.printing import documents, pdf
from elections.territory.models import Precinct
from elections.territory.services import get_election

bp = Blueprint("printing", __name__)

PROTOCOL_ROLES = ("precinct_secretary", "territorial_member", "territorial_chair")


def _attachment(html: str, filename: str, *, private: bool):
    body, _fonts = pdf.render(html)
    response = make_response(body)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store" if private else "no-cache"
    return response


@bp.get("/precincts/<int:precinct_id>/protocol/versions/<int:version>.pdf")
@roles(*PROTOCOL_ROLES)
def protocol(precinct_id: int, version: int):
    precinct = db.session.get(Precinct, precinct_id) if precinct_id > 0 else None
    if precinct is None:
        raise not_found()
    ensure_precinct_access(current_actor(), precinct)
    stored = documents.protocol_version(precinct, version)
    html = render_template("print/protocol.html", **documents.precinct_protocol(precinct, stored))
    name = f"protocol-election-{precinct.election_id}-precinct-{precinct.number}-v{version}.pdf"
    return _attachment(html, name, private=True)


@bp.get("/results/<int:election_id>/versions/<int:version>.pdf")
@public
def result(election_id: int, version: int):
    election = get_election(election_id)
    stored = documents.result_version(election, version)
    html = render_template("print/result.html", **documents.result_protocol(election, stored))
    return _attachment(html, f"result-election-{election.id}-v{version}.pdf", private=False)


@bp.get("/elections/<int:election_id>/ballot.pdf")
@public
def ballot(election_id: int):
    election = get_election(election_id)
    html = render_template("print/ballot.html", **documents.ballot_proof(election))
    return _attachment(html, f"ballot-election-{election.id}.pdf", private=False)
