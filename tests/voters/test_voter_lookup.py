"""POST /voter-lookup: where do I vote, by IIN (issue 15, "Where do I vote")."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from elections.core.extensions import db
from elections.territory.models import Election
from tests.factories import default_election_day
from tests.voters.support import put_list, voter


@pytest.fixture
def listed(world, client, token_for):
    """A voter on precinct A's list."""
    row = voter()
    headers = token_for(world.users["territorial_member"])
    assert put_list(client, headers, world.election_id, world.precinct_a, [row]).status_code == 200
    return row


def _lookup(client, iin):
    return client.post("/api/v1/voter-lookup", json={"iin": iin})


def test_a_listed_voter_learns_the_precinct_address_day_and_hours(client, world, listed):
    response = _lookup(client, listed["iin"][:6] + " " + listed["iin"][6:])
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    (place,) = response.get_json()["elections"]
    assert place["election_id"] == world.election_id
    assert place["election_day"] == default_election_day().isoformat()
    assert place["voting_hours"] == {"starts": "07:00", "ends": "20:00"}
    assert place["address"].startswith("Мектеп көшесі")
    assert isinstance(place["precinct_number"], int)


def test_every_miss_gets_the_same_answer(app, client, world, listed, clock):
    stranger = _lookup(client, voter()["iin"])
    with app.app_context():
        db.session.get(Election, world.election_id).state = "certified"
        db.session.commit()
    settled = _lookup(client, listed["iin"])
    assert stranger.status_code == settled.status_code == 404
    assert stranger.get_json() == settled.get_json()


def test_an_election_past_its_day_is_over(client, world, listed, clock):
    zone = ZoneInfo("Asia/Almaty")
    day = default_election_day()
    clock(datetime.combine(day, time(23, 0), tzinfo=zone))
    assert _lookup(client, listed["iin"]).status_code == 200, "election day itself: still open"
    clock(datetime.combine(day + timedelta(days=1), time(0, 1), tzinfo=zone))
    assert _lookup(client, listed["iin"]).status_code == 404


@pytest.mark.parametrize("iin", ["12345", "900101300018", "abcdefghijkl"])
def test_a_number_that_is_no_iin_is_refused_before_any_lookup(client, iin):
    response = _lookup(client, iin)
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "iin"


def test_the_lookup_is_rate_limited_per_client(app, client, listed):
    limit, _period = app.config["VOTER_LOOKUP_RATE"]
    for _ in range(limit):
        assert _lookup(client, listed["iin"]).status_code == 200
    refused = _lookup(client, listed["iin"])
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1


def test_the_iin_is_never_taken_in_an_address(client, listed):
    assert client.get(f"/api/v1/voter-lookup?iin={listed['iin']}").status_code == 405
