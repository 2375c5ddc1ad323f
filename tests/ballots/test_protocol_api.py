"""PUT/GET /api/v1/elections/{id}/precincts/{precinct_id}/protocol: relations, input errors,
versions, conflicts, idempotency, audit, certification."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from elections.ballots.models import ProtocolVote
from elections.core import audit
from elections.core.audit import AuditEvent
from elections.core.extensions import db
from elections.territory.models import Election
from tests import factories
from tests.ballots.helpers import codes, protocol_body, protocol_url, row_counts, version_count

RECEIVED = "received_equals_issued_plus_cancelled"
ISSUED = "issued_not_above_list"
IN_BOXES = "in_boxes_not_above_issued"
VOTES_SUM = "in_boxes_equals_invalid_plus_votes"


@pytest.fixture
def url(world) -> str:
    return protocol_url(world.election_id, world.precinct_a)


def put(client, url, headers, body, key=None):
    if key is not None:
        headers = {**headers, "Idempotency-Key": key}
    return client.put(url, json=body, headers=headers)


def protocol_events(app) -> list[AuditEvent]:
    with app.app_context():
        events = db.session.execute(
            select(AuditEvent).where(AuditEvent.action == "protocol.saved").order_by(AuditEvent.seq)
        ).scalars()
        return [(e.entity_type, e.entity_id, e.actor, json.loads(e.payload)) for e in events]


def certify(app, election_id: int) -> None:
    with app.app_context():
        db.session.get(Election, election_id).state = "certified"
        db.session.commit()


# --- the count starts at 20:00 on election day (domain.md, "Count and protocol") ----------


def test_a_protocol_before_the_polls_close_is_refused_as_counting_not_started(
    app, client, clock, url, secretary, candidates
):
    before = row_counts(app)
    night = factories.count_night()
    clock(night.replace(hour=19, minute=59, second=59))

    response = put(client, url, secretary, protocol_body(candidates))

    assert response.status_code == 409
    assert codes(response) == ["counting_not_started"]
    assert "20:00" in response.json["errors"][0]["message"]
    assert row_counts(app) == before


def test_a_protocol_at_20_00_on_election_day_is_accepted(client, clock, url, secretary, candidates):
    clock(factories.count_night().replace(hour=20, minute=0))

    response = put(client, url, secretary, protocol_body(candidates))

    assert response.status_code == 200, response.json
    assert response.json["version"] == 1


def test_a_protocol_days_before_election_day_is_refused(client, clock, url, secretary, candidates):
    clock(factories.count_night() - timedelta(days=3))

    response = put(client, url, secretary, protocol_body(candidates))

    assert response.status_code == 409
    assert codes(response) == ["counting_not_started"]


# --- control relations ----------------------------------------------------------------------

# Each relation with a protocol just inside it and one just outside, both otherwise valid.
RELATION_CASES = {
    RECEIVED: (
        {"ballots_received": 1000},  # 1000 = 800 + 200
        {"ballots_received": 999},
        (999, 1000),
    ),
    ISSUED: (
        {"voters_on_list": 800},  # 800 <= 800
        {"voters_on_list": 799},
        (800, 799),
    ),
    IN_BOXES: (
        {"ballots_issued": 790, "ballots_cancelled": 210},  # 790 <= 790
        {"ballots_issued": 789, "ballots_cancelled": 211},
        (790, 789),
    ),
    VOTES_SUM: (
        {"against_all": 80},  # 790 = 10 + 700 + 80
        {"against_all": 79},
        (790, 789),
    ),
}


@pytest.mark.parametrize("relation", RELATION_CASES)
def test_protocol_that_holds_a_relation_on_its_boundary_is_accepted(
    client, url, secretary, candidates, relation
):
    passing, _failing, _sides = RELATION_CASES[relation]
    response = put(client, url, secretary, protocol_body(candidates, **passing))

    assert response.status_code == 200, response.json
    assert response.json["version"] == 1
    assert response.json["status"] == "accepted"


@pytest.mark.parametrize("relation", RELATION_CASES)
def test_protocol_failing_one_relation_is_refused_naming_the_relation_and_both_sides(
    app, client, url, secretary, candidates, relation
):
    _passing, failing, (left, right) = RELATION_CASES[relation]
    before = row_counts(app)

    response = put(client, url, secretary, protocol_body(candidates, **failing))

    assert response.status_code == 422, response.json
    [error] = response.json["errors"]
    assert error["code"] == "relation_failed"
    assert error["relation"] == relation
    assert (error["left"], error["right"]) == (left, right)
    assert error["message"]
    assert row_counts(app) == before


def test_protocol_failing_several_relations_gets_one_error_per_relation_in_order(
    client, url, secretary, candidates
):
    body = protocol_body(candidates, ballots_received=1001, voters_on_list=700, invalid_ballots=11)
    response = put(client, url, secretary, body)

    assert response.status_code == 422
    errors = response.json["errors"]
    assert codes(response) == ["relation_failed"] * 3
    assert [(e["relation"], e["left"], e["right"]) for e in errors] == [
        (RECEIVED, 1001, 1000),
        (ISSUED, 800, 700),
        (VOTES_SUM, 790, 791),
    ]


def test_relation_messages_follow_the_language_asked_for(client, url, secretary, candidates):
    body = protocol_body(candidates, ballots_received=999)
    kk = client.put(url, json=body, headers=secretary, query_string={"lang": "kk"})
    ru = client.put(url, json=body, headers=secretary, query_string={"lang": "ru"})

    assert "2-жол" in kk.json["errors"][0]["message"]
    assert "строка 2" in ru.json["errors"][0]["message"]


# --- the votes object -----------------------------------------------------------------------


def test_protocol_without_a_registered_candidate_is_refused_as_missing_candidate(
    client, url, secretary, candidates
):
    body = protocol_body(candidates)
    del body["votes"][str(candidates[1])]
    response = put(client, url, secretary, body)

    assert response.status_code == 422
    assert response.json["errors"] == [
        {
            "code": "missing_candidate",
            "field": f"votes.{candidates[1]}",
            "message": response.json["errors"][0]["message"],
        }
    ]


@pytest.mark.parametrize(
    "key",
    ["987654", "0", "abc", "-1", f"{'0'}"],
    ids=["unknown-id", "zero", "letters", "negative", "zero-string"],
)
def test_protocol_with_votes_for_an_unknown_candidate_is_refused(
    client, url, secretary, candidates, key
):
    body = protocol_body(candidates)
    body["votes"][key] = 0
    response = put(client, url, secretary, body)

    assert response.status_code == 422
    assert [(e["code"], e["field"]) for e in response.json["errors"]] == [
        ("unknown_candidate", f"votes.{key}")
    ]


def test_protocol_with_votes_for_a_candidate_not_on_the_ballot_is_refused(
    world, client, url, secretary, candidates, add_candidate
):
    refused = add_candidate(world.election_id, "Абаев", "Ерлан", status="refused")
    elsewhere = add_candidate(world.other_election_id, "Абаев", "Ерлан")
    body = protocol_body(candidates)
    body["votes"].update({str(refused): 0, str(elsewhere): 0})
    response = put(client, url, secretary, body)

    assert response.status_code == 422
    assert {(e["code"], e["field"]) for e in response.json["errors"]} == {
        ("unknown_candidate", f"votes.{refused}"),
        ("unknown_candidate", f"votes.{elsewhere}"),
    }


@pytest.mark.parametrize("spelling", ["0{}", "{}.0", " {}", "+{}"])
def test_a_candidate_id_spelled_another_way_is_unknown_not_an_alias(
    client, url, secretary, candidates, spelling
):
    """ "07" must not count as candidate 7: it would let a body name a candidate twice."""
    body = protocol_body(candidates)
    alias = spelling.format(candidates[0])
    body["votes"][alias] = 0
    response = put(client, url, secretary, body)

    assert response.status_code == 422
    assert [(e["code"], e["field"]) for e in response.json["errors"]] == [
        ("unknown_candidate", f"votes.{alias}")
    ]


def test_a_superscript_digit_as_candidate_id_is_refused_not_a_server_error(
    client, url, secretary, candidates
):
    body = protocol_body(candidates)
    body["votes"]["²"] = 0
    response = put(client, url, secretary, body)

    assert response.status_code == 422
    assert codes(response) == ["unknown_candidate"]


def test_a_candidate_named_twice_in_the_raw_body_is_refused_as_duplicate_key(
    app, client, url, secretary, candidates
):
    first, second, third = candidates
    raw = (
        '{"voters_on_list": 1200, "ballots_received": 1000, "ballots_issued": 800,'
        ' "ballots_cancelled": 200, "ballots_in_boxes": 790, "invalid_ballots": 10,'
        f' "votes": {{"{first}": 400, "{second}": 0, "{third}": 100, "{second}": 200}},'
        ' "against_all": 80, "expected_version": 0}'
    )
    before = row_counts(app)

    response = client.put(url, data=raw, content_type="application/json", headers=secretary)

    assert response.status_code == 422, response.json
    assert codes(response) == ["duplicate_key"]
    assert str(second) in response.json["errors"][0]["field"]
    assert row_counts(app) == before


# --- figures --------------------------------------------------------------------------------

BAD_VALUES = {
    "-1": (-1, "negative"),
    "1.5": (1.5, "not_integer"),
    "5.0": (5.0, "not_integer"),
    "string-12": ("12", "not_integer"),
    "true": (True, "not_integer"),
    "false": (False, "not_integer"),
    "null": (None, "not_integer"),
    "list": ([12], "not_integer"),
}
LINES = [
    "voters_on_list",
    "ballots_received",
    "ballots_issued",
    "ballots_cancelled",
    "ballots_in_boxes",
    "invalid_ballots",
    "against_all",
]


@pytest.mark.parametrize("bad", BAD_VALUES)
def test_lines_that_are_not_whole_numbers_at_least_zero_are_refused_each_with_its_field(
    app, client, url, secretary, candidates, bad
):
    value, code = BAD_VALUES[bad]
    before = row_counts(app)
    response = put(client, url, secretary, protocol_body(candidates, **dict.fromkeys(LINES, value)))

    assert response.status_code == 422, response.json
    # In line order: lines 1-6, then the against-all line after the candidates.
    assert [(e["code"], e["field"]) for e in response.json["errors"]] == [
        (code, line) for line in LINES
    ]
    assert row_counts(app) == before


@pytest.mark.parametrize("line", LINES)
def test_a_negative_figure_on_any_line_is_refused_with_that_field(
    client, url, secretary, candidates, line
):
    response = put(client, url, secretary, protocol_body(candidates, **{line: -1}))

    assert response.status_code == 422
    assert [(e["code"], e["field"]) for e in response.json["errors"]] == [("negative", line)]


@pytest.mark.parametrize("bad", BAD_VALUES)
def test_votes_that_are_not_a_whole_number_at_least_zero_are_refused_with_the_candidate_field(
    client, url, secretary, candidates, bad
):
    value, code = BAD_VALUES[bad]
    response = put(client, url, secretary, protocol_body(candidates, votes=(400, value, 100)))

    assert response.status_code == 422, response.json
    assert [(e["code"], e["field"]) for e in response.json["errors"]] == [
        (code, f"votes.{candidates[1]}")
    ]


def test_every_bad_line_is_reported_at_once(client, url, secretary, candidates):
    body = protocol_body(candidates, voters_on_list=-1, against_all="8", votes=(1.5, 200, 100))
    response = put(client, url, secretary, body)

    assert response.status_code == 422
    assert [(e["code"], e["field"]) for e in response.json["errors"]] == [
        ("negative", "voters_on_list"),
        ("not_integer", f"votes.{candidates[0]}"),
        ("not_integer", "against_all"),
    ]


def test_a_figure_too_large_for_any_count_is_refused_with_its_field_not_a_server_error(
    client, url, secretary, candidates
):
    huge = 2**70
    body = protocol_body(
        candidates,
        voters_on_list=huge,
        ballots_received=huge,
        ballots_issued=huge - 200,
        ballots_in_boxes=huge - 210,
        invalid_ballots=huge - 990,
    )
    response = put(client, url, secretary, body)

    assert response.status_code == 422, response.json
    assert [(e["code"], e["field"]) for e in response.json["errors"]] == [
        ("too_large", line) for line in LINES[:6] if line != "ballots_cancelled"
    ]


def test_the_largest_integer_a_column_holds_is_accepted(client, url, secretary, candidates):
    top = 2**31 - 1
    body = protocol_body(
        candidates,
        votes=(top - 100, 0, 0),
        voters_on_list=top,
        ballots_received=top,
        ballots_issued=top,
        ballots_cancelled=0,
        ballots_in_boxes=top,
        invalid_ballots=20,
        against_all=80,
    )
    response = put(client, url, secretary, body)

    assert response.status_code == 200, response.json
    assert response.json["votes"][str(candidates[0])] == top - 100


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda b: b.pop("expected_version"), id="missing"),
        pytest.param(lambda b: b.update(expected_version=-1), id="negative"),
        pytest.param(lambda b: b.update(expected_version="0"), id="string"),
        pytest.param(lambda b: b.update(expected_version=0.5), id="fraction"),
        pytest.param(lambda b: b.update(expected_version=True), id="true"),
        pytest.param(lambda b: b.update(expected_version=None), id="null"),
        pytest.param(lambda b: b.update(expected_version=2**70), id="huge"),
    ],
)
def test_expected_version_missing_or_not_a_version_number_is_refused(
    app, client, url, secretary, candidates, change
):
    body = protocol_body(candidates)
    change(body)
    before = row_counts(app)

    response = put(client, url, secretary, body)

    assert response.status_code == 422, response.json
    assert [e["field"] for e in response.json["errors"]] == ["expected_version"]
    assert row_counts(app) == before


@pytest.mark.parametrize("missing", [*LINES, "votes"])
def test_a_protocol_without_one_of_its_lines_is_refused(
    client, url, secretary, candidates, missing
):
    body = protocol_body(candidates)
    del body[missing]
    response = put(client, url, secretary, body)

    assert response.status_code == 422
    assert missing in [e.get("field") for e in response.json["errors"]]


@pytest.mark.parametrize(
    ("data", "content_type"),
    [("[1, 2]", "application/json"), ("{not json", "application/json"), ("x=1", "text/plain")],
    ids=["array", "broken", "not-json"],
)
def test_a_body_that_is_not_a_json_object_is_a_bad_request(
    client, url, secretary, candidates, data, content_type
):
    response = client.put(url, data=data, content_type=content_type, headers=secretary)
    assert response.status_code == 400
    assert codes(response) == ["bad_request"]


# --- versions -------------------------------------------------------------------------------


def test_accepted_saves_create_versions_one_two_three_with_who_and_when(
    world, client, clock, url, secretary, member, chair, candidates
):
    night = factories.count_night().astimezone(UTC)
    moments = [
        night + timedelta(minutes=5),
        night + timedelta(hours=1, minutes=30),
        night + timedelta(hours=10),
    ]
    savers = [
        (secretary, world.usernames["precinct_secretary"]),
        (member, world.usernames["territorial_member"]),
        (chair, world.usernames["territorial_chair"]),
    ]
    invalid = [10, 11, 12]
    for version, (moment, (headers, _name), bad) in enumerate(
        zip(moments, savers, invalid, strict=True)
    ):
        clock(moment)
        body = protocol_body(
            candidates, expected_version=version, invalid_ballots=bad, ballots_in_boxes=780 + bad
        )
        response = put(client, url, headers, body)
        assert response.status_code == 200, response.json
        assert response.json["version"] == version + 1
        assert response.json["precinct_id"] == world.precinct_a
        assert response.json["election_id"] == world.election_id

    current = client.get(url, headers=secretary)
    assert current.status_code == 200
    assert current.json["version"] == 3
    assert current.json["invalid_ballots"] == 12
    assert current.json["ballots_in_boxes"] == 792
    assert current.json["created_by"] == world.usernames["territorial_chair"]
    assert current.json["votes"] == {
        str(c): n for c, n in zip(candidates, (400, 200, 100), strict=True)
    }

    listed = client.get(
        protocol_url(world.election_id, world.precinct_a, "/versions"), headers=member
    )
    assert listed.status_code == 200
    versions = listed.json["versions"]
    assert [v["version"] for v in versions] == [1, 2, 3]
    assert [v["invalid_ballots"] for v in versions] == invalid
    assert [v["created_by"] for v in versions] == [name for _h, name in savers]
    assert [datetime.fromisoformat(v["created_at"]) for v in versions] == moments
    assert versions[0]["created_at"].endswith("+05:00")  # shown in Asia/Almaty
    assert len({v["digest"] for v in versions}) == 3
    assert versions[-1] == current.json


def test_the_same_figures_saved_again_make_a_new_version_with_the_same_digest(
    client, url, secretary, candidates
):
    first = put(client, url, secretary, protocol_body(candidates))
    second = put(client, url, secretary, protocol_body(candidates, expected_version=1))

    assert (first.json["version"], second.json["version"]) == (1, 2)
    assert first.json["digest"] == second.json["digest"]


def test_reading_a_protocol_never_saved_is_not_found_and_its_history_is_empty(
    world, client, url, secretary, candidates
):
    assert client.get(url, headers=secretary).status_code == 404
    listed = client.get(
        protocol_url(world.election_id, world.precinct_a, "/versions"), headers=secretary
    )
    assert listed.status_code == 200
    assert listed.json == {"versions": []}


def test_votes_are_stored_per_candidate_at_their_ballot_position(
    app, client, url, secretary, candidates
):
    response = put(client, url, secretary, protocol_body(candidates, votes=(1, 2, 697)))

    assert response.status_code == 200
    assert response.json["votes"] == {
        str(candidates[0]): 1,
        str(candidates[1]): 2,
        str(candidates[2]): 697,
    }
    with app.app_context():
        stored = db.session.execute(
            select(ProtocolVote.candidate_id, ProtocolVote.position, ProtocolVote.votes).order_by(
                ProtocolVote.position
            )
        ).all()
    assert [tuple(row) for row in stored] == [
        (candidates[0], 1, 1),
        (candidates[1], 2, 2),
        (candidates[2], 3, 697),
    ]


# --- version conflicts ----------------------------------------------------------------------


@pytest.mark.parametrize("stale", [0, 2, 7])
def test_a_save_against_another_version_than_the_current_is_a_conflict_naming_the_current(
    app, client, url, secretary, member, candidates, stale
):
    assert put(client, url, member, protocol_body(candidates)).status_code == 200
    before = row_counts(app)

    response = put(client, url, secretary, protocol_body(candidates, expected_version=stale))

    assert response.status_code == 409, response.json
    [error] = response.json["errors"]
    assert error["code"] == "version_conflict"
    assert error["current_version"] == 1
    assert row_counts(app) == before


def test_a_first_save_that_expects_an_existing_version_is_a_conflict_with_version_zero(
    app, client, url, secretary, candidates
):
    before = row_counts(app)
    response = put(client, url, secretary, protocol_body(candidates, expected_version=1))

    assert response.status_code == 409
    assert response.json["errors"][0]["code"] == "version_conflict"
    assert response.json["errors"][0]["current_version"] == 0
    assert row_counts(app) == before


def test_after_a_conflict_the_save_against_the_current_version_is_accepted(
    client, url, secretary, member, candidates
):
    put(client, url, member, protocol_body(candidates))
    conflict = put(
        client, url, secretary, protocol_body(candidates, against_all=70, invalid_ballots=20)
    )
    current = conflict.json["errors"][0]["current_version"]

    retry = put(
        client,
        url,
        secretary,
        protocol_body(candidates, expected_version=current, against_all=70, invalid_ballots=20),
    )

    assert retry.status_code == 200
    assert retry.json["version"] == 2


# --- idempotency ----------------------------------------------------------------------------


def test_a_retried_save_with_the_same_key_and_body_returns_the_first_answer_and_no_new_version(
    app, world, client, url, secretary, candidates
):
    body = protocol_body(candidates)
    first = put(client, url, secretary, body, key="retry-1")
    after_first = row_counts(app)

    second = put(client, url, secretary, body, key="retry-1")
    third = put(client, url, secretary, body, key="retry-1")

    assert first.status_code == second.status_code == third.status_code == 200
    assert second.get_data() == first.get_data()
    assert third.json == first.json
    assert version_count(app, world.precinct_a) == 1
    assert row_counts(app) == after_first
    assert len(protocol_events(app)) == 1


def test_a_retry_returns_the_first_answer_even_after_a_later_version_was_saved(
    app, world, client, url, secretary, member, candidates
):
    body = protocol_body(candidates)
    first = put(client, url, secretary, body, key="slow-network")
    put(client, url, member, protocol_body(candidates, expected_version=1))

    retry = put(client, url, secretary, body, key="slow-network")

    assert retry.status_code == 200
    assert retry.json == first.json
    assert retry.json["version"] == 1
    assert version_count(app, world.precinct_a) == 2


def test_the_same_key_with_another_body_is_refused_as_reused(
    app, world, client, url, secretary, candidates
):
    put(client, url, secretary, protocol_body(candidates), key="once")
    before = row_counts(app)

    response = put(
        client, url, secretary, protocol_body(candidates, expected_version=1), key="once"
    )

    assert response.status_code == 422
    assert codes(response) == ["idempotency_key_reused"]
    assert response.json["errors"][0]["field"] == "Idempotency-Key"
    assert row_counts(app) == before
    assert version_count(app, world.precinct_a) == 1


def test_a_refused_save_spends_no_key_so_the_corrected_save_may_use_it(
    app, world, client, url, secretary, candidates
):
    before = row_counts(app)
    refused = put(client, url, secretary, protocol_body(candidates, against_all=79), key="k")
    assert refused.status_code == 422
    assert row_counts(app) == before

    accepted = put(client, url, secretary, protocol_body(candidates), key="k")

    assert accepted.status_code == 200, accepted.json
    assert accepted.json["version"] == 1


def test_keys_belong_to_their_user(app, world, client, url, secretary, member, candidates):
    put(client, url, secretary, protocol_body(candidates), key="shared")

    other = put(client, url, member, protocol_body(candidates, expected_version=1), key="shared")

    assert other.status_code == 200, other.json
    assert other.json["version"] == 2


@pytest.mark.parametrize("key", ["", "   ", "k" * 201])
def test_an_empty_or_overlong_idempotency_key_is_a_bad_request(
    app, client, url, secretary, candidates, key
):
    before = row_counts(app)
    response = put(client, url, secretary, protocol_body(candidates), key=key)

    assert response.status_code == 400
    assert response.json["errors"][0]["field"] == "Idempotency-Key"
    assert row_counts(app) == before


# --- audit ----------------------------------------------------------------------------------


def test_each_accepted_save_writes_one_protocol_saved_event_and_the_chain_holds(
    app, world, client, url, secretary, member, candidates
):
    answers = [
        put(client, url, secretary, protocol_body(candidates)),
        put(
            client,
            url,
            member,
            protocol_body(candidates, expected_version=1, against_all=70, invalid_ballots=20),
        ),
        put(client, url, secretary, protocol_body(candidates, expected_version=2)),
    ]
    assert [a.status_code for a in answers] == [200, 200, 200]

    events = protocol_events(app)
    assert events == [
        (
            "protocol",
            str(world.precinct_a),
            name,
            {
                "version": a.json["version"],
                "digest": a.json["digest"],
                "election_id": world.election_id,
            },
        )
        for a, name in zip(
            answers,
            [
                world.usernames["precinct_secretary"],
                world.usernames["territorial_member"],
                world.usernames["precinct_secretary"],
            ],
            strict=True,
        )
    ]
    with app.app_context():
        verdict = audit.verify()
    assert verdict.ok, verdict.problem


def test_refused_saves_write_nothing_at_all(app, world, client, url, secretary, member, candidates):
    put(client, url, member, protocol_body(candidates))
    before = row_counts(app)
    refusals = [
        put(client, url, secretary, protocol_body(candidates, expected_version=1, against_all=1)),
        put(client, url, secretary, protocol_body(candidates, expected_version=0), key="a"),
        put(
            client, url, secretary, protocol_body(candidates, expected_version=1, voters_on_list=-5)
        ),
        put(client, url, secretary, {"expected_version": 1}),
        client.put(url, data="{}", content_type="application/json", headers=secretary),
    ]

    assert [r.status_code for r in refusals] == [422, 409, 422, 422, 422]
    assert row_counts(app) == before
    with app.app_context():
        assert audit.verify().ok


# --- certification --------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["precinct_secretary", "territorial_member", "territorial_chair"])
def test_nobody_writes_a_protocol_after_certification(
    app, world, client, url, token_for, member, candidates, role
):
    put(client, url, member, protocol_body(candidates))
    certify(app, world.election_id)
    headers = token_for(world.users[role])
    before = row_counts(app)

    response = put(client, url, headers, protocol_body(candidates, expected_version=1))

    assert response.status_code == 409, response.json
    assert codes(response) == ["results_certified"]
    assert row_counts(app) == before


def test_a_first_protocol_cannot_be_saved_after_certification_either(
    app, world, client, token_for, candidates
):
    certify(app, world.election_id)
    headers = token_for(world.users["territorial_chair"])
    url_b = protocol_url(world.election_id, world.precinct_b)
    before = row_counts(app)

    response = put(client, url_b, headers, protocol_body(candidates))

    assert response.status_code == 409
    assert codes(response) == ["results_certified"]
    assert row_counts(app) == before


def test_certified_protocols_can_still_be_read(
    app, world, client, url, secretary, member, candidates
):
    saved = put(client, url, member, protocol_body(candidates)).json
    certify(app, world.election_id)

    current = client.get(url, headers=secretary)
    listed = client.get(
        protocol_url(world.election_id, world.precinct_a, "/versions"), headers=member
    )

    assert current.status_code == 200
    assert current.json == saved
    assert listed.status_code == 200
    assert listed.json["versions"] == [saved]
    assert client.get(f"/api/v1/elections/{world.election_id}/ballot").status_code == 200
