"""Public results pages (no login) and the commission's results dashboard."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, tzinfo
from zoneinfo import ZoneInfo

from babel.dates import format_datetime, get_timezone_name
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import BooleanField, TextAreaField
from wtforms.validators import DataRequired, Length

from elections.auth.access import ensure_organiser
from elections.core.clock import now, service_timezone
from elections.core.errors import ServiceError
from elections.core.extensions import db
from elections.observers import differences, scans
from elections.observers.forms import ANSWER_LABELS, CheckboxesField
from elections.results import national, services
from elections.results.caching import state_key
from elections.results.chart import bar_chart
from elections.results.models import ResultVersion
from elections.results.tally import turnout
from elections.territory.calendar import counting_opens
from elections.territory.models import Election
from elections.territory.services import elections_page, get_election, precinct_counts
from elections.web.access import current_actor, public, roles
from elections.web.forms import attach_errors
from elections.web.page_cache import cached_by

bp = Blueprint("results", __name__)

COMMISSION = ("territorial_member", "territorial_chair")


class CertifyForm(FlaskForm):
    confirm = BooleanField(_l("I confirm: certify this result"), validators=[DataRequired()])
    # The open observers' differences the chair acknowledges as they stand (any id: the
    # service checks each against the election's open differences).
    acknowledge = CheckboxesField(
        _l("Acknowledge these differences as they stand"), validate_choice=False
    )


class CorrectionForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for the correction"), validators=[DataRequired(), Length(3, 2000)]
    )
    confirm = BooleanField(
        _l("I confirm: reopen the certified result"), validators=[DataRequired()]
    )


# --- Election night: pages that refresh themselves while the count goes on ---------------
#
# A results page of an election being counted (not yet certified, 20:00 on election day
# passed) carries <meta http-equiv="refresh">: no script needed. Chromium reloads the page
# with If-None-Match, and elections.web.page_cache answers 304 after one small query while
# nothing changed. ``?refresh=off`` turns it off for a reader who needs the page to hold still.

REFRESH_SECONDS = 60


def refresh_seconds() -> int:
    return int(current_app.config.get("RESULTS_REFRESH_SECONDS", REFRESH_SECONDS))


def refresh_wanted() -> bool:
    return request.args.get("refresh") != "off"


def counting_live(
    state: str | None,
    election_day: date | None,
    timezone: str | None = None,
    voting_ends: time | None = None,
) -> bool:
    """The count goes on: not settled, and voting has ended on election day (20:00, or the
    changed end of voting) in the election's zone (``timezone``; None: the deployment's)."""
    if state != "open" or election_day is None:
        return False
    tz = ZoneInfo(timezone) if timezone else service_timezone()
    return now() >= counting_opens(election_day, tz, voting_ends)


def election_counting_live(election: Election) -> bool:
    return counting_live(
        election.state, election.election_day, election.timezone, election.voting_ends
    )


def _election_state(election_id: int, **_kwargs) -> tuple:
    # state_key: (state, revision, timezone, voting_ends, election_day)
    state = state_key(election_id)
    live = counting_live(state[0], state[-1], state[-3], state[-2])
    return (*state, live, refresh_seconds())


def _index_state(**_kwargs) -> tuple:
    """Every table the index reads, counted, and which open elections' count has started:
    the index changes at the end of voting of an election day without any row changing."""
    moments = db.session.execute(
        select(Election.election_day, Election.timezone, Election.voting_ends)
        .where(Election.state == "open")
        .distinct()
    ).all()
    # Each (day, zone, end of voting) apart: Oral starts counting an hour after Almaty did.
    started = sorted(
        f"{day}/{zone}/{ends}"
        for day, zone, ends in moments
        if counting_live("open", day, zone, ends)
    )
    return (*national.published_key(), *started, refresh_seconds())


def _utc_offset(moment: datetime) -> str:
    minutes = int(moment.utcoffset().total_seconds()) // 60
    if minutes == 0:
        return "UTC"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{'+' if minutes > 0 else '-'}{hours}" + (f":{rest:02d}" if rest else "")


@bp.app_template_filter("zoned")
def zoned(value: datetime | str | None, zone: str = "long", tz: tzinfo | None = None) -> str:
    """An instant in the election's time zone (``tz``; else the service's), with the zone:
    "01.12.2026 20:45 (UTC+5, Қазақстан уақыты)"; ``zone="short"`` gives "(UTC+5)" only."""
    if not value:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:  # stored instants are UTC
        value = value.replace(tzinfo=UTC)
    local = value.astimezone(tz or service_timezone())
    locale = str(get_locale() or "kk")
    text = format_datetime(local, "dd.MM.yyyy HH:mm", tzinfo=local.tzinfo, locale=locale)
    if zone == "short":
        return f"{text} ({_utc_offset(local)})"
    name = get_timezone_name(local, "long", locale=locale)
    return f"{text} ({_utc_offset(local)}, {name})"


def _this_page(**changes: str | None) -> str:
    """This page's URL with query arguments changed (None drops one)."""
    args = {**request.args.to_dict(), **changes}
    args = {name: value for name, value in args.items() if value is not None}
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def _refresh_context(live: bool, received: datetime | None) -> dict:
    """``received``: when what the page shows last changed, read from the data (the newest
    current protocol's arrival, or the certification). Never the clock of the render: a
    cached page is shared under an ETag of its data, so any worker must render the same bytes."""
    refresh = refresh_seconds() if live and refresh_wanted() else None
    return {
        "live": live,
        "refresh": refresh,
        "received": received,
        "refresh_off_url": _this_page(refresh="off"),
        "refresh_on_url": _this_page(refresh=None),
    }


