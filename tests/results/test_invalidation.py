"""The organising commission's chair declares an election invalid, with its grounds.

Source: art. 113-9 (../shared/domain.md, "Result"): an election the commission declares
invalid (violations that make the voters' will impossible to establish) leads to a repeat
election; api.md, "Additions of December 2026": POST /elections/{id}/invalidate {grounds},
organising commission's chair, not after certification.
"""

from __future__ import annotations

import csv
import io
import json
import threading
from datetime import datetime, time, timedelta
from importlib import resources
from zoneinfo import ZoneInfo

import pytest
from jsonschema.validators import validator_for
from sqlalchemy import select

from elections.auth.models import User
from elections.auth.services import issue_token
from elections.candidates.models import Candidate
from elections.core.audit import AuditEvent
from elections.core.extensions import db
from elections.territory.models import Election, ElectionDecision, Precinct, Unit
from tests import factories
from tests.results.support import certify, errors_of, protocol_body, put_protocol, results_of

ALMATY = ZoneInfo("Asia/Almaty")
GROUNDS = "Ballot boxes of precinct A were opened before the count: the will cannot be known"


def invalidate(client, headers, election_id, grounds=GROUNDS):
    body = {} if grounds is None else {"grounds": grounds}
    return client.post(f"/api/v1/elections/{election_id}/invalidate", json=body, headers=headers)


def state_of(app, election_id):
    with app.app_context():
        return db.session.get(Election, election_id).state


def statuses(app, ids):
    with app.app_context():
        return [db.session.get(Candidate, cid).status for cid in ids]


@pytest.fixture
def declared(client, world, counted, chair):
    """world.election with precinct A counted, then declared invalid by the chair."""
    response = invalidate(client, chair, world.election_id)
    assert response.status_code == 200, response.get_data(as_text=True)
    return counted


# --- Declaring ------------------------------------------------------------------------------


def test_nothing_is_declared_invalid_before_the_polls_close(app, client, world, clock, chair):
    """Grounds are violations that make the voters' will impossible to establish (art. 113-9):
    known once the count opens at 20:00, not during nomination or voting."""
    day = factories.default_election_day()
    for moment in (
        datetime.combine(day - timedelta(days=30), time(12, 0), tzinfo=ALMATY),
        datetime.combine(day, time(19, 59, 59), tzinfo=ALMATY),
    ):
        clock(moment)
        [error] = errors_of(invalidate(client, chair, world.election_id), 409)
        assert error["code"] == "voting_not_ended"
        assert state_of(app, world.election_id) == "open"
    clock(datetime.combine(day, time(20, 0), tzinfo=ALMATY))
    assert invalidate(client, chair, world.election_id).status_code == 200


def test_the_chair_declares_the_election_invalid_with_its_grounds(
    app, client, world, counted, chair
):
    response = invalidate(client, chair, world.election_id, "  " + GROUNDS + "  ")

    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["id"] == world.election_id
    assert body["status"] == "invalid"
    assert body["repeat_of"] is None and body["repeated_by"] is None
    assert state_of(app, world.election_id) == "invalid"
    with app.app_context():
        [decision] = db.session.execute(
            select(ElectionDecision).where(ElectionDecision.election_id == world.election_id)
        ).scalars()
        assert (decision.kind, decision.reason) == ("invalidated", GROUNDS)
        assert decision.actor == world.usernames["territorial_chair"]
        [event] = db.session.execute(
            select(AuditEvent).where(AuditEvent.action == "election.invalidated")
        ).scalars()
        assert event.entity_id == str(world.election_id)
        assert json.loads(event.payload)["reason"] == GROUNDS
        assert event.actor == world.usernames["territorial_chair"]
    # Candidates keep their statuses: nobody is elected, nobody "not elected".
    assert statuses(app, [counted.c1, counted.c2]) == ["registered", "registered"]


@pytest.mark.parametrize("grounds", [None, "", "   \n "])
def test_grounds_are_required(app, client, world, counted, chair, grounds):
    errors = errors_of(invalidate(client, chair, world.election_id, grounds), 422)
    assert [e["field"] for e in errors] == ["grounds"]
    assert state_of(app, world.election_id) == "open"


