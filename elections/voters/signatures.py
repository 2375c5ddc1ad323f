"""A self-nominee's signature sheets, checked row by row against the voter lists.

Each row gets a verdict (elections/voters/rules.py); the candidate's ``signatures_valid`` and
``settlements_covered`` then come from the check (``signatures_source: sheets``), and the
check's printable protocol is the candidate's ``signature_check_protocol`` document. The
sheets are handed in as a whole: a new upload replaces the check before it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from itertools import islice

from flask_babel import gettext as _
from sqlalchemy import delete, exists, func, insert, select

from elections.auth.access import ensure_organiser
from elections.candidates.models import Candidate
from elections.candidates.rules import signatures_required
from elections.candidates.services import territory_of
from elections.core import audit
from elections.core.audit import Action
from elections.core.clock import now
from elections.core.errors import ErrorItem, conflict, invalid
from elections.core.extensions import db
from elections.territory.models import Precinct
from elections.voters.models import SignatureCheck, SignatureRow, Voter, VoterList
from elections.voters.pii import iin_hash
from elections.voters.reading import Upload
from elections.voters.rules import (
    VERDICTS,
    Listed,
    Refusal,
    SheetRow,
    sheet_row,
    signature_verdict,
)

CHUNK = 1000
ROWS_MAX = 100_000  # far above 1% of the largest territory's voters


def ensure_checker(user, candidate: Candidate) -> None:
    """The organising commission checks the sheets of its elections' candidates."""
    ensure_organiser(user, candidate.election)


@dataclass
class Checked:
    check: SignatureCheck
    refused: dict[str, int]
    rows: list[dict]


def check_sheets(candidate: Candidate, upload: Upload, actor) -> Checked:
    """Check every row of the sheets and keep them with their verdicts (one transaction)."""
    if candidate.nomination_type != "self":
        raise conflict(
            "not_self_nominated", _("Only a self-nominated candidate hands in signature sheets.")
        )
    if candidate.status != "submitted":
        raise conflict(
            "decision_taken",
            _("The commission has decided on this candidate: the sheets can no longer change."),
        )
    election = candidate.election
    nominated_on = candidate.created_at.astimezone(election.tz).date()
    # Unconfirmed (domain.md): applied only once the commission turned it on with a source.
    one_only = election.profile.confirmed("one_candidate_per_signer")
    lists_loaded = db.session.execute(
        select(exists().where(VoterList.election_id == election.id))
    ).scalar_one()
    db.session.execute(delete(SignatureRow).where(SignatureRow.candidate_id == candidate.id))
    seen: set[bytes] = set()
    settlements: set[int] = set()
    verdicts: Counter[str] = Counter()
    answer, unreadable, position = [], [], 0
    rows = iter(upload)
    while chunk := list(islice(rows, CHUNK)):
        parsed = []
        for line, cells in chunk:
            position += 1
            row = sheet_row(cells)
            if isinstance(row, Refusal):
                unreadable.append(line)
            else:
                parsed.append((row, iin_hash(row.iin) if row.iin else None))
        if position > ROWS_MAX:
            raise invalid([ErrorItem("too_many_rows", _("At most 100,000 rows at once."))])
        digests = [digest for _row, digest in parsed if digest]
        here, elsewhere = _listed(election.id, digests)
        taken = _signed_for_others(candidate, digests) if one_only else set()
        batch = []
        for row, digest in parsed:
            listed = here.get(digest)
            verdict = signature_verdict(
                row,
                nominated_on=nominated_on,
                seen_before=digest in seen,
                signed_for_another=digest in taken,
                lists_loaded=lists_loaded,
                listed=listed,
                listed_elsewhere=digest in elsewhere,
            )
            if digest:
                seen.add(digest)
            if verdict == "valid" and listed is not None:
                settlements.add(listed.settlement_id)
            verdicts[verdict] += 1
            batch.append(_row(candidate.id, row, digest, verdict))
            answer.append({"sheet": row.sheet, "line": row.line, "verdict": verdict})
        if batch:
            db.session.execute(insert(SignatureRow.__table__), batch)
    if unreadable:
        raise invalid(
            [
                ErrorItem("invalid", _("Sheet and line must be whole numbers."), field=f"line {n}")
                for n in unreadable
            ]
        )
    check = _keep(candidate, upload.digest, position, verdicts, len(settlements), lists_loaded)
    check.checked_by = getattr(actor, "username", None) or "system"
    refused = {code: verdicts[code] for code in VERDICTS if code != "valid" and verdicts[code]}
    _apply(candidate, check)
    audit.record(
        Action.SIGNATURES_CHECKED,
        "candidate",
        candidate.id,
        {
            "rows": check.rows,
            "valid": check.valid,
            "required": check.required,
            "settlements_covered": check.settlements_covered,
            "refused": refused,
            "digest": check.digest,
            "lists_loaded": lists_loaded,
        },
        actor,
    )
    answer.sort(key=lambda r: (r["sheet"], r["line"]))
    return Checked(check, refused, answer)


