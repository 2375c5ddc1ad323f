"""NIST SP 1500-100 v2 election results (JSON, ``@type`` style) from plain values.

The report serialises the figures the service publishes; it decides nothing.
Mapping choices where the standard has no exact term:

- the elected unit is a ReportingUnit of Type "other", identified by its KATO
  code; each precinct is a "precinct" unit composing it;
- "against all" is a CandidateSelection naming no candidate (``sel-against-all``,
  last in SequenceOrder): the schema gives a selection no label, so ``Notes``
  says what it is;
- invalid ballots are ``BallotsRejected`` in the Election's BallotCounts, next to
  ``BallotsCast`` (ballots found in the boxes); OtherCounts' over- and undervotes
  would claim a reason for invalidity the protocol does not record;
- a precinct that has not reported has no counts at all, rather than zeros.

Standard library only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from elections.results.tally import PrecinctCount, Totals

RESULTS_STATUSES = ("unofficial-partial", "unofficial-complete", "certified", "correction")
AGAINST_ALL_ID = "sel-against-all"
AGAINST_ALL_NOTE = (
    f"{AGAINST_ALL_ID} is the ballot line 'Барлығына қарсы / Против всех' (against all): "
    "its votes count among those who took part and have no effect on the winner."
)


@dataclass(frozen=True)
class PrecinctInput:
    """A precinct; ``voters_on_list`` is the register's figure until the protocol gives line 1."""

    id: int
    number: int
    name: Mapping[str, str]
    voters_on_list: int
    counts: PrecinctCount | None


@dataclass(frozen=True)
class PartyInput:
    id: int
    name: Mapping[str, str]


@dataclass(frozen=True)
class CandidateInput:
    """A registered candidate; ``party`` is None for a self-nominee."""

    id: int
    full_name: str
    party: PartyInput | None


@dataclass(frozen=True)
class ReportInput:
    """Everything a report needs. Names are ``{"kk": ..., "ru": ...}``; candidates in ballot order.

    ``totals`` are the published totals: while the count is partial they cover the
    reporting precincts only (see ``tally.Totals``), and so do the unit's
    VotersRegistered and VotersParticipated.
    """

    election_id: int
    election_day: date
    unit_kato: str
    unit_name: Mapping[str, str]
    office_name: Mapping[str, str]
    precincts: Sequence[PrecinctInput]
    candidates: Sequence[CandidateInput]
    totals: Totals
    status: str
    generated_at: datetime
    issuer: str
    issuer_abbreviation: str
    vendor_application_id: str
    notes: str | None = None  # added to the report's Notes (an election declared invalid)


def _text(names: Mapping[str, str]) -> dict[str, Any]:
    return {
        "@type": "ElectionResults.InternationalizedText",
        "Text": [
            {"@type": "ElectionResults.LanguageString", "Content": names[lang], "Language": lang}
            for lang in ("kk", "ru")
        ],
    }


def _unit_id(kato: str) -> str:
    return f"gpu-unit-{kato}"


def _precinct_id(precinct_id: int) -> str:
    return f"gpu-precinct-{precinct_id}"


def _vote_counts(gp_unit_id: str, count: int) -> dict[str, Any]:
    return {
        "@type": "ElectionResults.VoteCounts",
        "GpUnitId": gp_unit_id,
        "Type": "total",
        "Count": count,
    }


def _ballot_counts(gp_unit_id: str, ballots_in_boxes: int, invalid: int) -> dict[str, Any]:
    return {
        "@type": "ElectionResults.BallotCounts",
        "GpUnitId": gp_unit_id,
        "Type": "total",
        "BallotsCast": ballots_in_boxes,
        "BallotsRejected": invalid,
    }


def _check(report: ReportInput) -> None:
    if report.status not in RESULTS_STATUSES:
        raise ValueError(f"status {report.status!r} is not one of {RESULTS_STATUSES}")
    if report.generated_at.utcoffset() is None:
        raise ValueError("generated_at must be an aware datetime")
    # Nothing has reported in an election with no precincts yet: that is not complete.
    complete = bool(report.precincts) and all(p.counts is not None for p in report.precincts)
    if complete != (report.status != "unofficial-partial"):
        raise ValueError(
            f"status {report.status!r} disagrees with the precincts "
            f"({'all' if complete else 'not all'} reported)"
        )


