"""Pages: the printable ballot, protocol entry for the precinct, progress for the commission."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from elections.auth.access import ensure_organiser, ensure_precinct_access
from elections.ballots import services
from elections.ballots.forms import ProtocolForm
from elections.ballots.models import FIGURE_FIELDS
from elections.ballots.tally import (
    IN_BOXES_EQUALS_INVALID_PLUS_VOTES,
    IN_BOXES_NOT_ABOVE_ISSUED,
    ISSUED_NOT_ABOVE_LIST,
    RECEIVED_EQUALS_ISSUED_PLUS_CANCELLED,
    ProtocolFigures,
    check_relations,
)
from elections.core import idempotency
from elections.core.errors import ServiceError
from elections.core.extensions import db
from elections.territory.models import Precinct
from elections.territory.services import get_election
from elections.voters.lists import listed_precincts, voter_list
from elections.web.access import current_actor, public, roles

bp = Blueprint("protocols", __name__)
public_bp = Blueprint("ballot_paper", __name__)

PROTOCOL_ROLES = ("precinct_secretary", "territorial_member", "territorial_chair")
COMMISSION = ("territorial_member", "territorial_chair")


@public_bp.get("/elections/<int:election_id>/ballot")
@public
def ballot(election_id: int):
    election = get_election(election_id)
    return render_template(
        "ballots/ballot.html", election=election, paper=services.ballot(election)
    )


@bp.get("/precinct")
@roles("precinct_secretary")
def my_precinct():
    """The secretary's home: the precinct, where its protocol stands, and the form."""
    precinct = _precinct(current_actor().precinct_id or 0)
    election = precinct.election
    return render_template(
        "ballots/precinct.html",
        precinct=precinct,
        election=election,
        current=services.current_version(precinct),
        locked=election.state != "open",
        opens=services.count_not_started(election),
        voter_list=voter_list(precinct),
    )


def _precinct(precinct_id: int) -> Precinct:
    precinct = db.session.get(Precinct, precinct_id)
    if precinct is None:
        raise ServiceError.one(404, "not_found", _("Nothing was found at this address."))
    ensure_precinct_access(current_actor(), precinct)
    return precinct


def typed_figures(form_data) -> dict:
    """The protocol body from the posted fields; what is not a whole number stays as typed."""

    def value(raw: str | None):
        raw = (raw or "").strip()
        return int(raw) if raw.isascii() and raw.isdigit() else raw  # "²".isdigit() too

    body = {name: value(form_data.get(name)) for name in FIGURE_FIELDS}
    body["votes"] = {
        key.removeprefix("votes-"): value(raw)
        for key, raw in form_data.items()
        if key.startswith("votes-")
    }
    return body


# The lines each control relation reads ("votes" stands for every candidate's line): a
# refused relation marks them all, since any of them may hold the mistake.
RELATION_FIELDS = {
    RECEIVED_EQUALS_ISSUED_PLUS_CANCELLED: (
        "ballots_received",
        "ballots_issued",
        "ballots_cancelled",
    ),
    ISSUED_NOT_ABOVE_LIST: ("ballots_issued", "voters_on_list"),
    IN_BOXES_NOT_ABOVE_ISSUED: ("ballots_in_boxes", "ballots_issued"),
    IN_BOXES_EQUALS_INVALID_PLUS_VOTES: (
        "ballots_in_boxes",
        "invalid_ballots",
        "votes",
        "against_all",
    ),
}
AT_MOST = {ISSUED_NOT_ABOVE_LIST, IN_BOXES_NOT_ABOVE_ISSUED}  # the others are equalities


def _formulas() -> dict[str, str]:
    """Each relation as the form writes it, in the page's language."""
    return {
        RECEIVED_EQUALS_ISSUED_PLUS_CANCELLED: _("line 2 = line 3 + line 4"),
        ISSUED_NOT_ABOVE_LIST: _("line 3 ≤ line 1"),
        IN_BOXES_NOT_ABOVE_ISSUED: _("line 5 ≤ line 3"),
        IN_BOXES_EQUALS_INVALID_PLUS_VOTES: _(
            "line 5 = line 6 + votes for candidates + against all"
        ),
    }


@dataclass
class Line:
    """One row of the form: its number, input, error key, label, figures and marks."""

    number: int
    input_id: str
    key: str  # the field name errors use: "ballots_issued", "votes.12"
    label: str
    value: object
    saved_value: object
    marks: list[dict] = field(default_factory=list)