def _listed(election_id: int, digests: list[bytes]) -> tuple[dict[bytes, Listed], set[bytes]]:
    """The signers on this election's lists (names and settlement), and those on another's."""
    if not digests:
        return {}, set()
    found = db.session.execute(
        select(
            Voter.iin_hash,
            Voter.election_id,
            Voter.last_name,
            Voter.first_name,
            Voter.patronymic,
            Precinct.unit_id,
        )
        .join(Precinct, Precinct.id == Voter.precinct_id)
        .where(Voter.iin_hash.in_(digests))
    ).all()
    here, elsewhere = {}, set()
    for digest, election, last, first, patronymic, unit_id in found:
        if election == election_id:
            here[digest] = Listed((last, first, patronymic), unit_id)
        else:
            elsewhere.add(digest)
    return here, elsewhere


def _signed_for_others(candidate: Candidate, digests: list[bytes]) -> set[bytes]:
    """Which of these signers signed validly for another candidate of the same election."""
    if not digests:
        return set()
    others = select(Candidate.id).where(
        Candidate.election_id == candidate.election_id, Candidate.id != candidate.id
    )
    found = db.session.execute(
        select(SignatureRow.iin_hash).where(
            SignatureRow.iin_hash.in_(digests),
            SignatureRow.verdict == "valid",
            SignatureRow.candidate_id.in_(others),
        )
    )
    return set(found.scalars())


def _row(candidate_id: int, row: SheetRow, digest: bytes | None, verdict: str) -> dict:
    return {
        "candidate_id": candidate_id,
        "sheet": row.sheet,
        "line": row.line,
        "iin_hash": digest,
        "last_name": row.last_name,
        "first_name": row.first_name,
        "patronymic": row.patronymic,
        "signed_on": row.signed_on,
        "verdict": verdict,
    }


def _keep(candidate, digest, rows, verdicts, settlements, lists_loaded) -> SignatureCheck:
    election = candidate.election
    check = db.session.get(SignatureCheck, candidate.id) or SignatureCheck(
        candidate_id=candidate.id
    )
    check.digest, check.rows, check.valid = digest, rows, verdicts["valid"]
    check.required = signatures_required(territory_of(election).voters, election.profile)
    check.settlements_covered, check.lists_loaded, check.checked_at = (
        settlements,
        lists_loaded,
        now(),
    )
    db.session.add(check)
    return check


def _apply(candidate: Candidate, check: SignatureCheck) -> None:
    """The candidate's figures from the check, and its protocol among the documents."""
    candidate.signatures_valid = check.valid
    candidate.settlements_covered = check.settlements_covered
    candidate.signatures_source = "sheets"
    candidate.documents = {**(candidate.documents or {}), "signature_check_protocol": True}
    db.session.flush()


def check_of(candidate: Candidate) -> SignatureCheck | None:
    return db.session.get(SignatureCheck, candidate.id)


def required_check(candidate: Candidate) -> SignatureCheck:
    check = check_of(candidate)
    if check is None:
        raise conflict("not_checked", _("No signature sheets were loaded for this candidate."))
    return check


def check_view(check: SignatureCheck, refused: dict[str, int], rows: list[dict]) -> dict:
    return {
        "candidate_id": check.candidate_id,
        "valid": check.valid,
        "required": check.required,
        "settlements_covered": check.settlements_covered,
        "lists_loaded": check.lists_loaded,
        "digest": check.digest,
        "checked_at": check.checked_at,
        "refused": refused,
        "rows": rows,
    }


def rows_of(candidate: Candidate, verdict: str | None = None) -> list[SignatureRow]:
    statement = select(SignatureRow).where(SignatureRow.candidate_id == candidate.id)
    if verdict:
        statement = statement.where(SignatureRow.verdict == verdict)
    return list(
        db.session.execute(statement.order_by(SignatureRow.sheet, SignatureRow.line)).scalars()
    )


def counts_of(candidate: Candidate) -> dict[str, int]:
    """Rows per verdict, in the order of :data:`VERDICTS`, counted by the database."""
    found = dict(
        db.session.execute(
            select(SignatureRow.verdict, func.count())
            .where(SignatureRow.candidate_id == candidate.id)
            .group_by(SignatureRow.verdict)
        ).all()
    )
    return {code: found[code] for code in VERDICTS if found.get(code)}