@dataclass(frozen=True)
class Standing:
    """Who is ahead, as the headline says it: ``winner`` (certified), ``leading`` (one
    candidate ahead, the count not final) or ``level`` (several level in the lead)."""

    kind: str
    rows: list[dict]


@bp.app_template_global("result_standing")
def result_standing(result: dict) -> Standing | None:
    rows = result["candidates"]
    if result["outcome"] in ("tie", "invalid"):
        return None  # the headline announces the tie or the invalidity, and the repeat
    if result["status"] == "certified":
        won = [r for r in rows if r["candidate_id"] == result["winner_candidate_id"]]
        return Standing("winner", won) if won else None
    most = max((r["votes"] for r in rows), default=0)
    if most == 0:
        return None  # nobody leads before the first vote is counted
    ahead = [r for r in rows if r["votes"] == most]
    return Standing("leading" if len(ahead) == 1 else "level", ahead)


@dataclass(frozen=True)
class PrecinctTurnout:
    number: int
    voters_on_list: int
    ballots_in_boxes: int | None
    turnout: float | None
    reported_at: datetime | None


def precinct_turnout(rows) -> list[PrecinctTurnout]:
    """Turnout of each precinct from its current protocol; the list figure of the precinct
    register for one not reported yet."""
    return [
        PrecinctTurnout(p.number, p.voters_on_list, None, None, None)
        if v is None
        else PrecinctTurnout(
            p.number,
            v.voters_on_list,
            v.ballots_in_boxes,
            turnout(v.ballots_in_boxes, v.voters_on_list),
            v.created_at,
        )
        for p, v in rows
    ]


@bp.get("/results")
@public
@cached_by(_index_state)
def index():
    page = elections_page(request.args.get("page", 1, type=int))
    ids = [e.id for e in page.items]
    sums, totals = services.sums_for(ids), precinct_counts(ids)
    rows = [(e, sums[e.id].reporting, totals[e.id]) for e in page.items]
    live = any(election_counting_live(e) for e in page.items)
    return render_template(
        "results/index.html",
        rows=rows,
        page=page,
        **_refresh_context(live, _newest_received(page.items, sums)),
    )


