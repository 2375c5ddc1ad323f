"""Every election's live result at once (``national.live_results``): each the same as the
election's own draft result, and worked out again only for elections that changed."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from elections.ballots import services as ballot_services
from elections.ballots.models import Protocol
from elections.core.extensions import db
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
        one = client.get(f"/api/v1/elections/{item['election_id']}/results").get_json()
        assert "paper" in one and "paper" not in item  # the scans and copies: its own page
        assert item == {key: value for key, value in one.items() if key != "paper"}
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


# --- with a warm memory: real commits on a database of the module's own ---------------------


def _save(app, precinct_id: int, votes: dict[int, int], commit: bool = True) -> None:
    precinct = db.session.get(Precinct, precinct_id)
    current = db.session.execute(
        select(Protocol.version).where(Protocol.precinct_id == precinct_id)
    ).scalar_one_or_none()
    body = protocol_body(votes, expected_version=current or 0)
    ballot_services.save_protocol(precinct, body, None)
    if commit:
        db.session.commit()


def _live(app) -> dict[int, dict]:
    """live_results() in a reading request of its own, checked against every election's own
    draft result."""
    with app.app_context():
        results = national.live_results()
    with app.app_context():
        assert results == own_drafts(results)
    return results


@pytest.fixture
def night(committed_app):
    """A fresh world in the committed database an hour into its count, two candidates on the
    ballot of world.election_id; the memory warm."""
    app = committed_app
    app.config["ELECTIONS_NOW"] = factories.count_night()  # protocols need the count
    with app.app_context():
        world = factories.make_world()
        election = db.session.get(Election, world.election_id)
        world.candidates = [
            factories.CandidateFactory(election=election, status="registered", last_name=name).id
            for name in ("Абенов", "Бекова")
        ]
        db.session.commit()
    _live(app)
    assert national._memories, "a reading transaction remembers what it worked out"
    return world


@pytest.mark.committing
def test_only_elections_that_changed_are_worked_out_again(committed_app, night):
    app, (first, second) = committed_app, night.candidates
    before = _live(app)

    with app.app_context():
        _save(app, night.precinct_a, {first: 300, second: 200})
    after = _live(app)
    assert after[night.election_id]["precincts_reporting"] == 1
    assert after[night.election_id] is not before[night.election_id]
    assert after[night.other_election_id] is before[night.other_election_id]

    with app.app_context():  # a new candidate changes the frame of one election only
        factories.CandidateFactory(
            election=db.session.get(Election, night.election_id),
            status="registered",
            last_name="Дауленов",
        )
        db.session.commit()
    again = _live(app)
    assert len(again[night.election_id]["candidates"]) == 3
    assert again[night.other_election_id] is after[night.other_election_id]


@pytest.mark.committing
def test_a_rolled_back_save_leaves_no_figures_behind(committed_app, night):
    app, (first, second) = committed_app, night.candidates
    with app.app_context():
        _save(app, night.precinct_a, {first: 900, second: 1}, commit=False)
        seen = national.live_results()  # inside the writing transaction: its own figures
        assert seen[night.election_id]["candidates"][0]["votes"] == 900
        db.session.rollback()

    with app.app_context():  # the same number of versions again, with other figures
        _save(app, night.precinct_a, {first: 100, second: 400})
    results = _live(app)
    assert [c["votes"] for c in results[night.election_id]["candidates"]] == [100, 400]


@pytest.mark.committing
def test_certification_correction_and_a_new_precinct_reach_every_result(committed_app, night):
    app, (first, second) = committed_app, night.candidates
    client = app.test_client()
    with app.app_context():
        _save(app, night.precinct_a, {first: 300, second: 200})
        _save(app, night.precinct_b, {first: 10, second: 20})
    before = _live(app)
    assert before[night.election_id]["outcome"] == "winner"

    def published(election_id: int) -> dict:
        feed = client.get("/api/v1/results").get_json()["elections"]
        one = client.get(f"/api/v1/elections/{election_id}/results").get_json()
        one.pop("paper")  # the feed leaves each election's paper to its own endpoint
        assert {item["election_id"]: item for item in feed}[election_id] == one
        return one

    with app.app_context():
        services.certify(db.session.get(Election, night.election_id), None)
        db.session.commit()
    assert published(night.election_id)["status"] == "certified"
    settled = _live(app)  # candidates now elected / not elected: still on the ballot
    assert settled[night.other_election_id] is before[night.other_election_id]

    with app.app_context():
        election = db.session.get(Election, night.election_id)
        services.open_correction(election, "recount ordered", None)
        db.session.commit()
        _save(app, night.precinct_b, {first: 10, second: 600})
    assert published(night.election_id)["status"] == "unofficial_complete"
    assert published(night.election_id)["winner_candidate_id"] == second

    with app.app_context():
        election = db.session.get(Election, night.election_id)
        village = factories.UnitFactory(kind="village", parent=election.unit)
        factories.PrecinctFactory(election=election, unit=village)
        db.session.commit()
    grown = _live(app)
    assert grown[night.election_id]["precincts_total"] == 3
    assert grown[night.election_id]["status"] == "unofficial_partial"
    assert published(night.election_id)["precincts_total"] == 3


@pytest.mark.committing
def test_the_every_result_document_serialises_again_only_the_elections_that_changed(
    committed_app, night
):
    """Issue 17: after a change, the document is the kept entries of the elections that did
    not change and the new entries of those that did."""
    app, (first, second) = committed_app, night.candidates
    serialised: list[int] = []

    def serialise(result: dict) -> bytes:
        serialised.append(result["election_id"])
        return json.dumps(result["election_id"]).encode()

    def document() -> list:
        with app.app_context():
            return json.loads(national.every_result_document(serialise))["elections"]

    with app.app_context():
        every = sorted(db.session.execute(select(Election.id)).scalars())
    assert document() == every and sorted(serialised) == every
    serialised.clear()
    assert document() == every and serialised == []
    with app.app_context():
        _save(app, night.precinct_a, {first: 30, second: 20})
    assert document() == every
    assert serialised == [night.election_id]
    served = app.test_client().get("/api/v1/results").get_json()["elections"]
    saved = {item["election_id"]: item for item in served}[night.election_id]
    assert [c["votes"] for c in saved["candidates"]] == [30, 20]