def test_grounds_longer_than_2000_characters_are_refused(app, client, world, counted, chair):
    errors = errors_of(invalidate(client, chair, world.election_id, "в" * 2001), 422)
    assert [e["field"] for e in errors] == ["grounds"]
    assert state_of(app, world.election_id) == "open"


def test_a_member_of_the_organising_commission_may_not_declare_it_invalid(
    app, client, world, counted, token_for
):
    member = token_for(world.users["territorial_member"])
    assert errors_of(invalidate(client, member, world.election_id), 403)[0]["code"] == "forbidden"
    assert state_of(app, world.election_id) == "open"


def test_the_chair_of_another_commission_gets_404_and_others_403_or_401(
    app, client, world, counted, token_for
):
    with app.app_context():
        other = db.session.execute(
            select(Unit).where(Unit.kato == world.other_district)
        ).scalar_one()
        other_chair = factories.UserFactory(role="territorial_chair", commission=other).id
        db.session.commit()
    errors_of(invalidate(client, token_for(other_chair), world.election_id), 404)
    errors_of(invalidate(client, token_for(world.users["cec_admin"]), world.election_id), 403)
    errors_of(
        invalidate(client, token_for(world.users["precinct_secretary"]), world.election_id), 403
    )
    errors_of(invalidate(client, {}, world.election_id), 401)
    assert state_of(app, world.election_id) == "open"


def test_an_election_declared_invalid_is_not_declared_again(app, client, world, declared, chair):
    errors = errors_of(invalidate(client, chair, world.election_id, "Again"), 409)
    assert errors[0]["code"] == "already_invalid"
    with app.app_context():
        assert db.session.execute(select(ElectionDecision)).scalars().all() != []
        assert len(db.session.execute(select(ElectionDecision)).scalars().all()) == 1


def test_a_certified_election_is_not_declared_invalid(app, client, world, counted, save, chair):
    save(world.precinct_b, {counted.c1: 100, counted.c2: 50})
    assert certify(client, chair, world.election_id).status_code == 200

    errors = errors_of(invalidate(client, chair, world.election_id), 409)

    assert errors[0]["code"] == "already_certified"
    assert state_of(app, world.election_id) == "certified"


def test_nor_while_a_correction_of_the_certified_result_is_open(
    app, client, world, counted, save, chair
):
    save(world.precinct_b, {counted.c1: 100, counted.c2: 50})
    certify(client, chair, world.election_id)
    reopened = client.post(
        f"/api/v1/elections/{world.election_id}/corrections",
        json={"reason": "Recount in precinct B"},
        headers=chair,
    )
    assert reopened.status_code == 200

    errors = errors_of(invalidate(client, chair, world.election_id), 409)

    assert errors[0]["code"] == "already_certified"
    assert state_of(app, world.election_id) == "open"


# --- What invalidity locks ---------------------------------------------------------------------


def test_protocols_are_locked_after_invalidation(app, client, world, declared, chair, token_for):
    secretary = token_for(world.users["other_secretary"])  # precinct B's secretary
    body = protocol_body({declared.c1: 10, declared.c2: 5})
    errors = errors_of(
        put_protocol(client, secretary, world.election_id, world.precinct_b, body), 409
    )
    assert errors[0]["code"] == "election_invalid"
    assert errors[0]["legal_basis"] == "art. 113-9"
    again = protocol_body({declared.c1: 1, declared.c2: 1}, expected_version=1)
    errors = errors_of(put_protocol(client, chair, world.election_id, world.precinct_a, again), 409)
    assert errors[0]["code"] == "election_invalid"


def test_certification_and_corrections_are_refused_after_invalidation(
    app, client, world, declared, save, chair
):
    errors = errors_of(certify(client, chair, world.election_id), 409)
    assert errors[0]["code"] == "election_invalid"
    errors = errors_of(
        client.post(
            f"/api/v1/elections/{world.election_id}/corrections",
            json={"reason": "Reopen it"},
            headers=chair,
        ),
        409,
    )
    assert errors[0]["code"] == "election_invalid"
    assert state_of(app, world.election_id) == "invalid"