def _newest_received(elections: list[Election], sums: dict) -> datetime | None:
    """The newest moment any election on the page last changed: its certification when its
    certified result stands, else its newest current protocol's arrival."""
    settled = [e.id for e in elections if e.state != "open"]
    certified = dict(
        db.session.execute(
            select(ResultVersion.election_id, func.max(ResultVersion.certified_at))
            .where(ResultVersion.election_id.in_(settled))
            .group_by(ResultVersion.election_id)
        ).all()
        if settled
        else ()
    )
    moments = [
        services._aware(certified[e.id]) if e.id in certified else sums[e.id].last_saved
        for e in elections
    ]
    return max((m for m in moments if m is not None), default=None)


@bp.get("/results/<int:election_id>")
@public
@cached_by(_election_state)
def election(election_id: int):
    election = get_election(election_id)
    result = services.result(election)
    precincts = services.precinct_rows(election)
    live = election_counting_live(election)
    return render_template(
        "results/election.html",
        election=election,
        result=result,
        chart=bar_chart(result),
        precincts=precincts,
        turnout_rows=precinct_turnout(precincts),
        corrections=services.corrections(election),
        versions=services.versions(election),
        **paper_context(election),
        **_refresh_context(live, result["as_of"]),
    )


def paper_context(election: Election) -> dict:
    """The signed paper beside the figures: each precinct's scans, and how the observers'
    copies compare with the official protocols, every difference with its answer."""
    by_precinct: dict[int, list] = {}
    for difference in differences.of_election(election.id):
        by_precinct.setdefault(difference.precinct_id, []).append(difference)
    return {
        "scans": scans.scans_of(election.id),
        "standing": differences.comparisons([election.id])[election.id],
        "differences_by_precinct": by_precinct,
        "line_names": differences.line_names(election),
        "answers": ANSWER_LABELS,
    }


@bp.route("/commission/elections/<int:election_id>/results", methods=["GET", "POST"])
@roles(*COMMISSION)
def dashboard(election_id: int):
    election = get_election(election_id)
    actor = current_actor()
    ensure_organiser(actor, election)
    certify_form, correction_form = CertifyForm(prefix="certify"), CorrectionForm(prefix="correct")
    status = 200
    try:
        action = request.form.get("action") if request.method == "POST" else None
        if action == "certify" and certify_form.validate_on_submit():
            ensure_organiser(actor, election, chair=True)
            version = services.certify(election, actor, certify_form.acknowledge.data)
            db.session.commit()
            flash(_("Result certified as version %(version)d.", version=version.version))
            return redirect(url_for("results.dashboard", election_id=election.id))
        if action == "correct" and correction_form.validate_on_submit():
            ensure_organiser(actor, election, chair=True)
            services.open_correction(election, correction_form.reason.data, actor)
            db.session.commit()
            flash(_("Correction opened: protocols are unlocked."))
            return redirect(url_for("results.dashboard", election_id=election.id))
    except ServiceError as error:
        db.session.rollback()
        attach_errors(certify_form, error)
        status = error.status
    if certify_form.errors or correction_form.errors:
        status = 422 if status == 200 else status
    return render_dashboard(election, actor, status, certify_form, correction_form)


def render_dashboard(election, actor, status=200, certify_form=None, correction_form=None, **forms):
    """The dashboard page; ``forms``: the invalidity and repeat forms as posted, if any
    (elections/results/invalidity_views.py)."""
    from elections.results.invalidity_views import dashboard_forms

    certify_form = certify_form or CertifyForm(prefix="certify")
    correction_form = correction_form or CorrectionForm(prefix="correct")
    draft = services.draft_result(election)
    missing = [p for p, version in services.precinct_rows(election) if version is None]
    return render_template(
        "results/dashboard.html",
        election=election,
        draft=draft,
        result=services.result(election),
        chart=bar_chart(draft),
        missing=missing,
        certify_form=certify_form,
        correction_form=correction_form,
        is_chair=actor.role == "territorial_chair",
        versions=services.versions(election),
        open_differences=[d for d in differences.of_election(election.id) if d.is_open],
        line_names=differences.line_names(election),
        answers=ANSWER_LABELS,
        **dashboard_forms(election, **forms),
    ), status
