"""Extending nomination: with fewer than two candidates nominated, the territorial commission
extends nomination by up to 3 days in all (CEC, September 2023; domain.md, "Candidates").

The dated election (conftest.py) closes nomination at 18:00 local on 25 Aug 2026 and
registration on 30 Aug; the clock stands at 10 Aug, mid-nomination. "Nominated" counts the
applications taken in that still stand (submitted or registered).
"""

from __future__ import annotations

import json
import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from elections.auth.models import User
from elections.auth.services import issue_token
from elections.core import audit
from elections.core.audit import Action, AuditEvent
from elections.core.extensions import db
from elections.territory.models import Election, ElectionDecision
from tests import factories
from tests.candidates.conftest import (
    CALLED_ON,
    DURING_NOMINATION,
    ELECTION_DAY,
    NOMINATION_CLOSES,
    REGISTRATION_CLOSES,
)


def url(election_id: int) -> str:
    return f"/api/v1/elections/{election_id}/extend-nomination"


def extend(client, world, headers, days=2, reason="Only one candidate came forward."):
    return client.post(
        url(world.election_id),
        json={"days": days, "reason": reason},
        headers={**headers, "Accept-Language": "en"},
    )


def election_events(app, election_id: int) -> list[tuple[str, dict]]:
    with app.app_context():
        rows = db.session.execute(
            select(AuditEvent.action, AuditEvent.payload)
            .where(AuditEvent.entity_type == "election", AuditEvent.entity_id == str(election_id))
            .order_by(AuditEvent.seq)
        ).all()
        return [(action, json.loads(payload)) for action, payload in rows]


@pytest.fixture
def member(dated_world, token_for):
    return token_for(dated_world.users["territorial_member"])


def test_an_extension_moves_nomination_closes_only_and_is_recorded(
    app, client, dated_world, member
):
    response = extend(client, dated_world, member, days=2)

    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["nomination_closes"] == "2026-08-27T18:00:00+05:00"
    assert body["registration_closes"] == "2026-08-30T18:00:00+05:00"
    with app.app_context():
        election = db.session.get(Election, dated_world.election_id)
        assert election.nomination_extension_days == 2
        assert election.calendar().nomination_closes == NOMINATION_CLOSES + timedelta(days=2)
        assert election.calendar().registration_closes == REGISTRATION_CLOSES
        [decision] = election.decisions
        assert decision.kind == "nomination_extended"
        assert decision.reason == "Only one candidate came forward."
        assert decision.data == {
            "days": 2,
            "total_days": 2,
            "nomination_closes_before": NOMINATION_CLOSES.isoformat(),
            "nomination_closes_after": (NOMINATION_CLOSES + timedelta(days=2)).isoformat(),
        }
        assert audit.verify().ok
    [(action, payload)] = election_events(app, dated_world.election_id)
    assert action == Action.ELECTION_NOMINATION_EXTENDED.value == "election.nomination_extended"
    assert payload["days"] == 2 and payload["reason"] == "Only one candidate came forward."


def test_nomination_stays_open_in_the_days_it_was_extended_by(
    app, client, clock, dated_world, member
):
    assert extend(client, dated_world, member, days=3).status_code == 200
    clock(NOMINATION_CLOSES + timedelta(days=1))

    shown = client.get(f"/api/v1/elections/{dated_world.election_id}").get_json()

    assert shown["status"] == "nomination"
    assert shown["calendar"]["nomination_closes"] == "2026-08-28T18:00:00+05:00"


def test_three_days_in_all_across_two_requests(app, client, dated_world, member):
    assert extend(client, dated_world, member, days=2).status_code == 200

    too_many = extend(client, dated_world, member, days=2)

    assert too_many.status_code == 422
    [error] = too_many.get_json()["errors"]
    assert (error["code"], error["field"], error["remaining"]) == ("days_out_of_range", "days", 1)
    assert "1 to 1" in error["message"]
    assert extend(client, dated_world, member, days=1).status_code == 200
    none_left = extend(client, dated_world, member, days=1)
    assert none_left.status_code == 422
    assert none_left.get_json()["errors"][0]["remaining"] == 0
    assert "no days remain" in none_left.get_json()["errors"][0]["message"]
    with app.app_context():
        election = db.session.get(Election, dated_world.election_id)
        assert election.nomination_extension_days == 3
        assert [d.data["total_days"] for d in election.decisions] == [2, 3]


