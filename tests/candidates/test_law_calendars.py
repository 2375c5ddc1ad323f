"""The published calendars come out of the service to the minute (domain.md, "How days are
counted").

Each case is a calendar a commission published, with its source. A deadline "N days before
election day" (за N дней до дня выборов) is at 18:00 local on election day minus N+1
calendar days. The call dates are not part of the published tables: each case calls its
election early enough for the profile's lead time, which moves no deadline.

Boundary tests file, decide and withdraw through the API at 17:59:59 (accepted) and 18:00:00
(refused) local on each deadline day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from elections.core.extensions import db
from elections.rules import load_profile
from elections.territory.calendar import compute_calendar
from elections.territory.models import Election
from tests import factories
from tests.factories import nomination_body, self_nomination

SECOND = timedelta(seconds=1)


@dataclass(frozen=True)
class Published:
    name: str
    source: str
    profile: str
    zone: str
    called_on: date
    election_day: date
    nomination_closes: str
    registration_closes: str
    campaign_closes: str | None = None


PUBLISHED = [
    Published(
        "rural akims, Kyzylorda region, 2021",
        "egemen.kz: nomination until 18:00 on 9 Jul, registration until 18:00 on 14 Jul 2021",
        "rural-2021",
        "Asia/Qyzylorda",  # UTC+5 in 2021, as the region's local time
        date(2021, 6, 10),
        date(2021, 7, 25),
        "2021-07-09T18:00:00+05:00",
        "2021-07-14T18:00:00+05:00",
    ),
    Published(
        "rural akim, Aktogay district, Karaganda region, 2023",
        "district election commission's notice on gov.kz: 18:00 on 22 Aug and 27 Aug 2023",
        "rural-2023",
        "Asia/Almaty",  # UTC+6 in 2023
        date(2023, 7, 25),
        date(2023, 9, 17),
        "2023-08-22T18:00:00+06:00",
        "2023-08-27T18:00:00+06:00",
    ),
    Published(
        "district akims, the pilot of 5 Nov 2023",
        "CEC calendar (vesti-kazakhstan.net): 18:00 on 5 Oct and 10 Oct 2023",
        "district-2023",
        "Asia/Almaty",
        date(2023, 9, 15),
        date(2023, 11, 5),
        "2023-10-05T18:00:00+06:00",
        "2023-10-10T18:00:00+06:00",
    ),
    Published(
        "maslikhat by-election, Tselinograd district, 2025 (same law, 30/25 days)",
        "ru.200.news: 18:00 on 25 Sep and 30 Sep 2025; campaigning ends at 00:00 on 25 Oct",
        "district-2023",
        "Asia/Almaty",  # UTC+5 since 1 March 2024
        date(2025, 9, 1),
        date(2025, 10, 26),
        "2025-09-25T18:00:00+05:00",
        "2025-09-30T18:00:00+05:00",
        "2025-10-25T00:00:00+05:00",
    ),
]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


@pytest.mark.parametrize("case", PUBLISHED, ids=[c.name for c in PUBLISHED])
def test_the_published_calendar_comes_out_to_the_minute(case):
    calendar = compute_calendar(
        case.called_on, case.election_day, load_profile(case.profile), ZoneInfo(case.zone)
    )
    assert calendar.nomination_closes == at(case.nomination_closes), case.source
    assert calendar.registration_closes == at(case.registration_closes), case.source
    # Campaigning ends at 00:00 local on the day before election day (ru.200.news, 2025).
    local = calendar.campaign_closes.astimezone(ZoneInfo(case.zone))
    assert (local.date(), local.hour, local.minute) == (
        case.election_day - timedelta(days=1),
        0,
        0,
    )
    if case.campaign_closes:
        assert calendar.campaign_closes == at(case.campaign_closes), case.source


# --- through the API, on the service's zone (Asia/Almaty) ---------------------------------------

ALMATY_CASES = [c for c in PUBLISHED if c.zone == "Asia/Almaty"]


@pytest.fixture(params=ALMATY_CASES, ids=[c.name for c in ALMATY_CASES])
def published(request, app):
    case = request.param
    with app.app_context():
        world = factories.make_world(
            kind=load_profile(case.profile).kind,
            called_on=case.called_on,
            election_day=case.election_day,
            profile_key=case.profile,
            profile_snapshot=load_profile(case.profile).data,
        )
        db.session.commit()
        assert db.session.get(Election, world.election_id).profile_key == case.profile
    return case, world


def codes(response) -> list[str]:
    return [item["code"] for item in response.json["errors"]]


def test_the_api_publishes_the_calendar_to_the_minute(client, published):
    case, world = published
    calendar = client.get(f"/api/v1/elections/{world.election_id}").json["calendar"]
    assert at(calendar["nomination_closes"]) == at(case.nomination_closes), case.source
    assert at(calendar["registration_closes"]) == at(case.registration_closes), case.source


@pytest.mark.parametrize(
    ("offset", "status"), [(-SECOND, 201), (timedelta(0), 409)], ids=["17:59:59", "18:00:00"]
)
def test_nomination_on_the_closing_day(client, published, token_for, clock, offset, status):
    case, world = published
    staff = token_for(world.users["territorial_member"])
    clock(at(case.nomination_closes) + offset)
    response = client.post(
        f"/api/v1/elections/{world.election_id}/candidates",
        json=nomination_body(self_nomination(20, 1)),
        headers=staff,
    )
    assert response.status_code == status, (case.source, response.json)
    if status == 409:
        assert codes(response) == ["nomination_closed"]


@pytest.mark.parametrize(
    ("offset", "status"), [(-SECOND, 200), (timedelta(0), 409)], ids=["17:59:59", "18:00:00"]
)
def test_a_decision_on_the_registration_closing_day(
    client, published, token_for, clock, add_candidate, offset, status
):
    case, world = published
    staff = token_for(world.users["territorial_member"])
    candidate = add_candidate(world.election_id, deposit_paid=False)
    clock(at(case.registration_closes) + offset)
    response = client.post(
        f"/api/v1/candidates/{candidate.id}/decision",
        json={"decision": "refuse"},
        headers=staff,
    )
    assert response.status_code == status, (case.source, response.json)
    if status == 409:
        assert codes(response) == ["registration_closed"]


@pytest.mark.parametrize(
    ("offset", "status"), [(-SECOND, 200), (timedelta(0), 409)], ids=["17:59:59", "18:00:00"]
)
def test_withdrawal_two_days_before_is_18_00_on_election_day_minus_three(
    client, published, token_for, clock, add_candidate, offset, status
):
    case, world = published
    staff = token_for(world.users["territorial_member"])
    candidate = add_candidate(world.election_id, status="registered")
    local = datetime.combine(
        case.election_day - timedelta(days=3), datetime.min.time().replace(hour=18)
    ).replace(tzinfo=ZoneInfo(case.zone))
    clock(local.astimezone(UTC) + offset)
    response = client.post(
        f"/api/v1/candidates/{candidate.id}/withdraw",
        json={"reason": "Personal reasons"},
        headers=staff,
    )
    assert response.status_code == status, (case.source, response.json)
    if status == 409:
        assert codes(response) == ["withdrawal_closed"]
