"""Postponing election day: with fewer than two candidates registered, the election is
"extended by up to 15 days" (domain.md, "Candidates": no source confirms it, so it is a
commission decision with a new date, never an automatic rule).

The chair of the organising commission sets a later day, once registration has closed and
before election day. The profile's ``registration_extension_days`` (15 after the day first
set, over every postponement) is a guide while unconfirmed: beyond it the day is recorded as
the commission's finding; only a commission that turned the rule on is refused beyond it.
The dated election (conftest.py): election day 20 Sep 2026, registration closes 18:00 local
on 30 Aug 2026.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from elections.core import audit
from elections.core.audit import Action, AuditEvent
from elections.core.extensions import db
from elections.territory.models import Election
from tests.candidates.conftest import ELECTION_DAY, REGISTRATION_CLOSES

AFTER_REGISTRATION = datetime(2026, 9, 1, 6, 0, tzinfo=UTC)
# 00:00 local (UTC+5) on election day.
ELECTION_DAY_STARTS = datetime(2026, 9, 19, 19, 0, tzinfo=UTC)
REASON = "One candidate registered."


@pytest.fixture
def chair(dated_world, token_for, clock):
    clock(AFTER_REGISTRATION)
    headers = token_for(dated_world.users["territorial_chair"])
    return {**headers, "Accept-Language": "en"}


def postpone(client, world, headers, day: date | str, reason=REASON):
    body = {"election_day": str(day), "reason": reason}
    return client.post(
        f"/api/v1/elections/{world.election_id}/postpone", json=body, headers=headers
    )


def election_events(app, election_id: int) -> list[tuple[str, dict]]:
    with app.app_context():
        rows = db.session.execute(
            select(AuditEvent.action, AuditEvent.payload)
            .where(AuditEvent.entity_type == "election", AuditEvent.entity_id == str(election_id))
            .order_by(AuditEvent.seq)
        ).all()
        return [(action, json.loads(payload)) for action, payload in rows]


def test_the_chair_postpones_by_up_to_15_days_and_the_calendar_moves(
    app, client, dated_world, chair
):
    response = postpone(client, dated_world, chair, date(2026, 10, 5))

    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["election_day"] == "2026-10-05"
    assert body["rule_confirmed"] is False
    assert body["calendar"]["registration_closes"] == "2026-09-14T18:00:00+05:00"
    with app.app_context():
        election = db.session.get(Election, dated_world.election_id)
        assert election.election_day == date(2026, 10, 5)
        assert election.calendar().registration_closes == REGISTRATION_CLOSES + timedelta(days=15)
        [decision] = election.decisions
        assert (decision.kind, decision.reason) == ("postponed", REASON)
        assert decision.data == {
            "election_day_before": "2026-09-20",
            "election_day_after": "2026-10-05",
            "days": 15,
            "total_days": 15,
            "rule_confirmed": False,
            "beyond_limit": False,
        }
        assert audit.verify().ok
    [(action, payload)] = election_events(app, dated_world.election_id)
    assert action == Action.ELECTION_POSTPONED.value == "election.postponed"
    assert payload["election_day_after"] == "2026-10-05" and payload["reason"] == REASON


def turn_on_the_15_days(app, election_id):
    """The commission's decision that a source confirms the 15 days (as
    elections/candidates/rule_decisions.py writes it, without the page: registration has closed)."""
    with app.app_context():
        election = db.session.get(Election, election_id)
        snapshot = copy.deepcopy(election.profile_snapshot)
        snapshot["rules"]["registration_extension_days"]["confirmed"] = True
        election.profile_snapshot = snapshot
        db.session.commit()


def test_more_than_15_days_is_the_commissions_finding_not_a_refusal(
    app, client, dated_world, chair
):
    """domain.md, "Verified and unverified rules": the 15-day extension is unconfirmed, so it
    is never an automatic refusal."""
    response = postpone(client, dated_world, chair, date(2026, 10, 25))

    assert response.status_code == 200, response.get_json()
    assert response.get_json()["rule_confirmed"] is False
    with app.app_context():
        election = db.session.get(Election, dated_world.election_id)
        assert election.election_day == date(2026, 10, 25)
        [decision] = election.decisions
        assert decision.data["beyond_limit"] is True and decision.data["total_days"] == 35


def test_more_than_15_days_is_refused_once_the_commission_turned_the_rule_on(
    app, client, dated_world, chair
):
    turn_on_the_15_days(app, dated_world.election_id)

    response = postpone(client, dated_world, chair, date(2026, 10, 6))

    assert response.status_code == 422
    [error] = response.get_json()["errors"]
    assert (error["code"], error["field"], error["latest"]) == (
        "too_late",
        "election_day",
        "2026-10-05",
    )
    assert "05.10.2026" in error["message"]
    with app.app_context():
        assert db.session.get(Election, dated_world.election_id).election_day == ELECTION_DAY


@pytest.mark.parametrize("day", ["2026-09-20", "2026-09-19"])
def test_a_day_not_later_is_refused(client, dated_world, chair, day):
    response = postpone(client, dated_world, chair, day)

    assert response.status_code == 422
    [error] = response.get_json()["errors"]
    assert (error["code"], error["field"]) == ("not_later", "election_day")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"election_day": "2026-10-01"}, "reason"),
        ({"reason": "x"}, "election_day"),
        ({"election_day": "01.10.2026", "reason": "x"}, "election_day"),
        ({"election_day": "2026-10-01", "reason": "  "}, "reason"),
    ],
)
def test_a_bad_body_is_refused_on_its_field(client, dated_world, chair, body, field):
    response = client.post(
        f"/api/v1/elections/{dated_world.election_id}/postpone", json=body, headers=chair
    )

    assert response.status_code == 422
    assert [e["field"] for e in response.get_json()["errors"]] == [field]


def test_15_days_in_all_over_two_postponements(app, client, clock, dated_world, chair):
    turn_on_the_15_days(app, dated_world.election_id)
    assert postpone(client, dated_world, chair, date(2026, 9, 30)).status_code == 200
    # The deadlines moved with the day: registration closes again on 9 Oct - 21 days.
    again = postpone(client, dated_world, chair, date(2026, 10, 3))
    assert again.status_code == 409
    assert again.get_json()["errors"][0]["code"] == "registration_open"
    clock(datetime(2026, 9, 12, 6, 0, tzinfo=UTC))

    beyond = postpone(client, dated_world, chair, date(2026, 10, 6))
    assert beyond.status_code == 422
    assert beyond.get_json()["errors"][0]["latest"] == "2026-10-05"
    assert postpone(client, dated_world, chair, date(2026, 10, 5)).status_code == 200
    with app.app_context():
        election = db.session.get(Election, dated_world.election_id)
        assert [d.data["total_days"] for d in election.decisions] == [10, 15]
        assert election.election_day == date(2026, 10, 5)


def test_refused_with_two_registered(app, client, dated_world, chair, add_candidate):
    add_candidate(dated_world.election_id, status="registered")
    add_candidate(dated_world.election_id, status="registered")

    response = postpone(client, dated_world, chair, date(2026, 10, 1))

    assert response.status_code == 409
    assert response.get_json()["errors"][0]["code"] == "enough_candidates"
    assert election_events(app, dated_world.election_id) == []


def test_one_registered_and_others_withdrawn_still_allow_it(
    client, dated_world, chair, add_candidate
):
    add_candidate(dated_world.election_id, status="registered")
    add_candidate(dated_world.election_id, status="withdrawn")
    add_candidate(dated_world.election_id, status="refused")

    assert postpone(client, dated_world, chair, date(2026, 10, 1)).status_code == 200


def test_refused_while_registration_is_open(client, clock, dated_world, chair):
    clock(REGISTRATION_CLOSES - timedelta(minutes=1))

    response = postpone(client, dated_world, chair, date(2026, 10, 1))

    assert response.status_code == 409
    assert response.get_json()["errors"][0]["code"] == "registration_open"


def test_refused_once_election_day_has_come(client, clock, dated_world, chair):
    clock(ELECTION_DAY_STARTS)

    response = postpone(client, dated_world, chair, date(2026, 10, 1))

    assert response.status_code == 409
    assert response.get_json()["errors"][0]["code"] == "election_day_reached"


def test_refused_for_an_election_no_longer_open(app, client, dated_world, chair):
    with app.app_context():
        db.session.get(Election, dated_world.election_id).state = "invalid"
        db.session.commit()

    response = postpone(client, dated_world, chair, date(2026, 10, 1))

    assert response.status_code == 409
    assert response.get_json()["errors"][0]["code"] == "election_not_open"


def test_only_the_chair_of_the_organising_commission(client, dated_world, chair, token_for):
    member = token_for(dated_world.users["territorial_member"])
    other = token_for(dated_world.users["other_member"])

    assert postpone(client, dated_world, member, date(2026, 10, 1)).status_code == 403
    assert postpone(client, dated_world, other, date(2026, 10, 1)).status_code == 404
    assert postpone(client, dated_world, {}, date(2026, 10, 1)).status_code == 401


# --- the commission's pages ---------------------------------------------------------------------


def page(client, path: str) -> str:
    return client.get(path).get_data(as_text=True)


def test_the_commission_home_shows_that_postponement_applies(clock, login, dated_world, chair):
    staff = login(dated_world.users["territorial_chair"])

    home = page(staff, "/commission/")
    assert 'data-awaits="postponement"' in home
    assert f'/commission/elections/{dated_world.election_id}/postpone"' in home
    clock(REGISTRATION_CLOSES - timedelta(minutes=1))
    assert 'data-awaits="postponement"' not in page(staff, "/commission/")


def test_a_member_sees_that_it_applies_but_no_button(app, login, dated_world, chair):
    staff = login(dated_world.users["territorial_member"])

    home = page(staff, "/commission/")
    assert 'data-awaits="postponement"' in home
    assert 'data-action="postpone"' not in home
    assert staff.get(f"/commission/elections/{dated_world.election_id}/postpone").status_code == 403


def test_no_postponement_with_two_registered(login, dated_world, chair, add_candidate):
    add_candidate(dated_world.election_id, status="registered")
    add_candidate(dated_world.election_id, status="registered")
    staff = login(dated_world.users["territorial_chair"])

    assert 'data-awaits="postponement"' not in page(staff, "/commission/")
    response = staff.get(f"/commission/elections/{dated_world.election_id}/postpone")
    assert response.status_code == 409
    form = response.get_data(as_text=True)
    assert "data-not-applicable" in form and 'data-form="postpone"' not in form


def test_the_form_postpones_and_shows_errors_in_kazakh(app, login, dated_world, chair):
    staff = login(dated_world.users["territorial_chair"])
    staff.get("/lang/kk")
    path = f"/commission/elections/{dated_world.election_id}/postpone"
    assert "data-unconfirmed" in page(staff, path)

    refused = staff.post(path, data={"election_day": "19.09.2026", "reason": ""})
    assert refused.status_code == 422
    shown = refused.get_data(as_text=True)
    assert 'id="election_day-error"' in shown

    no_reason = staff.post(path, data={"election_day": "01.10.2026", "reason": " "})
    assert no_reason.status_code == 422
    assert "Комиссияның негіздемесін көрсетіңіз." in no_reason.get_data(as_text=True)

    done = staff.post(path, data={"election_day": "01.10.2026", "reason": REASON})
    assert done.status_code == 302
    with app.app_context():
        assert db.session.get(Election, dated_world.election_id).election_day == date(2026, 10, 1)