def form_lines(candidates, shown: dict | None, current) -> list[Line]:
    shown = shown or {}
    saved = figures_of(current) or {}
    labels = {
        "voters_on_list": _("Voters on the list"),
        "ballots_received": _("Ballots received by the precinct commission"),
        "ballots_issued": _("Ballots issued to voters"),
        "ballots_cancelled": _("Ballots cancelled (unused)"),
        "ballots_in_boxes": _("Ballots found in the boxes"),
        "invalid_ballots": _("Invalid ballots"),
    }
    lines = [
        Line(n, name, name, labels[name], shown.get(name, ""), saved.get(name, ""))
        for n, name in enumerate(FIGURE_FIELDS[:6], start=1)
    ]
    for n, candidate in enumerate(candidates, start=7):
        key = str(candidate.id)
        lines.append(
            Line(
                n,
                f"votes-{key}",
                f"votes.{key}",
                _("Votes for %(name)s", name=candidate.full_name),
                shown.get("votes", {}).get(key, ""),
                saved.get("votes", {}).get(key, ""),
            )
        )
    n = 7 + len(candidates)
    lines.append(
        Line(
            n,
            "against_all",
            "against_all",
            _("Votes against all"),
            shown.get("against_all", ""),
            saved.get("against_all", ""),
        )
    )
    return lines


def refusal_summary(errors, lines: list[Line]) -> list[dict]:
    """The error summary, one entry per refusal, each linking to the line to correct; the
    lines concerned get their marks (the message beside the line) on the way."""
    by_key = {line.key: line for line in lines}
    formulas = _formulas()
    summary = []
    for index, item in enumerate(errors):
        entry = {"code": item.code, "message": str(item.message), "target": None}
        relation = item.extra.get("relation") if item.code == "relation_failed" else None
        if relation in RELATION_FIELDS:
            keys = [
                line.key
                for line in lines
                if line.key in RELATION_FIELDS[relation]
                or ("votes" in RELATION_FIELDS[relation] and line.key.startswith("votes."))
            ]
            entry.update(
                relation=relation,
                formula=formulas[relation],
                left=item.extra.get("left"),
                right=item.extra.get("right"),
                sign=">" if relation in AT_MOST else "≠",
            )
            # The summary links to the relation's left-hand line, the one it is about.
            entry["target"] = by_key[RELATION_FIELDS[relation][0]].input_id
            beside = _("Does not hold: %(formula)s", formula=formulas[relation])
            for key in keys:
                mark_id = f"mark-{index}-{by_key[key].input_id}"
                by_key[key].marks.append({"id": mark_id, "text": beside, "relation": relation})
        elif item.field in by_key:
            line = by_key[item.field]
            entry.update(target=line.input_id, label=line.label)
            line.marks.append({"id": f"mark-{index}-{line.input_id}", "text": entry["message"]})
        summary.append(entry)
    return summary


@bp.route("/precincts/<int:precinct_id>/protocol", methods=["GET", "POST"])
@roles(*PROTOCOL_ROLES)
def protocol(precinct_id: int):
    precinct = _precinct(precinct_id)
    election = precinct.election
    current = services.current_version(precinct)
    form = ProtocolForm()
    typed, errors, conflict, status = None, [], False, 200
    if form.validate_on_submit():
        typed = typed_figures(request.form)
        body = {**typed, "expected_version": form.expected_version.data}
        try:
            return _save(precinct, body, form.idempotency_key.data)
        except ServiceError as error:
            db.session.rollback()
            errors, status = error.items, error.status
            conflict = any(item.code == "version_conflict" for item in error.items)
            current = services.current_version(precinct)
    elif request.method == "POST":
        errors, status = [ServiceError.one(400, "bad_request", _("Reload the page.")).items[0]], 400
    if typed is None or conflict:
        # After a refusal for its figures the form keeps the version they were typed against:
        # moving it on would let the next save overwrite a version its author never saw.
        form.expected_version.data = current.version if current else 0
    form.idempotency_key.data = str(uuid.uuid4())
    candidates = services.ballot_candidates(election)
    list_count = precinct.voters_on_list if voter_list(precinct) else None
    shown = typed or figures_of(current)
    if shown is None and list_count is not None:
        shown = {"voters_on_list": list_count}  # line 1 comes from the list
    lines = form_lines(candidates, shown, current)
    relations = _relations(shown, candidates)
    return render_template(
        "ballots/protocol.html",
        precinct=precinct,
        election=election,
        current=current,
        form=form,
        lines=lines,
        problems=refusal_summary(errors, lines),
        conflict=conflict,
        formulas=_formulas(),
        relations={r.name: r for r in relations or []},
        saved=request.args.get("saved", type=int) if request.method == "GET" else None,
        locked=election.state != "open",
        opens=services.count_not_started(election),
        list_count=list_count,
    ), status


