"""Every election's live result at once (``national.live_results``): each the same as the
election's own draft result, and worked out again only for elections that changed."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from elections.ballots import services as ballot_services
from elections.ballots.models import Protocol
from elections.extensions import db
from elections.results import national, services
from elections.territory.models import Election, Precinct
from tests import factories
from tests.results.support import certify, protocol_body


@pytest.fixture(autouse=True)
def _nothing_remembered():
    national.forget()
    yield
    national.forget()


def own_drafts(election_ids) -> dict[int, dict]:
    return {
        election_id: services.draft_result(db.session.get(Election, election_id))
        for election_id in election_ids
    }


def test_each_result_is_the_elections_own_draft(app, world, add_candidates, save, make_election):
    c1, c2 = add_candidates(world.election_id, 2)
    save(world.precinct_a, {c1: 500, c2: 250}, invalid=8, against_all=40)
    tie = make_election(candidates=3, precincts=1)
    save(tie.precincts[0], dict(zip(tie.candidates, (40, 40, 7), strict=True)))
    pending = make_election(candidates=4, precincts=3)
    save(pending.precincts[1], dict(zip(pending.candidates, (1, 2, 3, 4), strict=True)))
    with app.app_context():
        results = national.live_results()
        ids = db.session.execute(select(Election.id).order_by(Election.id)).scalars().all()
        assert list(results) == ids
        assert results == own_drafts(ids)
    assert results[tie.id]["outcome"] == "tie"
    assert results[pending.id]["status"] == "unofficial_partial"
    assert results[world.election_id]["candidates"][0]["votes"] == 500
    assert results[world.other_election_id]["status"] == "no_results"


def test_the_open_data_feed_gives_every_election_as_its_own_results_endpoint_does(
    client, world, add_candidates, save, make_election, chair
):
    c1, c2 = add_candidates(world.election_id, 2)
    save(world.precinct_a, {c1: 500, c2: 250})
    save(world.precinct_b, {c1: 100, c2: 90})
    assert certify(client, chair, world.election_id).status_code == 200
    tie = make_election(candidates=2, precincts=1)
    save(tie.precincts[0], dict(zip(tie.candidates, (40, 40), strict=True)))

    response = client.get("/api/v1/results")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=10"
    feed = response.get_json()["elections"]
    ids = [item["election_id"] for item in feed]
    assert ids == sorted(ids) and {world.election_id, world.other_election_id, tie.id} <= set(ids)
    for item in feed:
        assert item == client.get(f"/api/v1/elections/{item['election_id']}/results").get_json()
    by_id = {item["election_id"]: item for item in feed}
    assert by_id[world.election_id]["status"] == "certified"
    assert by_id[world.election_id]["digest"]
    assert by_id[tie.id]["outcome"] == "tie"
    assert by_id[tie.id]["status"] == "unofficial_complete"

    unchanged = client.get("/api/v1/results", headers={"If-None-Match": response.headers["ETag"]})
    assert unchanged.status_code == 304
    save(tie.precincts[0], dict(zip(tie.candidates, (41, 40), strict=True)))
    changed = client.get("/api/v1/results", headers={"If-None-Match": response.headers["ETag"]})
    assert changed.status_code == 200
    assert {i["election_id"]: i for i in changed.get_json()["elections"]}[tie.id][
        "outcome"
    ] == "winner"


def test_a_transaction_that_has_written_leaves_nothing_behind(app, world, add_candidates):
    add_candidates(world.election_id, 2)  # the test's own transaction has written
    with app.app_context():
        national.live_results()
    assert national._memories == {}


def _save(app, precinct_id: int, votes: dict[int, int]) -> None:
    with app.app_context():
        precinct = db.session.get(Precinct, precinct_id)
        current = db.session.execute(
            select(Protocol.version).where(Protocol.precinct_id == precinct_id)
        ).scalar_one_or_none()
        body = protocol_body(votes, expected_version=current or 0)
        ballot_services.save_protocol(precinct, body, None)
        db.session.commit()


@pytest.mark.committing
def test_only_elections_that_changed_are_worked_out_again(committed_app):
    app = committed_app
    app.config["ELECTIONS_NOW"] = factories.count_night()  # protocols need the count
    with app.app_context():
        world = factories.make_world()
        election = db.session.get(Election, world.election_id)
        first, second = (
            factories.CandidateFactory(election=election, status="registered", last_name=name).id
            for name in ("Абенов", "Бекова")
        )
        db.session.commit()
    with app.app_context():
        before = national.live_results()
    assert national._memories, "a reading transaction remembers what it worked out"

    _save(app, world.precinct_a, {first: 300, second: 200})
    with app.app_context():
        after = national.live_results()
        assert after == own_drafts(after)
    assert after[world.election_id]["precincts_reporting"] == 1
    assert after[world.election_id] is not before[world.election_id]
    assert after[world.other_election_id] is before[world.other_election_id]

    with app.app_context():  # a new candidate changes what every result rests on
        factories.CandidateFactory(
            election=db.session.get(Election, world.election_id),
            status="registered",
            last_name="Дауленов",
        )
        db.session.commit()
        again = national.live_results()
        assert again == own_drafts(again)
    assert len(again[world.election_id]["candidates"]) == 3
    assert again[world.other_election_id] is not after[world.other_election_id]
