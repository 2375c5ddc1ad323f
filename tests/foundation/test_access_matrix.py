"""Every route of the URL map, called as anonymous and as every role: allowed or denied.

ACCESS has one row per endpoint. A route without a row fails the test, so a new route
cannot ship without taking its place here. Calls use ids that exist (the ``world`` with a
candidate and a saved protocol). A ``scoped`` row is called a second time, by each of its
allowed roles other than cec_admin, with ids outside that role's commission or precinct:
those calls must be denied too.

Allowed: anything but 401/403/404 and a redirect to the sign-in page (a 200, 201, 302,
400, 409 or 422 is fine: the empty body is refused, but the caller got in). Denied: 401
for the API and a redirect to /login for pages when anonymous; 403 or 404 otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from werkzeug.routing import Rule

from elections.auth.models import ROLES
from elections.ballots.services import save_protocol
from elections.core.extensions import db
from elections.observers.copies import enter_copy
from elections.observers.differences import of_copy as open_differences
from elections.observers.models import Accreditation
from elections.observers.scans import attach_scan
from elections.results.models import ResultVersion
from elections.results.services import canonical_figures, draft_result
from elections.territory.models import Election, Precinct
from tests.factories import PASSWORD, CandidateFactory, accredit_observer, count_night, png_bytes

ANONYMOUS = "anonymous"
EVERYONE = frozenset({ANONYMOUS, *ROLES})
ADMIN = frozenset({"cec_admin"})
COMMISSION = frozenset({"territorial_member", "territorial_chair"})
CHAIR = frozenset({"territorial_chair"})
SECRETARY = frozenset({"precinct_secretary"})
PROTOCOL = COMMISSION | SECRETARY
OBSERVER = frozenset({"observer"})


@dataclass(frozen=True)
class Row:
    allowed: frozenset[str]
    scoped: bool = False  # the allowed roles reach only their own commission or precinct


ACCESS: dict[str, Row] = {
    # Public pages and the contract
    "pages.home": Row(EVERYONE),
    "health.healthz": Row(EVERYONE),
    "health.readyz": Row(EVERYONE),
    "metrics.metrics": Row(ADMIN),
    "i18n.switch": Row(EVERYONE),
    "auth.login": Row(EVERYONE),
    "auth.logout": Row(EVERYONE),
    "results.index": Row(EVERYONE),
    "results.election": Row(EVERYONE),
    "ballot_paper.ballot": Row(EVERYONE),
    "printing.ballot": Row(EVERYONE),
    "printing.result": Row(EVERYONE),
    "candidate_status.status": Row(EVERYONE),
    "candidate_status.look_up": Row(EVERYONE),
    "candidate_status.forget": Row(EVERYONE),
    "openapi.page": Row(EVERYONE),
    "openapi.openapi_json": Row(EVERYONE),
    # CEC administration pages
    "admin.units": Row(ADMIN),
    "admin.unit_zone": Row(ADMIN),
    "admin.parties": Row(ADMIN),
    "admin.elections": Row(ADMIN),
    "admin.election": Row(ADMIN),
    # Commission pages
    "commission.index": Row(COMMISSION),
    "commission.candidates": Row(COMMISSION, scoped=True),
    "commission.nominate": Row(COMMISSION, scoped=True),
    "commission.candidate": Row(COMMISSION, scoped=True),
    "commission.decide": Row(COMMISSION, scoped=True),
    "commission.edit": Row(COMMISSION, scoped=True),
    "protocols.progress": Row(COMMISSION, scoped=True),
    "results.dashboard": Row(COMMISSION, scoped=True),
    # Protocol pages
    "protocols.my_precinct": Row(SECRETARY),
    "protocols.protocol": Row(PROTOCOL, scoped=True),
    "protocols.versions": Row(PROTOCOL, scoped=True),
    "printing.protocol": Row(PROTOCOL, scoped=True),
    "protocols.sent": Row(PROTOCOL, scoped=True),
    # API: setup
    "territory_api.create_unit": Row(ADMIN),
    "territory_api.set_unit_timezone": Row(ADMIN),
    "territory_api.change_voting_hours": Row(COMMISSION, scoped=True),
    "voting_hours.edit": Row(COMMISSION, scoped=True),
    "territory_api.list_units": Row(EVERYONE),
    "territory_api.create_party": Row(ADMIN),
    "territory_api.list_parties": Row(EVERYONE),
    "territory_api.list_profiles": Row(EVERYONE),
    "election_rules.rules": Row(EVERYONE),
    "rule_decisions.rules": Row(COMMISSION, scoped=True),
    "rule_decisions.rebind": Row(CHAIR, scoped=True),
    "rule_decisions.rule": Row(CHAIR, scoped=True),
    "rule_decisions_api.rebind": Row(CHAIR | ADMIN, scoped=True),
    "rule_decisions_api.decide_rule": Row(CHAIR, scoped=True),
    "calendar_api.extend_nomination": Row(COMMISSION, scoped=True),
    "calendar_api.postpone": Row(CHAIR, scoped=True),
    "commission_calendar.extend_nomination": Row(COMMISSION, scoped=True),
    "commission_calendar.postpone": Row(CHAIR, scoped=True),
    "territory_api.call_election": Row(ADMIN),
    "territory_api.list_elections": Row(EVERYONE),
    "territory_api.show_election": Row(EVERYONE),
    "territory_api.add_precinct": Row(ADMIN),
    "territory_api.list_precincts": Row(EVERYONE),
    # API: candidates
    "candidates_api.nominate": Row(COMMISSION, scoped=True),
    "candidates_api.list_candidates": Row(COMMISSION, scoped=True),
    "candidates_api.show": Row(COMMISSION, scoped=True),
    "candidates_api.update": Row(COMMISSION, scoped=True),
    "candidates_api.decide": Row(COMMISSION, scoped=True),
    "candidates_api.withdraw": Row(COMMISSION, scoped=True),
    "candidates_api.cancel_registration": Row(COMMISSION, scoped=True),
    "candidates_api.status": Row(EVERYONE),
    "candidates_api.status_by_post": Row(EVERYONE),
    # API: ballot and protocols
    "ballots_api.ballot": Row(EVERYONE),
    "ballots_api.save_protocol": Row(PROTOCOL, scoped=True),
    "ballots_api.show_protocol": Row(PROTOCOL, scoped=True),
    "ballots_api.protocol_versions": Row(PROTOCOL, scoped=True),
    # API: results
    "results_api.results": Row(EVERYONE),
    "results_api.every_result": Row(EVERYONE),
    "results_api.result_versions": Row(EVERYONE),
    "results_api.results_csv": Row(EVERYONE),
    "results_api.results_nist": Row(EVERYONE),
    "results_api.certify": Row(CHAIR, scoped=True),
    "results_api.open_correction": Row(CHAIR, scoped=True),
    "invalidity_api.invalidate": Row(CHAIR, scoped=True),
    "invalidity_api.call_repeat": Row(ADMIN | CHAIR, scoped=True),
    "invalidity.invalidate_page": Row(CHAIR, scoped=True),
    "invalidity.repeat_page": Row(CHAIR, scoped=True),
    # Voter lists, where do I vote, signature sheets
    "voter_lists.voter_list": Row(COMMISSION, scoped=True),
    "voter_lists.add_voter": Row(COMMISSION, scoped=True),
    "voter_lists.remove_voter": Row(COMMISSION, scoped=True),
    "voter_lists.signature_check": Row(COMMISSION, scoped=True),
    "printing.voter_list": Row(PROTOCOL, scoped=True),
    "printing.signature_check": Row(COMMISSION, scoped=True),
    "where_to_vote.where_to_vote": Row(EVERYONE),
    "voters_api.load_list": Row(COMMISSION, scoped=True),
    "voters_api.read_list": Row(PROTOCOL, scoped=True),
    "voters_api.add_voter": Row(COMMISSION, scoped=True),
    "voters_api.remove_voter": Row(COMMISSION, scoped=True),
    "voters_api.voter_lookup": Row(EVERYONE),
    "voters_api.check_signatures": Row(COMMISSION, scoped=True),
    "voters_api.show_signatures": Row(COMMISSION, scoped=True),
    # API: audit
    "audit_api.list_events": Row(ADMIN),
    "audit_api.audit_head": Row(EVERYONE),
    # Observers, scans of signed protocols, observers' copies and differences
    "observers.accreditations": Row(COMMISSION, scoped=True),
    "observers.withdraw": Row(COMMISSION, scoped=True),
    "observers.differences_page": Row(COMMISSION, scoped=True),
    "observers.answer": Row(COMMISSION, scoped=True),
    "observers.scan": Row(PROTOCOL, scoped=True),
    "observers.home": Row(OBSERVER),
    "observers.copy_form": Row(OBSERVER, scoped=True),
    "scans.public_list": Row(EVERYONE),
    "scans.file": Row(EVERYONE),
    "observers_api.accredit": Row(COMMISSION, scoped=True),
    "observers_api.list_observers": Row(EVERYONE),
    "observers_api.withdraw": Row(COMMISSION, scoped=True),
    "observers_api.attach_scan": Row(PROTOCOL, scoped=True),
    "observers_api.enter_copy": Row(OBSERVER, scoped=True),
    "observers_api.show_copy": Row(OBSERVER, scoped=True),
    "observers_api.attach_photo": Row(OBSERVER, scoped=True),
    "observers_api.election_differences": Row(EVERYONE),
    "observers_api.answer": Row(COMMISSION, scoped=True),
}
EXEMPT = {"static"}  # files, served to anyone by Flask itself

MATRIX_PROTOCOL = {
    "voters_on_list": 1200,
    "ballots_received": 1200,
    "ballots_issued": 900,
    "ballots_cancelled": 300,
    "ballots_in_boxes": 900,
    "invalid_ballots": 10,
    "against_all": 90,
}

# Values for path arguments that are not ids.
FIXED_ARGUMENTS = {
    "code": "ru",
    "action": "register",
    "version": 1,
    "rule": "max_consecutive_terms",
}


@pytest.fixture
def matrix_world(app, world, clock):
    """The world plus a candidate on each side and a saved protocol for precinct A, an hour into
    the count (protocols exist from 20:00 on election day)."""
    clock(count_night())
    with app.app_context():
        election = db.session.get(Election, world.election_id)
        other = db.session.get(Election, world.other_election_id)
        mine = CandidateFactory(election=election, status="registered")
        theirs = CandidateFactory(election=other, status="registered")
        save_protocol(
            db.session.get(Precinct, world.precinct_a),
            {**MATRIX_PROTOCOL, "votes": {str(mine.id): 800}, "expected_version": 0},
            None,
        )
        # A certified version 1 (as a correction leaves it, the election open again): the
        # printed result protocol of version 1 exists.
        db.session.add(
            ResultVersion(
                election_id=election.id,
                version=1,
                certified_by="matrix",
                outcome="pending",
                figures=canonical_figures(draft_result(election)),
                protocols=[],
                digest="0" * 64,
            )
        )
        db.session.commit()
        world.candidate_id, world.other_candidate_id = mine.id, theirs.id
        world.sha256, world.difference_id = _paper(world, mine.id)
        other_observer = accredit_observer(other, [db.session.get(Precinct, world.other_precinct)])
        world.other_accreditation_id = other_observer.id
        db.session.commit()
    return world


def _paper(world, candidate_id: int) -> tuple[str, int]:
    """A scan of precinct A's protocol, and the observer's copy that differs on line 6."""
    precinct = db.session.get(Precinct, world.precinct_a)
    scan = attach_scan(precinct, png_bytes(), SimpleNamespace(username="matrix"))
    observer = db.session.get(Accreditation, world.accreditation_id)
    copy_body = {**MATRIX_PROTOCOL, "votes": {str(candidate_id): 795}, "invalid_ballots": 15}
    copy = enter_copy(precinct, copy_body, observer, SimpleNamespace(username="observer"))
    (difference, *_rest) = open_differences(copy)
    return scan.sha256, difference.id


def _in_scope(world) -> dict[str, int]:
    return {
        "election_id": world.election_id,
        "precinct_id": world.precinct_a,
        "candidate_id": world.candidate_id,
        "kato": world.region,
        "accreditation_id": world.accreditation_id,
        "difference_id": world.difference_id,
        "sha256": world.sha256,
    }


def _out_of_scope(world, role: str) -> dict[str, int]:
    if role in ("precinct_secretary", "observer"):  # the other precinct of the same election
        return {**_in_scope(world), "precinct_id": world.precinct_b}
    return {
        **_in_scope(world),
        "election_id": world.other_election_id,
        "precinct_id": world.other_precinct,
        "candidate_id": world.other_candidate_id,
        "accreditation_id": world.other_accreditation_id,
    }


def _url(rule: Rule, ids: dict[str, int]) -> str:
    values = {name: FIXED_ARGUMENTS.get(name, ids.get(name)) for name in rule.arguments}
    missing = [name for name, value in values.items() if value is None]
    assert not missing, f"{rule.rule}: no value for {missing}; add one to the matrix"
    _domain, path = rule.build(values)
    return path


def _methods(rule: Rule) -> list[str]:
    return sorted(m for m in rule.methods if m not in ("HEAD", "OPTIONS"))


class Callers:
    """A client per identity: a bearer token for the API, a signed-in session for pages."""

    def __init__(self, app, world, token_for):
        self.app = app
        self.world = world
        self.tokens = {role: token_for(world.users[role]) for role in ROLES}
        self.cookies = {}
        for role in ROLES:
            client = app.test_client()
            self._sign_in(client, role)
            self.cookies[role] = client.get_cookie("session").value

    def _sign_in(self, client, role: str) -> None:
        response = client.post(
            "/login", data={"username": self.world.usernames[role], "password": PASSWORD}
        )
        assert response.status_code == 302, role

    def call(self, identity: str, method: str, url: str):
        client = self.app.test_client()
        headers = {}
        if identity != ANONYMOUS:
            if url.startswith("/api/"):
                headers = self.tokens[identity]
            elif url == "/logout":  # it ends the session on the server: one of its own
                self._sign_in(client, identity)
            else:
                client.set_cookie("session", self.cookies[identity])
        body = {"json": {}} if url.startswith("/api/") else {"data": {}}
        if method == "GET":
            body = {}
        return client.open(url, method=method, headers=headers, **body)


def _verdict(identity: str, url: str, response) -> str:
    status = response.status_code
    location = response.headers.get("Location", "")
    if status in (401, 403, 404):
        if identity == ANONYMOUS and url.startswith("/api/"):
            return "denied" if status == 401 else f"denied with {status}, not 401"
        return "denied"
    if 300 <= status < 400 and "/login" in location:
        return "denied" if identity == ANONYMOUS else f"sent {identity} to sign in"
    if status >= 500:
        return f"server error {status}"
    return "allowed"


def test_every_route_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()} - EXEMPT
    assert sorted(endpoints - ACCESS.keys()) == [], "routes without a row in ACCESS: add them"
    assert sorted(ACCESS.keys() - endpoints) == [], "rows in ACCESS that name no route"


def test_access_matrix(app, matrix_world, token_for):
    world = matrix_world
    callers = Callers(app, world, token_for)
    rules = sorted(
        (rule for rule in app.url_map.iter_rules() if rule.endpoint not in EXEMPT),
        key=lambda rule: (rule.rule, rule.endpoint),
    )
    wrong = []
    calls = 0
    for rule in rules:
        row = ACCESS.get(rule.endpoint)
        if row is None:
            wrong.append(f"{rule.rule} ({rule.endpoint}) has no row in ACCESS")
            continue
        url = _url(rule, _in_scope(world))
        for method in _methods(rule):
            for identity in sorted(EVERYONE):
                expected = "allowed" if identity in row.allowed else "denied"
                verdict = _verdict(identity, url, callers.call(identity, method, url))
                calls += 1
                if verdict != expected:
                    wrong.append(f"{method} {url} as {identity}: {verdict}, expected {expected}")
            if not row.scoped:
                continue
            for role in sorted(row.allowed - ADMIN - {ANONYMOUS}):
                outside = _url(rule, _out_of_scope(world, role))
                verdict = _verdict(role, outside, callers.call(role, method, outside))
                calls += 1
                if verdict != "denied":
                    wrong.append(f"{method} {outside} as {role} (out of scope): {verdict}")
    assert not wrong, "\n".join(wrong)
    assert calls > 300
