"""Legal deadlines at 18:00 Asia/Almaty (13:00 UTC) for a rural-2023 election on 20 Sep 2026.

"N days before election day" is 18:00 local on election day minus N+1 days, as in the CEC's
and the territorial commissions' published calendars (domain.md, "How days are counted":
Aktogay 2023, 25/20 days: 18:00 on 22 and 27 Aug for 17 Sep). These tests once encoded
minus N; they are corrected, not removed.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.candidates.conftest import (
    NOMINATION_CLOSES,
    NOMINATION_OPENS,
    REGISTRATION_CLOSES,
    WITHDRAWAL_CLOSES,
)
from tests.factories import nomination_body, self_nomination

SECOND = timedelta(seconds=1)


@pytest.fixture
def staff(dated_world, token_for):
    return token_for(dated_world.users["territorial_member"])


def nominate(client, headers, election_id):
    return client.post(
        f"/api/v1/elections/{election_id}/candidates",
        json=nomination_body(self_nomination(20, 1)),
        headers=headers,
    )


def codes(response) -> list[str]:
    return [item["code"] for item in response.json["errors"]]


def test_published_calendar_has_the_deadlines_at_18_00_local(client, dated_world):
    calendar = client.get(f"/api/v1/elections/{dated_world.election_id}").json["calendar"]

    assert calendar["nomination_opens"] == "2026-07-21T00:00:00+05:00"
    assert calendar["nomination_closes"] == "2026-08-25T18:00:00+05:00"
    assert calendar["registration_closes"] == "2026-08-30T18:00:00+05:00"
    assert calendar["withdrawal_closes"] == "2026-09-17T18:00:00+05:00"
    assert calendar["campaign_closes"] == "2026-09-19T00:00:00+05:00"


# --- nomination ----------------------------------------------------------------------------------


def test_nomination_before_it_opens_is_409_nomination_closed(client, dated_world, staff, clock):
    clock(NOMINATION_OPENS - SECOND)

    response = nominate(client, staff, dated_world.election_id)

    assert response.status_code == 409
    assert codes(response) == ["nomination_closed"]


def test_nomination_at_midnight_local_the_day_after_the_call_is_accepted(
    client, dated_world, staff, clock
):
    clock(NOMINATION_OPENS)

    assert nominate(client, staff, dated_world.election_id).status_code == 201


def test_nomination_one_second_before_18_00_local_on_the_closing_day_is_accepted(
    client, dated_world, staff, clock
):
    clock(NOMINATION_CLOSES - SECOND)  # 2026-08-25T12:59:59Z

    response = nominate(client, staff, dated_world.election_id)

    assert response.status_code == 201, response.json


def test_nomination_at_18_00_local_on_the_closing_day_is_409_nomination_closed(
    client, dated_world, staff, clock
):
    clock(NOMINATION_CLOSES)  # 2026-08-25T13:00:00Z

    response = nominate(client, staff, dated_world.election_id)

    assert response.status_code == 409
    assert codes(response) == ["nomination_closed"]


def test_nomination_after_the_closing_day_is_409_nomination_closed(
    client, dated_world, staff, clock
):
    clock(NOMINATION_CLOSES + timedelta(days=3))

    assert codes(nominate(client, staff, dated_world.election_id)) == ["nomination_closed"]


def test_history_records_the_service_clock(client, dated_world, staff, clock):
    clock(NOMINATION_CLOSES - SECOND)

    response = nominate(client, staff, dated_world.election_id)

    shown = client.get(f"/api/v1/candidates/{response.json['id']}", headers=staff).json
    assert shown["history"][0]["at"] == "2026-08-25T17:59:59+05:00"


# --- registration ------------------------------------------------------------------------------


def test_register_one_second_before_registration_closes_is_200(
    client, dated_world, staff, clock, add_candidate
):
    candidate = add_candidate(dated_world.election_id)
    clock(REGISTRATION_CLOSES - SECOND)  # 2026-08-30T12:59:59Z

    response = client.post(
        f"/api/v1/candidates/{candidate.id}/decision",
        json={"decision": "register"},
        headers=staff,
    )

    assert response.status_code == 200, response.json
    assert response.json["status"] == "registered"


def test_register_after_registration_closes_is_409_registration_closed(
    client, dated_world, staff, clock, add_candidate
):
    candidate = add_candidate(dated_world.election_id)
    clock(REGISTRATION_CLOSES)  # 2026-08-30T13:00:00Z, 18:00 local 20 days before (E-21)

    response = client.post(
        f"/api/v1/candidates/{candidate.id}/decision",
        json={"decision": "register"},
        headers=staff,
    )

    assert response.status_code == 409
    assert codes(response) == ["registration_closed"]


def test_refuse_after_registration_closes_is_409_registration_closed(
    client, dated_world, staff, clock, add_candidate
):
    candidate = add_candidate(dated_world.election_id, deposit_paid=False)
    clock(REGISTRATION_CLOSES)

    response = client.post(
        f"/api/v1/candidates/{candidate.id}/decision",
        json={"decision": "refuse"},
        headers=staff,
    )

    assert response.status_code == 409
    assert codes(response) == ["registration_closed"]


# --- withdrawal and cancellation -----------------------------------------------------------------


def withdraw(client, headers, candidate_id):
    return client.post(
        f"/api/v1/candidates/{candidate_id}/withdraw",
        json={"reason": "Personal reasons"},
        headers=headers,
    )


def cancel(client, headers, candidate_id):
    return client.post(
        f"/api/v1/candidates/{candidate_id}/cancel-registration",
        json={"grounds": ["abuse_of_office"]},
        headers=headers,
    )


def test_withdraw_until_18_00_local_two_days_before_is_200(
    client, dated_world, staff, clock, add_candidate
):
    candidate = add_candidate(dated_world.election_id, status="registered")
    clock(WITHDRAWAL_CLOSES - SECOND)  # 2026-09-17T12:59:59Z

    response = withdraw(client, staff, candidate.id)

    assert response.status_code == 200, response.json
    assert response.json["status"] == "withdrawn"


def test_withdraw_in_the_last_two_days_is_409_withdrawal_closed(
    client, dated_world, staff, clock, add_candidate
):
    candidate = add_candidate(dated_world.election_id, status="registered")
    clock(WITHDRAWAL_CLOSES)  # 2026-09-17T13:00:00Z

    response = withdraw(client, staff, candidate.id)

    assert response.status_code == 409
    assert codes(response) == ["withdrawal_closed"]


def test_cancel_registration_until_18_00_local_two_days_before_is_200(
    client, dated_world, staff, clock, add_candidate
):
    candidate = add_candidate(dated_world.election_id, status="registered")
    clock(WITHDRAWAL_CLOSES - SECOND)

    response = cancel(client, staff, candidate.id)

    assert response.status_code == 200, response.json
    assert response.json["status"] == "registration_cancelled"


@pytest.mark.parametrize(
    "after", [timedelta(0), timedelta(hours=30)], ids=["at_18_00_local", "election_eve"]
)
def test_cancel_registration_in_the_last_two_days_is_409_cancellation_closed(
    client, dated_world, staff, clock, add_candidate, after
):
    candidate = add_candidate(dated_world.election_id, status="registered")
    clock(WITHDRAWAL_CLOSES + after)

    response = cancel(client, staff, candidate.id)

    assert response.status_code == 409
    assert codes(response) == ["cancellation_closed"]
    shown = client.get(f"/api/v1/candidates/{candidate.id}", headers=staff).json
    assert shown["status"] == "registered"
