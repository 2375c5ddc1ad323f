"""What each printed document says: the precinct protocol of one version, the certified result
protocol of the territorial commission, and the ballot proof.

The papers a commission signs are bilingual, as the official forms are: every heading and line
name in Kazakh, the state language, then in Russian, whatever language the page that offered
the download speaks. The figures come from the stored versions, never from a recount, and each
document prints the SHA-256 digest the service keeps for what it shows.

A document is a function of stored data only: no clock is read while printing, so the same data
prints the same bytes (elections.printing.cache keeps them, and an ETag names them). Its date,
shown in the PDF's metadata, is the time of what it prints: the entry of the protocol version,
the certification of the result, the newest candidate record or decision for the ballot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo

from sqlalchemy import func, select

from elections.ballots import services as ballot_services
from elections.ballots.models import ProtocolVersion
from elections.candidates.models import Candidate, CandidateEvent
from elections.core.clock import service_timezone
from elections.core.errors import not_found
from elections.core.extensions import db
from elections.observers.differences import line_names
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


def local_moment(value: datetime | str | None, tz: tzinfo | None = None) -> str:
    """An instant in the election's time zone (``tz``; else the service's), with the zone's
    offset: paper outlives the page."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    local = value.astimezone(tz or service_timezone())
    offset = local.strftime("%z")
    return f"{local:%d.%m.%Y %H:%M} (UTC{offset[:3]}:{offset[3:]})"


def local_day(value: date | str) -> str:
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return f"{value:%d.%m.%Y}"


def w3c_moment(value: datetime | None) -> str | None:
    """An instant as the ``dcterms`` meta tags give WeasyPrint the PDF's dates: UTC, seconds."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


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
        "entered_at": local_moment(version.created_at, election.tz),
        "lines": lines,
        "issued": w3c_moment(version.created_at),
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
    # What the paper says about the version's later life is fixed once it happened: the
    # correction that reopened this very version, and the version that replaced it.
    reopened = next(
        (c for c in result_services.corrections(election) if c.after_version == version.version),
        None,
    )
    replaced_by = db.session.execute(
        select(func.min(ResultVersion.version)).where(
            ResultVersion.election_id == election.id, ResultVersion.version > version.version
        )
    ).scalar()
    return {
        "election": election,
        "election_day": local_day(election.election_day),
        "version": version,
        "figures": figures,
        "candidates": candidates,
        "winner": winner if figures.get("outcome") == "winner" else None,
        "tied": tied if figures.get("outcome") == "tie" else [],
        "certified_at": local_moment(version.certified_at, election.tz),
        "protocols": protocols,
        "reopened_at": local_moment(reopened.opened_at, election.tz) if reopened else None,
        "replaced_by": replaced_by,
        "issued": w3c_moment(version.certified_at),
        "differences": _differences(election, version, numbers),
    }


def _differences(election: Election, version: ResultVersion, numbers: dict) -> list[dict]:
    """The observers' differences the version recorded, each with its protocol line's number
    (the ballot's order) and the commission's answer."""
    lines = {name: number for number, name in enumerate(line_names(election), start=1)}
    return [
        {
            "precinct": numbers.get(d["precinct_id"], 0),
            "line": lines.get(d["line"], d["line"]),
            "official": d["official"],
            "copy": d["copy"],
            "answer": PRINTED_ANSWERS[d["answer"]],
        }
        for d in version.differences or ()
    ]


# The commission's answer to a difference, as the bilingual printed protocol words it.
PRINTED_ANSWERS = {
    "recount": "Қайта санау тағайындалды / Назначен пересчёт",
    "corrected": "Техникалық қате түзетілді / Исправлена техническая ошибка",
    "explained": "Түсініктеме берілді / Дано разъяснение",
    "acknowledged": "Төраға назарға алды / Принято к сведению председателем",
}


def result_is_final(context: dict) -> bool:
    """Whether nothing can change this version's paper any more: a later version replaced it."""
    return context["replaced_by"] is not None


# -- the ballot proof -------------------------------------------------------------------------


def _candidates_changed_at(election: Election) -> datetime | None:
    """When the election's candidates last changed: the newest application or decision."""
    created = db.session.execute(
        select(func.max(Candidate.created_at)).where(Candidate.election_id == election.id)
    ).scalar()
    decided = db.session.execute(
        select(func.max(CandidateEvent.at))
        .join(Candidate, Candidate.id == CandidateEvent.candidate_id)
        .where(Candidate.election_id == election.id)
    ).scalar()
    moments = [m.replace(tzinfo=m.tzinfo or UTC) for m in (created, decided) if m is not None]
    return max(moments) if moments else None


def ballot_proof(election: Election) -> dict:
    return {
        "election": election,
        "election_day": local_day(election.election_day),
        "paper": ballot_services.ballot(election),
        "issued": w3c_moment(_candidates_changed_at(election)),
    }


# -- the voter list and the signature-check protocol ---------------------------------------

# A signature's verdict as the signature-check protocol prints it (elections/voters/rules.py).
VERDICT_LABELS = {
    "valid": Label("Жарамды", "Действительна"),
    "iin_invalid": Label("ЖСН жарамсыз", "ИИН недействителен"),
    "signed_before_nomination": Label(
        "Ұсынылғанға дейін немесе күнсіз қойылған", "Поставлена до выдвижения или без даты"
    ),
    "duplicate_signature": Label(
        "Сол сайлаушы бұрын қол қойған", "Тот же избиратель уже подписался"
    ),
    "signed_for_another_candidate": Label(
        "Сайлаушы басқа кандидатқа бұрын қол қойған",
        "Избиратель уже подписался за другого кандидата",
    ),
    "outside_territory": Label("Басқа аумақтың сайлаушысы", "Избиратель другой территории"),
    "not_on_voter_list": Label(
        "Аумақтың сайлаушылар тізімінде жоқ", "Нет в списках избирателей территории"
    ),
    "name_mismatch": Label(
        "Аты-жөні тізімдегіден өзгеше", "Фамилия, имя или отчество не совпадают со списком"
    ),
}


def voter_list(precinct: Precinct, kept, voters: list) -> dict:
    election = precinct.election
    return {
        "election": election,
        "election_day": local_day(election.election_day),
        "precinct": precinct,
        "kept": kept,
        "voters": voters,
        "issued": w3c_moment(kept.loaded_at),
    }


def signature_check(candidate: Candidate, check, rows: list) -> dict:
    election = candidate.election
    counts = {code: 0 for code in VERDICT_LABELS}
    for row in rows:
        counts[row.verdict] += 1
    return {
        "election": election,
        "election_day": local_day(election.election_day),
        "candidate": candidate,
        "check": check,
        "verdicts": [(code, VERDICT_LABELS[code], n) for code, n in counts.items() if n],
        "refused_rows": [(r, VERDICT_LABELS[r.verdict]) for r in rows if r.verdict != "valid"],
        "issued": w3c_moment(check.checked_at),
    }