@pytest.mark.parametrize("days", [0, -1, 4, 100])
def test_days_out_of_range_are_refused_on_the_field(client, dated_world, member, days):
    response = extend(client, dated_world, member, days=days)

    assert response.status_code == 422
    [error] = response.get_json()["errors"]
    assert (error["code"], error["field"]) == ("days_out_of_range", "days")
    assert "1 to 3" in error["message"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"days": "2", "reason": "x"}, "days"),
        ({"reason": "x"}, "days"),
        ({"days": 2}, "reason"),
        ({"days": 2, "reason": ""}, "reason"),
        ({"days": 2, "reason": "   "}, "reason"),
    ],
)
def test_a_bad_body_is_refused_on_its_field(app, client, dated_world, member, body, field):
    response = client.post(url(dated_world.election_id), json=body, headers=member)

    assert response.status_code == 422
    assert [e.get("field") for e in response.get_json()["errors"]] == [field]
    with app.app_context():
        assert db.session.get(Election, dated_world.election_id).nomination_extension_days == 0
        assert db.session.scalars(select(ElectionDecision)).all() == []


def test_the_extension_is_refused_once_two_are_nominated(
    app, client, dated_world, member, add_candidate
):
    """CEC, September 2023: nomination is extended only when fewer than two are nominated."""
    add_candidate(dated_world.election_id)
    add_candidate(dated_world.election_id, status="registered")

    response = extend(client, dated_world, member)

    assert response.status_code == 409
    assert response.get_json()["errors"][0]["code"] == "enough_candidates"
    assert election_events(app, dated_world.election_id) == []


def test_a_withdrawn_or_refused_nominee_does_not_count(client, dated_world, member, add_candidate):
    add_candidate(dated_world.election_id)
    add_candidate(dated_world.election_id, status="withdrawn")
    add_candidate(dated_world.election_id, status="refused")

    assert extend(client, dated_world, member).status_code == 200


def test_the_extension_is_refused_once_nomination_has_closed(
    app, client, clock, dated_world, member
):
    clock(NOMINATION_CLOSES)

    response = extend(client, dated_world, member)

    assert response.status_code == 409
    assert response.get_json()["errors"][0]["code"] == "nomination_closed"


def test_the_chair_may_extend_and_other_commissions_may_not(client, dated_world, token_for, member):
    chair = token_for(dated_world.users["territorial_chair"])
    other = token_for(dated_world.users["other_member"])
    secretary = token_for(dated_world.users["precinct_secretary"])

    assert extend(client, dated_world, other).status_code == 404
    assert extend(client, dated_world, secretary).status_code == 403
    assert extend(client, dated_world, {}).status_code == 401
    assert extend(client, dated_world, chair, days=1).status_code == 200


# --- the commission's pages ---------------------------------------------------------------------


def page(client, path: str) -> str:
    return client.get(path).get_data(as_text=True)


def test_the_commission_home_offers_the_extension_while_it_applies(
    client, clock, login, dated_world, add_candidate
):
    staff = login(dated_world.users["territorial_member"])
    link = f'/commission/elections/{dated_world.election_id}/extend-nomination"'

    assert 'data-action="extend-nomination"' in page(staff, "/commission/")
    assert link in page(staff, "/commission/")
    clock(NOMINATION_CLOSES)
    assert link not in page(staff, "/commission/")


def test_the_commission_home_offers_no_extension_with_two_nominated(
    client, login, dated_world, add_candidate
):
    add_candidate(dated_world.election_id)
    add_candidate(dated_world.election_id)
    staff = login(dated_world.users["territorial_member"])

    home = page(staff, "/commission/")
    assert "extend-nomination" not in home
    response = staff.get(f"/commission/elections/{dated_world.election_id}/extend-nomination")
    assert response.status_code == 409
    form = response.get_data(as_text=True)
    assert "data-not-applicable" in form and 'data-form="extend-nomination"' not in form