def build_election_report(report: ReportInput) -> dict[str, Any]:
    """The ElectionReport for one akim election, at precinct level.

    Raises ValueError for an unknown status, a naive ``generated_at``, or a status
    that disagrees with the precincts ("unofficial-partial" exactly when some
    precinct has not reported).
    """
    _check(report)
    unit_id = _unit_id(report.unit_kato)
    office_id = f"office-{report.unit_kato}"
    reported = [(p, p.counts) for p in report.precincts if p.counts is not None]
    totals = report.totals

    precinct_units = []
    for precinct in report.precincts:
        counts = precinct.counts
        registered = precinct.voters_on_list if counts is None else counts.voters_on_list
        unit: dict[str, Any] = {
            "@id": _precinct_id(precinct.id),
            "@type": "ElectionResults.ReportingUnit",
            "Type": "precinct",
            "Number": str(precinct.number),
            "Name": _text(precinct.name),
            "VotersRegistered": registered,
        }
        if counts is not None:
            unit["VotersParticipated"] = counts.ballots_in_boxes
        precinct_units.append(unit)

    elected_unit = {
        "@id": unit_id,
        "@type": "ElectionResults.ReportingUnit",
        "Type": "other",
        "OtherType": "administrative-territorial-unit",
        "Name": _text(report.unit_name),
        "ExternalIdentifier": [
            {
                "@type": "ElectionResults.ExternalIdentifier",
                "Type": "national-level",
                "Label": "KATO",
                "Value": report.unit_kato,
            }
        ],
        "ComposingGpUnitIds": [_precinct_id(p.id) for p in report.precincts],
        "SubUnitsReported": len(reported),
        "TotalSubUnits": len(report.precincts),
        "VotersRegistered": totals.voters_on_list,
        "VotersParticipated": totals.ballots_in_boxes,
    }

    parties: dict[int, dict[str, Any]] = {}
    candidates = []
    selections = []
    for order, candidate in enumerate(report.candidates, start=1):
        entry: dict[str, Any] = {
            "@id": f"cand-{candidate.id}",
            "@type": "ElectionResults.Candidate",
            "BallotName": _text({"kk": candidate.full_name, "ru": candidate.full_name}),
        }
        if candidate.party is not None:
            entry["PartyId"] = f"party-{candidate.party.id}"
            parties.setdefault(
                candidate.party.id,
                {
                    "@id": entry["PartyId"],
                    "@type": "ElectionResults.Party",
                    "Name": _text(candidate.party.name),
                },
            )
        candidates.append(entry)
        selections.append(
            {
                "@id": f"sel-{candidate.id}",
                "@type": "ElectionResults.CandidateSelection",
                "CandidateIds": [entry["@id"]],
                "IsWriteIn": False,
                "SequenceOrder": order,
                "VoteCounts": [_vote_counts(unit_id, totals.votes[candidate.id])]
                + [
                    _vote_counts(_precinct_id(p.id), counts.votes.get(candidate.id, 0))
                    for p, counts in reported
                ],
            }
        )
    selections.append(
        {
            "@id": AGAINST_ALL_ID,
            "@type": "ElectionResults.CandidateSelection",
            "IsWriteIn": False,
            "SequenceOrder": len(report.candidates) + 1,
            "VoteCounts": [_vote_counts(unit_id, totals.against_all)]
            + [_vote_counts(_precinct_id(p.id), counts.against_all) for p, counts in reported],
        }
    )

    contest = {
        "@id": f"contest-{report.election_id}",
        "@type": "ElectionResults.CandidateContest",
        "Name": report.office_name["kk"],  # a plain string: the state language's
        "BallotTitle": _text(report.office_name),
        "ElectionDistrictId": unit_id,
        "OfficeIds": [office_id],
        "VotesAllowed": 1,
        "NumberElected": 1,
        "VoteVariation": "plurality",
        "SubUnitsReported": len(reported),
        "TotalSubUnits": len(report.precincts),
        "ContestSelection": selections,
    }
    election = {
        "@type": "ElectionResults.Election",
        "Name": _text(report.office_name),
        "Type": "general",
        "StartDate": report.election_day.isoformat(),
        "EndDate": report.election_day.isoformat(),
        "ElectionScopeId": unit_id,
        "Candidate": candidates,
        "Contest": [contest],
        "BallotCounts": [_ballot_counts(unit_id, totals.ballots_in_boxes, totals.invalid_ballots)]
        + [
            _ballot_counts(_precinct_id(p.id), counts.ballots_in_boxes, counts.invalid_ballots)
            for p, counts in reported
        ],
    }
    return {
        "@type": "ElectionResults.ElectionReport",
        "Format": "precinct-level",
        "GeneratedDate": report.generated_at.isoformat(timespec="seconds"),
        "Issuer": report.issuer,
        "IssuerAbbreviation": report.issuer_abbreviation,
        "VendorApplicationId": report.vendor_application_id,
        "SequenceStart": 1,
        "SequenceEnd": 1,
        "Status": report.status,
        "Notes": f"{report.notes} {AGAINST_ALL_NOTE}" if report.notes else AGAINST_ALL_NOTE,
        "GpUnit": [elected_unit, *precinct_units],
        "Office": [
            {
                "@id": office_id,
                "@type": "ElectionResults.Office",
                "Name": _text(report.office_name),
                "ElectionDistrictId": unit_id,
            }
        ],
        "Party": list(parties.values()),
        "Election": [election],
    }