def _save(precinct: Precinct, body: dict, key: str | None):
    actor = current_actor()
    print_ = idempotency.fingerprint("PUT", request.path, body)
    try:
        stored = idempotency.replay(actor, key, print_) if key else None
    except ServiceError:
        stored, key = None, None  # the key was spent on other figures: save on the merits
    if stored is None:
        version = services.save_protocol(precinct, body, actor)
        if key:
            # The precinct is kept with the answer: the landed-check below is scoped by it.
            answer = {"version": version.version, "precinct_id": precinct.id}
            idempotency.remember(actor, key, print_, 200, answer)
        db.session.commit()
        saved = version.version
    else:
        saved = stored[1]["version"]
    flash(_("Protocol saved as version %(version)d.", version=saved))
    return redirect(url_for("protocols.protocol", precinct_id=precinct.id, saved=saved))


# After how many seconds the form asks once more about a save not received yet: a save sent
# just before a reload may still be on its way (or waiting for the database).
SENT_RECHECK_SECONDS = 4


@bp.get("/precincts/<int:precinct_id>/protocol/sent")
@roles(*PROTOCOL_ROLES)
def sent(precinct_id: int):
    """Did the save sent with this Idempotency-Key land? Asked by the form after a reload
    when its last send got no answer: JSON ``{landed, state, version, message}``.

    A key not seen is only "not received yet": the first request may still be in flight.
    The answer says when to ask again (``ask_again_after``); the second ask (``?again=1``)
    is told it did not arrive, to send again. The form sends again with the same key, so a
    first request landing late is replayed, not saved twice."""
    precinct = _precinct(precinct_id)
    key = idempotency.check_key(request.args.get("key", ""))
    answer = idempotency.answer(current_actor(), key)
    version = answer.get("version") if answer and answer.get("precinct_id") == precinct.id else None
    if version is not None:
        body = {
            "landed": True,
            "state": "landed",
            "version": version,
            "message": _(
                "Your last save reached the server: it was saved as version %(version)d.",
                version=version,
            ),
        }
    elif request.args.get("again") != "1":
        body = {
            "landed": False,
            "state": "not_received_yet",
            "version": None,
            "ask_again_after": int(
                current_app.config.get("PROTOCOL_SENT_RECHECK_SECONDS", SENT_RECHECK_SECONDS)
            ),
            "message": _(
                "Your last save has not reached the server yet. It may still be on its way:"
                " asking again in a few seconds. Your figures are kept on this device."
            ),
        }
    else:
        body = {
            "landed": False,
            "state": "not_arrived",
            "version": None,
            "message": _(
                "Your last save did not reach the server. Your figures are kept on this"
                " device: send them again."
            ),
        }
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response


def figures_of(version) -> dict | None:
    if version is None:
        return None
    shown = {name: getattr(version, name) for name in FIGURE_FIELDS}
    shown["votes"] = {str(cid): n for cid, n in version.votes_by_candidate().items()}
    return shown


def _relations(shown: dict | None, candidates) -> list | None:
    """The relations evaluated on what is shown, when every line is a whole number."""
    if not shown:
        return None
    lines = [shown.get(name) for name in FIGURE_FIELDS]
    votes = {c.id: shown.get("votes", {}).get(str(c.id)) for c in candidates}
    if not all(isinstance(v, int) for v in [*lines, *votes.values()]):
        return None
    return check_relations(ProtocolFigures(votes=votes, **{n: shown[n] for n in FIGURE_FIELDS}))


@bp.get("/precincts/<int:precinct_id>/protocol/versions")
@roles(*PROTOCOL_ROLES)
def versions(precinct_id: int):
    precinct = _precinct(precinct_id)
    candidates = services.ballot_candidates(precinct.election)
    return render_template(
        "ballots/versions.html",
        precinct=precinct,
        versions=services.versions(precinct),
        candidates=candidates,
    )


@bp.get("/commission/elections/<int:election_id>/protocols")
@roles(*COMMISSION)
def progress(election_id: int):
    election = get_election(election_id)
    ensure_organiser(current_actor(), election)
    rows = services.progress(election)
    reported = sum(1 for _p, version in rows if version is not None)
    return render_template(
        "ballots/progress.html",
        election=election,
        rows=rows,
        reported=reported,
        listed=listed_precincts(election),
    )