# --- What the public reads ---------------------------------------------------------------------


def test_the_results_api_shows_the_grounds_no_winner_and_the_unofficial_figures(
    client, world, declared
):
    body = results_of(client, world.election_id)

    assert body["outcome"] == "invalid"
    assert body["invalid_grounds"] == GROUNDS
    assert body["winner_candidate_id"] is None
    assert body["tied_candidate_ids"] == [] and body["deposit_refund_candidate_ids"] == []
    assert body["status"] == "unofficial_partial"  # what was counted stays readable
    assert [c["votes"] for c in body["candidates"]] == [500, 250]

    every = client.get("/api/v1/results").get_json()["elections"]
    [mine] = [e for e in every if e["election_id"] == world.election_id]
    assert (mine["outcome"], mine["invalid_grounds"]) == ("invalid", GROUNDS)
    assert mine["winner_candidate_id"] is None


def test_the_public_page_says_declared_invalid_with_the_grounds_and_names_no_winner(
    client, world, declared
):
    response = client.get(f"/results/{world.election_id}?lang=en")

    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert 'data-outcome="invalid"' in text
    assert f"Declared invalid: {GROUNDS}" in text
    assert "data-winner-id" not in text and "data-leader-id" not in text
    assert 'data-decision="invalidated"' in text


def test_the_page_already_cached_changes_once_the_election_is_declared_invalid(
    client, world, counted, chair
):
    before = client.get(f"/results/{world.election_id}?lang=en").get_data(as_text=True)
    every_before = client.get("/api/v1/results").get_json()["elections"]
    assert "Declared invalid" not in before

    invalidate(client, chair, world.election_id)

    after = client.get(f"/results/{world.election_id}?lang=en").get_data(as_text=True)
    assert f"Declared invalid: {GROUNDS}" in after
    every_after = client.get("/api/v1/results").get_json()["elections"]
    assert every_before != every_after


def test_the_exports_say_invalid_with_the_grounds(client, world, declared):
    text = client.get(f"/api/v1/elections/{world.election_id}/results.csv").get_data(as_text=True)
    header, *rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")))
    assert header[-2:] == ["election_status", "invalid_grounds"]
    assert all(row[-2:] == ["invalid", GROUNDS] for row in rows) and len(rows) == 2

    report = client.get(f"/api/v1/elections/{world.election_id}/results/nist-err").get_json()
    assert report["Status"] == "unofficial-partial"
    assert "declared this election invalid" in report["Notes"]
    assert GROUNDS in report["Notes"]
    assert "No candidate is elected" in report["Notes"]


def test_the_nist_report_of_an_invalid_election_still_validates(client, world, declared):
    text = resources.files("elections.results").joinpath("nist_schema.json").read_text("utf-8")
    schema = json.loads(text)
    validator = validator_for(schema)(schema)
    report = client.get(f"/api/v1/elections/{world.election_id}/results/nist-err").get_json()
    assert [e.message for e in validator.iter_errors(report)] == []


# --- The chair's form on the dashboard ------------------------------------------------------


def dashboard(world):
    return f"/commission/elections/{world.election_id}/results"


def form_url(world):
    return f"/commission/elections/{world.election_id}/invalidate"


def test_the_chair_declares_it_invalid_from_the_dashboard(app, client, world, counted, login):
    login(world.users["territorial_chair"])
    page = client.get(dashboard(world) + "?lang=en").get_data(as_text=True)
    assert f'action="{form_url(world)}"' in page
    assert "Declare invalid" in page

    response = client.post(
        form_url(world), data={"invalid-grounds": GROUNDS, "invalid-confirm": "y"}
    )

    assert response.status_code == 302
    assert response.headers["Location"].endswith(dashboard(world))
    assert state_of(app, world.election_id) == "invalid"
    page = client.get(dashboard(world) + "?lang=en").get_data(as_text=True)
    assert f"Declared invalid: {GROUNDS}" in page
    assert f'action="{form_url(world)}"' not in page  # no second declaration
    assert "Call the repeat election" in page  # the repeat is offered next
    assert 'value="correct"' not in page and 'value="certify"' not in page


