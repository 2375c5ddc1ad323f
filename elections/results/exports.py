"""Open data: one CSV row per precinct, and the NIST SP 1500-100 v2 election report."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from elections.ballots.services import ballot_candidates
from elections.core.clock import now
from elections.core.extensions import db
from elections.results import services
from elections.results.nist import (
    CandidateInput,
    PartyInput,
    PrecinctInput,
    ReportInput,
    build_election_report,
)
from elections.results.tally import PrecinctCount, Totals
from elections.territory.models import Election, Party

ISSUER = "Central Election Commission of the Republic of Kazakhstan"
ISSUER_ABBREVIATION = "CEC RK"
APPLICATION = "akim-elections"
NIST_STATUS = {
    "no_results": "unofficial-partial",
    "unofficial_partial": "unofficial-partial",
    "unofficial_complete": "unofficial-complete",
}


BOM = "\ufeff"
# A spreadsheet takes a cell that begins with one of these for a formula (api.md, "Open data").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """A text cell a spreadsheet shows as text: a leading formula character gets a ``'``.
    Numbers are left alone (a negative number is a number, not a formula)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _SafeWriter:
    """Rows end in CRLF (RFC 4180): the writer then quotes a cell holding a carriage return
    too, which a bare LF terminator would leave unquoted, breaking the row."""

    def __init__(self, out):
        self._writer = csv.writer(out, lineterminator="\r\n")

    def writerow(self, row) -> None:
        self._writer.writerow([safe_cell(value) for value in row])


def results_csv(election: Election) -> str:
    """The CSV text, starting with a UTF-8 byte-order mark so that spreadsheets read it as
    UTF-8 (Kazakh and Russian names), its text cells safe from formula injection."""
    candidates = ballot_candidates(election)
    # An election declared invalid says so on every row, in two last columns.
    grounds = services.invalid_grounds(election) if election.state == "invalid" else None
    tail = ["invalid", grounds or ""] if election.state == "invalid" else []
    out = io.StringIO()
    out.write(BOM)
    writer = _SafeWriter(out)
    writer.writerow(
        [
            "precinct_number",
            "precinct_id",
            "reported",
            "protocol_version",
            "voters_on_list",
            "ballots_in_boxes",
            "invalid_ballots",
            "against_all",
            *[f"{c.full_name} ({c.id})" for c in candidates],
            *(["election_status", "invalid_grounds"] if tail else []),
        ]
    )
    for precinct, version in services.precinct_rows(election):
        if version is None:
            writer.writerow(
                [
                    precinct.number,
                    precinct.id,
                    "no",
                    "",
                    "",
                    "",
                    "",
                    "",
                    *[""] * len(candidates),
                    *tail,
                ]
            )
            continue
        votes = version.votes_by_candidate()
        writer.writerow(
            [
                precinct.number,
                precinct.id,
                "yes",
                version.version,
                version.voters_on_list,
                version.ballots_in_boxes,
                version.invalid_ballots,
                version.against_all,
                *[votes.get(c.id, 0) for c in candidates],
                *tail,
            ]
        )
    return out.getvalue()


def nist_report(election: Election) -> dict:
    result = services.result(election)
    candidates = ballot_candidates(election)
    party_ids = {c.party_id for c in candidates if c.party_id is not None}
    parties = {
        party.id: party
        for party in db.session.execute(select(Party).where(Party.id.in_(party_ids))).scalars()
    }  # in one query, not one per candidate
    rows = services.precinct_rows(election)
    precincts = [
        PrecinctInput(
            id=p.id,
            number=p.number,
            name={
                "kk": f"№{p.number} учаске, {p.unit.name_kk}",
                "ru": f"Участок №{p.number}, {p.unit.name_ru}",
            },
            voters_on_list=p.voters_on_list,
            counts=None
            if v is None
            else PrecinctCount(
                precinct_id=p.id,
                voters_on_list=v.voters_on_list,
                ballots_in_boxes=v.ballots_in_boxes,
                invalid_ballots=v.invalid_ballots,
                against_all=v.against_all,
                votes=v.votes_by_candidate(),
            ),
        )
        for p, v in rows
    ]
    totals = Totals(
        precincts_reporting=result["precincts_reporting"],
        precincts_total=result["precincts_total"],
        voters_on_list=result["voters_on_list"],
        ballots_in_boxes=result["ballots_in_boxes"],
        invalid_ballots=result["invalid_ballots"],
        against_all=result["against_all"],
        votes={row["candidate_id"]: row["votes"] for row in result["candidates"]},
    )
    if result["status"] == "certified":
        status = "correction" if result.get("version", 1) > 1 else "certified"
    else:
        status = NIST_STATUS[result["status"]]
    unit = election.unit
    return build_election_report(
        ReportInput(
            election_id=election.id,
            election_day=election.election_day,
            unit_kato=unit.kato,
            unit_name=unit.name,
            office_name={"kk": f"{unit.name_kk} әкімі", "ru": f"Аким: {unit.name_ru}"},
            precincts=precincts,
            candidates=[
                CandidateInput(
                    id=c.id,
                    full_name=c.full_name,
                    party=PartyInput(c.party_id, parties[c.party_id].name)
                    if c.party_id in parties
                    else None,
                )
                for c in candidates
            ],
            totals=totals,
            status=status,
            generated_at=now(),
            issuer=ISSUER,
            issuer_abbreviation=ISSUER_ABBREVIATION,
            vendor_application_id=APPLICATION,
            notes=_invalid_note(result),
        )
    )


def _invalid_note(result: dict) -> str | None:
    """What the report says of an election declared invalid: no one is elected."""
    if result["outcome"] != "invalid":
        return None
    return (
        "The organising commission declared this election invalid (art. 113-9): "
        f"{result.get('invalid_grounds') or ''}. No candidate is elected; the counts are "
        "unofficial and a repeat election follows."
    )
