"""What each printed document says: the precinct protocol of one version, the certified result
protocol of the territorial commission, and the ballot proof.

The papers a commission signs are bilingual, as the official forms are: every heading and line
name in Kazakh, the state language, then in Russian, whatever language the page that offered
the download speaks. The figures come from the stored versions, never from a recount, and each
document prints the SHA-256 digest the service keeps for what it shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from elections.ballots import services as ballot_services
from elections.ballots.models import ProtocolVersion
from elections.candidates.models import Candidate
from elections.clock import now, service_timezone
from elections.errors import not_found
from elections.extensions import db
from elections.results import services as result_services
from elections.results.models import ResultVersion
from elections.territory.models import Election, Precinct


@dataclass(frozen=True)
class Label:
    kk: str
    ru: str


# The lines of the precinct protocol (domain.md, "Count and protocol"), as the form names them.
PROTOCOL_LINES = (
    (
        "voters_on_list",
        Label(
            "Сайлаушылар тізіміне енгізілген сайлаушылар саны",
            "Число избирателей, включённых в списки избирателей",
        ),
    ),
    (
        "ballots_received",
        Label(
            "Учаскелік сайлау комиссиясы алған сайлау бюллетеньдерінің саны",
            "Число избирательных бюллетеней, полученных участковой избирательной комиссией",
        ),
    ),
    (
        "ballots_issued",
        Label(
            "Сайлаушыларға берілген сайлау бюллетеньдерінің саны",
            "Число избирательных бюллетеней, выданных избирателям",
        ),
    ),
    (
        "ballots_cancelled",
        Label(
            "Өтелген (пайдаланылмаған) сайлау бюллетеньдерінің саны",
            "Число погашенных (неиспользованных) избирательных бюллетеней",
        ),
    ),
    (
        "ballots_in_boxes",
        Label(
            "Дауыс беруге арналған жәшіктерден табылған сайлау бюллетеньдерінің саны",
            "Число избирательных бюллетеней, обнаруженных в ящиках для голосования",
        ),
    ),
    (
        "invalid_ballots",
        Label(
            "Жарамсыз сайлау бюллетеньдерінің саны",
            "Число недействительных избирательных бюллетеней",
        ),
    ),
)
AGAINST_ALL_LINE = Label(
    "«Барлығына қарсы» берілген дауыстар саны", "Число голосов, поданных «Против всех»"
)


def votes_for(name: str) -> Label:
    return Label(
        f"{name} кандидатына берілген дауыстар саны", f"Число голосов, поданных за кандидата {name}"
    )


@dataclass(frozen=True)
class Line:
    number: int
    label: Label
    value: int


def local_moment(value: datetime | str | None) -> str:
    """An instant in the service's time zone, with the zone's offset: paper outlives the page."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    local = value.astimezone(service_timezone())
    offset = local.strftime("%z")
    return f"{local:%d.%m.%Y %H:%M} (UTC{offset[:3]}:{offset[3:]})"


def local_day(value: date | str) -> str:
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return f"{value:%d.%m.%Y}"


def _printed() -> str:
    return local_moment(now())


def _names(candidate_ids) -> dict[int, str]:
    ids = list(candidate_ids)
    if not ids:
        return {}
    rows = db.session.execute(select(Candidate).where(Candidate.id.in_(ids))).scalars()
    return {c.id: c.full_name for c in rows}


# -- the precinct protocol ------------------------------------------------------------------


def protocol_version(precinct: Precinct, number: int) -> ProtocolVersion:
    version = db.session.execute(
        select(ProtocolVersion).where(
            ProtocolVersion.precinct_id == precinct.id, ProtocolVersion.version == number
        )
    ).scalar_one_or_none()
    if version is None:
        raise not_found()
    return version


def precinct_protocol(precinct: Precinct, version: ProtocolVersion) -> dict:
    election = precinct.election
    lines = [
        Line(position, label, getattr(version, name))
        for position, (name, label) in enumerate(PROTOCOL_LINES, start=1)
    ]
    votes = list(version.votes)  # in the order of the ballot the figures were entered on
    names = _names(v.candidate_id for v in votes)
    first = len(lines) + 1
    lines += [
        Line(first + index, votes_for(names.get(vote.candidate_id, "")), vote.votes)
        for index, vote in enumerate(votes)
    ]
    lines.append(Line(first + len(votes), AGAINST_ALL_LINE, version.against_all))
    current = ballot_services.current_version(precinct)
    return {
        "election": election,
        "election_day": local_day(election.election_day),
        "precinct": precinct,
        "version": version,
        "current_version": current.version if current else None,
        "entered_at": local_moment(version.created_at),
        "lines": lines,
        "printed_at": _printed(),
    }


# -- the certified result protocol ------------------------------------------------------------


def result_version(election: Election, number: int) -> ResultVersion:
    version = db.session.execute(
        select(ResultVersion).where(
            ResultVersion.election_id == election.id, ResultVersion.version == number
        )
    ).scalar_one_or_none()
    if version is None:
        raise not_found()
    return version


def result_protocol(election: Election, version: ResultVersion) -> dict:
    figures = version.figures
    candidates = figures.get("candidates", [])
    winner = next(
        (c for c in candidates if c["candidate_id"] == figures.get("winner_candidate_id")), None
    )
    tied = [c for c in candidates if c["candidate_id"] in figures.get("tied_candidate_ids", [])]
    numbers = {
        p.id: p.number
        for p in db.session.execute(
            select(Precinct).where(Precinct.election_id == election.id)
        ).scalars()
    }
    protocols = sorted(
        (
            {
                "number": numbers.get(p["precinct_id"], 0),
                "version": p["version"],
                "digest": p["digest"],
            }
            for p in version.protocols
        ),
        key=lambda p: p["number"],
    )
    reopened = [
        c for c in result_services.corrections(election) if c.after_version >= version.version
    ]
    latest = result_services.latest_version(election)
    return {
        "election": election,
        "election_day": local_day(election.election_day),
        "version": version,
        "figures": figures,
        "candidates": candidates,
        "winner": winner if figures.get("outcome") == "winner" else None,
        "tied": tied if figures.get("outcome") == "tie" else [],
        "certified_at": local_moment(version.certified_at),
        "protocols": protocols,
        "reopened_at": local_moment(reopened[0].opened_at) if reopened else None,
        "latest_version": latest.version if latest else version.version,
        "printed_at": _printed(),
    }


# -- the ballot proof -------------------------------------------------------------------------


def ballot_proof(election: Election) -> dict:
    return {
        "election": election,
        "election_day": local_day(election.election_day),
        "paper": ballot_services.ballot(election),
        "printed_at": _printed(),
    }