def test_the_dashboard_form_shows_field_errors(app, client, world, counted, login):
    login(world.users["territorial_chair"])

    response = client.post(form_url(world) + "?lang=en", data={"invalid-grounds": "  "})

    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert 'id="invalid-grounds-error"' in text
    assert 'id="invalid-confirm-error"' in text
    assert state_of(app, world.election_id) == "open"


def test_the_dashboard_form_after_certification_says_why_it_is_refused(
    app, client, world, counted, save, chair, login
):
    save(world.precinct_b, {counted.c1: 100, counted.c2: 50})
    certify(client, chair, world.election_id)
    login(world.users["territorial_chair"])

    response = client.post(
        form_url(world) + "?lang=en", data={"invalid-grounds": GROUNDS, "invalid-confirm": "y"}
    )

    assert response.status_code == 409
    assert "can no longer be declared invalid" in response.get_data(as_text=True)
    assert state_of(app, world.election_id) == "certified"


def test_a_member_gets_no_form_and_a_403_for_posting(app, client, world, counted, login):
    login(world.users["territorial_member"])
    assert f'action="{form_url(world)}"' not in client.get(dashboard(world)).get_data(as_text=True)
    response = client.post(
        form_url(world), data={"invalid-grounds": GROUNDS, "invalid-confirm": "y"}
    )
    assert response.status_code == 403
    assert state_of(app, world.election_id) == "open"


# --- An invalidation and a certification at the same moment -------------------------------------


@pytest.mark.committing
def test_of_an_invalidation_and_a_certification_at_once_exactly_one_wins(committed_app):
    """Both lock the election row (SELECT ... FOR UPDATE on PostgreSQL; SQLite's writers queue
    on BEGIN IMMEDIATE): the second sees the first's state and is refused."""
    app = committed_app
    app.config["ELECTIONS_NOW"] = factories.count_night()
    try:
        outcomes = []
        for _round in range(3):
            with app.app_context():
                world = factories.make_world()
                election = db.session.get(Election, world.election_id)
                ids = [
                    factories.CandidateFactory(election=election, status="registered").id
                    for _ in range(2)
                ]
                db.session.commit()
                for precinct_id, votes in ((world.precinct_a, 30), (world.precinct_b, 20)):
                    from elections.ballots import services as ballot_services

                    precinct = db.session.get(Precinct, precinct_id)
                    ballot_services.save_protocol(
                        precinct, protocol_body({ids[0]: votes, ids[1]: 5}), None
                    )
                    db.session.commit()
                token = issue_token(db.session.get(User, world.users["territorial_chair"]))
                db.session.commit()
            headers = {"Authorization": f"Bearer {token}"}
            answers = at_once(
                app,
                [
                    lambda c, e=world.election_id, h=headers: certify(c, h, e),
                    lambda c, e=world.election_id, h=headers: invalidate(c, h, e),
                ],
            )
            codes = sorted(status for status, _body in answers)
            assert codes == [200, 409], answers
            with app.app_context():
                state = db.session.get(Election, world.election_id).state
                versions = (
                    db.session.execute(
                        select(ElectionDecision).where(
                            ElectionDecision.election_id == world.election_id
                        )
                    )
                    .scalars()
                    .all()
                )
            won = "certify" if answers[0][0] == 200 else "invalidate"
            assert state == ("certified" if won == "certify" else "invalid")
            assert len(versions) == (0 if won == "certify" else 1)
            outcomes.append(won)
    finally:
        app.config["ELECTIONS_NOW"] = None


def at_once(app, requests):
    """Each ``request(client)`` in its own thread and test client, released together."""
    barrier = threading.Barrier(len(requests))
    answers: list = [None] * len(requests)

    def run(index: int) -> None:
        client = app.test_client()
        try:
            barrier.wait(timeout=30)
            response = requests[index](client)
            answers[index] = (response.status_code, response.get_json())
        except BaseException as error:  # reported in the test's own thread
            answers[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a client never finished"
    errors = [answer for answer in answers if isinstance(answer, BaseException)]
    assert not errors, errors
    return answers
