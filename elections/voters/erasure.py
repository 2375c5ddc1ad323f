"""Personal data erased once an election's result can no longer be challenged.

The voters of its lists go, and the signature rows keep only their sheet, line and verdict:
the counts, the digests of the files and the audit trail (which never held a name or an
IIN) stay, so the check can still be shown to have happened, but no longer on whom.

How long after election day: no source found gives the appeal periods (domain.md, "Verified
and unverified rules"), so ``PII_KEEP_DAYS`` (default 90) is the deployment's choice, and
the election must be settled (certified, invalid or a repeat required) before anything goes.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, func, select, update

from elections.candidates.models import Candidate
from elections.core import audit
from elections.core.audit import Action
from elections.core.clock import now
from elections.core.errors import conflict
from elections.core.extensions import db
from elections.territory.models import Election
from elections.voters.models import SignatureRow, Voter
from elections.web.templating import local_date


def erase_personal_data(election: Election, actor) -> dict:
    """Erase the election's voters and signers' names, in the caller's transaction."""
    if election.state == "open":
        raise conflict(
            "election_open", _("The election is not settled: its lists are still needed.")
        )
    keep = timedelta(days=current_app.config["PII_KEEP_DAYS"])
    until = election.election_day + keep
    if now().astimezone(election.tz).date() < until:
        raise conflict(
            "still_kept",
            _("The lists are kept until %(day)s.", day=local_date(until)),
        )
    voters = db.session.execute(
        select(func.count()).select_from(Voter).where(Voter.election_id == election.id)
    ).scalar_one()
    db.session.execute(delete(Voter).where(Voter.election_id == election.id))
    candidates = select(Candidate.id).where(Candidate.election_id == election.id)
    signers = db.session.execute(
        update(SignatureRow)
        .where(SignatureRow.candidate_id.in_(candidates))
        .values(iin_hash=None, last_name="", first_name="", patronymic=None, signed_on=None)
    ).rowcount
    erased = {"election_id": election.id, "voters": voters, "signature_rows": signers}
    audit.record(Action.PERSONAL_DATA_ERASED, "election", election.id, erased, actor)
    return erased
