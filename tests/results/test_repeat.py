"""The repeat election after a tie or after an election declared invalid.

Source: art. 113-9 (../shared/domain.md, "Result"): a tie for first place, or an election the
commission declares invalid, leads to a repeat election on the same precincts and voter
lists; "within one month" is unconfirmed (so the lead time for calling is not applied).
api.md, "Additions of December 2026": POST /elections/{id}/repeat {called_on, election_day}
(cec_admin or the organising commission's chair), 201 with repeat_of; 409 not_repeatable.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from elections.auth.models import User
from elections.auth.services import issue_token
from elections.ballots import services as ballot_services
from elections.core.audit import AuditEvent
from elections.core.extensions import db
from elections.territory.models import Election, ElectionDecision, Precinct
from tests import factories
from tests.results.support import certify, errors_of, protocol_body
from tests.results.test_invalidation import at_once, invalidate

# The day after the count of the factory elections, and a repeat 30 days on: within the
# month of art. 113-9, shorter than the 40-day lead time of a rural call.
CALLED_ON = factories.default_election_day() + timedelta(days=2)
REPEAT_DAY = CALLED_ON + timedelta(days=30)


def call_repeat(client, headers, election_id, called_on=CALLED_ON, election_day=REPEAT_DAY):
    body = {"called_on": called_on.isoformat(), "election_day": election_day.isoformat()}
    return client.post(f"/api/v1/elections/{election_id}/repeat", json=body, headers=headers)


def precincts_of(app, election_id):
    with app.app_context():
        return [
            (p.number, p.unit.kato, p.voters_on_list, p.address)
            for p in db.session.execute(
                select(Precinct)
                .where(Precinct.election_id == election_id)
                .order_by(Precinct.number)
            ).scalars()
        ]


@pytest.fixture
def tied(client, world, add_candidates, save, chair):
    """world.election counted to a tie (400 each) through real protocols, then certified."""
    c1, c2 = add_candidates(world.election_id, 2)
    save(world.precinct_a, {c1: 300, c2: 200}, invalid=5, against_all=20)
    save(world.precinct_b, {c1: 100, c2: 200}, invalid=1, against_all=4)
    response = certify(client, chair, world.election_id)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["outcome"] == "tie"
    return (c1, c2)


def test_after_a_tie_the_chair_calls_the_repeat_on_the_same_precincts(
    app, client, world, tied, chair
):
    response = call_repeat(client, chair, world.election_id)

    assert response.status_code == 201, response.get_data(as_text=True)
    new = response.get_json()
    assert new["repeat_of"] == world.election_id and new["repeated_by"] is None
    assert (new["called_on"], new["election_day"]) == (
        CALLED_ON.isoformat(),
        REPEAT_DAY.isoformat(),
    )
    assert new["status"] == "called"  # nomination opens afresh, the day after the call
    assert precincts_of(app, new["id"]) == precincts_of(app, world.election_id)
    assert len(precincts_of(app, new["id"])) == 2
    with app.app_context():
        original = db.session.get(Election, world.election_id)
        repeat = db.session.get(Election, new["id"])
        assert (repeat.unit_id, repeat.organiser_id, repeat.kind) == (
            original.unit_id,
            original.organiser_id,
            original.kind,
        )
        # The law of the original governs its repeat: the same profile, freshly loaded.
        assert repeat.profile_key == original.profile_key == new["profile"]
        assert repeat.timezone == original.timezone
        assert original.state == "repeat_required"  # the original stays as it was certified
        [decision] = db.session.execute(
            select(ElectionDecision).where(ElectionDecision.election_id == world.election_id)
        ).scalars()
        assert decision.kind == "repeat_called"
        assert decision.data["repeat_id"] == new["id"]
        called = db.session.execute(
            select(AuditEvent).where(
                AuditEvent.action == "election.called", AuditEvent.entity_id == str(new["id"])
            )
        ).scalar_one()
        assert json.loads(called.payload)["repeat_of"] == world.election_id
        repeat_event = db.session.execute(
            select(AuditEvent).where(AuditEvent.action == "election.repeat_called")
        ).scalar_one()
        assert repeat_event.entity_id == str(world.election_id)
        assert json.loads(repeat_event.payload)["repeat_id"] == new["id"]
    shown = client.get(f"/api/v1/elections/{world.election_id}").get_json()
    assert shown["repeated_by"] == new["id"] and shown["repeat_of"] is None
    listed = {e["id"]: e for e in client.get("/api/v1/elections").get_json()}
    assert listed[world.election_id]["repeated_by"] == new["id"]
    assert listed[new["id"]]["repeat_of"] == world.election_id


def test_after_an_invalidation_the_cec_admin_calls_the_repeat(
    app, client, world, counted, chair, token_for
):
    assert invalidate(client, chair, world.election_id).status_code == 200

    response = call_repeat(client, token_for(world.users["cec_admin"]), world.election_id)

    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["repeat_of"] == world.election_id
    assert precincts_of(app, response.get_json()["id"]) == precincts_of(app, world.election_id)


def test_an_open_election_is_not_repeatable(app, client, world, counted, chair):
    errors = errors_of(call_repeat(client, chair, world.election_id), 409)
    assert errors[0]["code"] == "not_repeatable"
    assert errors[0]["legal_basis"] == "art. 113-9"


def test_an_election_with_a_winner_is_not_repeatable(client, world, counted, save, chair):
    save(world.precinct_b, {counted.c1: 100, counted.c2: 50})
    assert certify(client, chair, world.election_id).get_json()["outcome"] == "winner"

    errors = errors_of(call_repeat(client, chair, world.election_id), 409)

    assert errors[0]["code"] == "not_repeatable"


def test_one_repeat_per_election(app, client, world, tied, chair):
    first = call_repeat(client, chair, world.election_id).get_json()

    errors = errors_of(call_repeat(client, chair, world.election_id), 409)

    assert errors[0]["code"] == "not_repeatable"
    assert errors[0]["repeat_id"] == first["id"]
    with app.app_context():
        repeats = db.session.execute(
            select(Election).where(Election.repeat_of_id == world.election_id)
        ).scalars()
        assert [e.id for e in repeats] == [first["id"]]


def test_a_member_or_another_commission_may_not_call_the_repeat(
    app, client, world, tied, token_for
):
    member = token_for(world.users["territorial_member"])
    errors_of(call_repeat(client, member, world.election_id), 403)
    errors_of(call_repeat(client, token_for(world.users["other_member"]), world.election_id), 404)
    errors_of(
        call_repeat(client, token_for(world.users["precinct_secretary"]), world.election_id), 403
    )
    errors_of(call_repeat(client, {}, world.election_id), 401)


def test_election_day_must_come_after_the_call(client, world, tied, chair):
    errors = errors_of(call_repeat(client, chair, world.election_id, election_day=CALLED_ON), 422)
    assert [e["field"] for e in errors] == ["election_day"]


def test_a_repeat_whose_deadlines_would_pass_before_nomination_opens_is_refused(
    client, world, tied, chair
):
    soon = CALLED_ON + timedelta(days=10)  # nomination would close 26 days before it

    errors = errors_of(call_repeat(client, chair, world.election_id, election_day=soon), 422)

    assert [(e["code"], e["field"]) for e in errors] == [("deadline_before_call", "election_day")]


def test_missing_or_malformed_dates_are_422(client, world, tied, chair):
    url = f"/api/v1/elections/{world.election_id}/repeat"
    errors = errors_of(client.post(url, json={}, headers=chair), 422)
    assert sorted(e["field"] for e in errors) == ["called_on", "election_day"]
    body = {"called_on": "2027-02-30", "election_day": "0001-01-01"}
    errors = errors_of(client.post(url, json=body, headers=chair), 422)
    assert {e["field"] for e in errors} <= {"called_on", "election_day"}


# --- Pages ------------------------------------------------------------------------------------


def test_both_public_pages_link_the_election_and_its_repeat(client, world, tied, chair):
    new = call_repeat(client, chair, world.election_id).get_json()

    original = client.get(f"/results/{world.election_id}?lang=en").get_data(as_text=True)
    repeat = client.get(f"/results/{new['id']}?lang=en").get_data(as_text=True)

    assert f'data-repeated-by="{new["id"]}"' in original
    assert f'href="/results/{new["id"]}"' in original
    assert f"Repeat election of {REPEAT_DAY.strftime('%d.%m.%Y')}" in original
    assert f'data-repeat-of="{world.election_id}"' in repeat
    assert f'href="/results/{world.election_id}"' in repeat
    day = factories.default_election_day().strftime("%d.%m.%Y")
    assert f"This is a repeat of the election of {day}" in repeat
    assert 'data-decision="repeat_called"' in original
    rules = client.get(f"/elections/{new['id']}/rules").get_data(as_text=True)
    assert f'data-repeat-of="{world.election_id}"' in rules


def test_the_chair_calls_the_repeat_from_the_dashboard(app, client, world, tied, login):
    login(world.users["territorial_chair"])
    dashboard = f"/commission/elections/{world.election_id}/results"
    url = f"/commission/elections/{world.election_id}/repeat"
    page = client.get(dashboard + "?lang=en").get_data(as_text=True)
    assert f'action="{url}"' in page
    assert "Tie for first place" in page

    refused = client.post(
        url + "?lang=en",
        data={
            "repeat-called_on": CALLED_ON.isoformat(),
            "repeat-election_day": (CALLED_ON + timedelta(days=10)).isoformat(),
        },
    )
    assert refused.status_code == 422
    assert 'id="repeat-election_day-error"' in refused.get_data(as_text=True)

    response = client.post(
        url,
        data={
            "repeat-called_on": CALLED_ON.isoformat(),
            "repeat-election_day": REPEAT_DAY.isoformat(),
        },
    )

    assert response.status_code == 302
    with app.app_context():
        repeat = db.session.execute(
            select(Election).where(Election.repeat_of_id == world.election_id)
        ).scalar_one()
    page = client.get(dashboard + "?lang=en").get_data(as_text=True)
    assert f'data-repeated-by="{repeat.id}"' in page
    assert f'action="{url}"' not in page


def test_a_member_gets_no_repeat_form(client, world, tied, login):
    login(world.users["territorial_member"])
    page = client.get(f"/commission/elections/{world.election_id}/results").get_data(as_text=True)
    assert f"/commission/elections/{world.election_id}/repeat" not in page


# --- The same call twice in the same second -----------------------------------------------------


@pytest.mark.committing
def test_two_calls_of_the_repeat_at_once_make_one_repeat(committed_app):
    """The original row is locked before the check for an existing repeat."""
    app = committed_app
    app.config["ELECTIONS_NOW"] = factories.count_night()
    try:
        for _round in range(3):
            with app.app_context():
                world = factories.make_world()
                election = db.session.get(Election, world.election_id)
                c1, c2 = (
                    factories.CandidateFactory(election=election, status="registered").id
                    for _ in range(2)
                )
                db.session.commit()
                for precinct_id, votes in (
                    (world.precinct_a, {c1: 30, c2: 20}),
                    (world.precinct_b, {c1: 20, c2: 30}),
                ):
                    precinct = db.session.get(Precinct, precinct_id)
                    ballot_services.save_protocol(precinct, protocol_body(votes), None)
                    db.session.commit()
                token = issue_token(db.session.get(User, world.users["territorial_chair"]))
                db.session.commit()
            headers = {"Authorization": f"Bearer {token}"}
            tie = certify(app.test_client(), headers, world.election_id)
            assert tie.get_json()["outcome"] == "tie", tie.get_json()

            answers = at_once(
                app,
                [
                    lambda c, e=world.election_id, h=headers: call_repeat(c, h, e),
                    lambda c, e=world.election_id, h=headers: call_repeat(c, h, e),
                ],
            )

            assert sorted(status for status, _body in answers) == [201, 409], answers
            with app.app_context():
                repeats = (
                    db.session.execute(
                        select(Election).where(Election.repeat_of_id == world.election_id)
                    )
                    .scalars()
                    .all()
                )
                ids = [e.id for e in repeats]
            assert len(ids) == 1
            assert len(precincts_of(app, ids[0])) == 2
    finally:
        app.config["ELECTIONS_NOW"] = None


def test_a_repeat_is_called_after_the_election_it_repeats(client, world, tied, chair):
    """A call dated before the tied election itself is a typo, and it would use up the one
    repeat the election gets: refused on ``called_on``."""
    long_ago = factories.default_election_day() - timedelta(days=400)

    errors = errors_of(call_repeat(client, chair, world.election_id, called_on=long_ago), 422)

    assert [(e["code"], e["field"]) for e in errors] == [("called_before_election", "called_on")]