def test_the_form_extends_and_the_calendar_shows_the_reason(app, login, dated_world):
    staff = login(dated_world.users["territorial_chair"])
    staff.get("/lang/en")
    path = f"/commission/elections/{dated_world.election_id}/extend-nomination"

    response = staff.post(path, data={"days": "2", "reason": "One candidate only"})

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/commission/")
    assert "extended by 2 days: One candidate only" in page(staff, "/commission/")
    assert "extended by 2 days: One candidate only" in page(staff, path)
    public = app.test_client()
    public.get("/lang/en")
    shown = page(public, "/")
    assert 'data-nomination-extended="2"' in shown
    assert "extended by 2 days: One candidate only" in shown
    public.get("/lang/kk")
    assert "2 күнге ұзартылды: One candidate only" in page(public, "/")
    public.get("/lang/ru")
    assert "продлено на 2 дня: One candidate only" in page(public, "/")


def test_the_form_shows_its_errors_beside_the_fields_in_kazakh(app, login, dated_world):
    staff = login(dated_world.users["territorial_member"])
    staff.get("/lang/kk")
    path = f"/commission/elections/{dated_world.election_id}/extend-nomination"

    response = staff.post(path, data={"days": "5", "reason": " "})

    assert response.status_code == 422
    shown = response.get_data(as_text=True)
    assert 'id="days-error"' in shown
    assert "1-ден 3-ге дейінгі бүтін күн санын көрсетіңіз (қалған күндер)." in shown
    assert 'lang="kk"' in shown
    with app.app_context():
        assert db.session.get(Election, dated_world.election_id).nomination_extension_days == 0

    response = staff.post(path, data={"days": "2", "reason": " "})
    assert response.status_code == 422
    shown = response.get_data(as_text=True)
    assert 'id="reason-error"' in shown
    assert "Комиссияның негіздемесін көрсетіңіз." in shown


def test_the_form_needs_its_csrf_token(guarded, dated_world):
    client = guarded.test_client()
    with guarded.app_context():
        username = db.session.get(User, dated_world.users["territorial_member"]).username
    login_page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login_page).group(1)
    client.post(
        "/login",
        data={"username": username, "password": factories.PASSWORD, "csrf_token": token},
    )
    path = f"/commission/elections/{dated_world.election_id}/extend-nomination"
    assert 'name="csrf_token"' in client.get(path).get_data(as_text=True)

    response = client.post(path, data={"days": "1", "reason": "No token"})

    assert response.status_code in (400, 422)
    with guarded.app_context():
        assert db.session.get(Election, dated_world.election_id).nomination_extension_days == 0


# --- two requests at once, real connections and commits -----------------------------------------


@pytest.fixture(scope="module")
def race(committed_app):
    with committed_app.app_context():
        world = factories.make_world(called_on=CALLED_ON, election_day=ELECTION_DAY)
        db.session.commit()
        world.headers = []
        for role in ("territorial_member", "territorial_chair"):
            token = issue_token(db.session.get(User, world.users[role]))
            world.headers.append({"Authorization": f"Bearer {token}", "Accept-Language": "en"})
        db.session.commit()
    return world


@pytest.mark.committing
def test_two_extensions_at_once_never_pass_three_days_in_all(committed_app, race):
    """Each request locks the election row (SELECT ... FOR UPDATE on PostgreSQL; SQLite's
    writers queue on BEGIN IMMEDIATE): the second sees the first's days."""
    previous = committed_app.config.get("ELECTIONS_NOW")
    committed_app.config["ELECTIONS_NOW"] = DURING_NOMINATION
    try:
        barrier = threading.Barrier(2)
        answers: list = [None, None]

        def run(index: int) -> None:
            client = committed_app.test_client()
            try:
                barrier.wait(timeout=30)
                response = client.post(
                    url(race.election_id),
                    json={"days": 2, "reason": f"request {index}"},
                    headers=race.headers[index],
                )
                answers[index] = (response.status_code, response.get_json())
            except BaseException as error:  # reported in the test's own thread
                answers[index] = error

        threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    finally:
        committed_app.config["ELECTIONS_NOW"] = previous

    assert not any(isinstance(answer, BaseException) for answer in answers), answers
    assert sorted(status for status, _body in answers) == [200, 422], answers
    [refused] = [body for status, body in answers if status == 422]
    assert refused["errors"][0]["remaining"] == 1
    with committed_app.app_context():
        election = db.session.get(Election, race.election_id)
        assert election.nomination_extension_days == 2
        assert len(election.decisions) == 1
        assert audit.verify().ok
