"""PUT /elections/{id}/precincts/{pid}/voters and the changes of single voters (issue 15)."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from elections.core.audit import AuditEvent
from elections.core.extensions import db
from elections.territory.models import Precinct
from elections.voters.models import Voter
from tests.factories import default_election_day
from tests.voters.support import put_list, voter


def _precinct(app, precinct_id) -> Precinct:
    with app.app_context():
        precinct = db.session.get(Precinct, precinct_id)
        db.session.expunge(precinct)
        return precinct


def _voters(app, precinct_id) -> list[Voter]:
    with app.app_context():
        return list(
            db.session.execute(
                select(Voter).where(Voter.precinct_id == precinct_id).order_by(Voter.line)
            ).scalars()
        )


def test_a_list_loads_and_the_precinct_counts_its_voters(app, client, world, member):
    rows = [voter() for _ in range(3)]
    response = put_list(client, member, world.election_id, world.precinct_a, rows)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["voters_on_list"] == 3 and body["refused"] == []
    assert len(body["digest"]) == 64
    assert _precinct(app, world.precinct_a).voters_on_list == 3
    stored = _voters(app, world.precinct_a)
    assert [v.line for v in stored] == [1, 2, 3]
    assert all(rows[0]["iin"] not in (v.iin_hash, v.address) for v in stored)


def test_no_iin_is_stored_only_its_keyed_hash(app, client, world, member):
    row = voter()
    put_list(client, member, world.election_id, world.precinct_a, [row])
    with app.app_context():
        names = [c.name for c in Voter.__table__.columns]
        (stored,) = db.session.execute(select(*Voter.__table__.columns)).all()
    assert "iin" not in names
    assert row["iin"] not in [str(value) for value in stored]


def test_one_refused_row_refuses_the_upload_and_names_every_refused_row(app, client, world, member):
    good, young = voter(), voter(born=default_election_day() - timedelta(days=18 * 365))
    broken = voter(iin="900101300018")
    response = put_list(
        client, member, world.election_id, world.precinct_a, [good, broken, young, dict(good)]
    )
    assert response.status_code == 422
    body = response.get_json()
    assert set(body) == {"errors"}, "the error envelope, each refused row an item"
    assert [(r["line"], r["code"]) for r in body["errors"]] == [
        (3, "iin_invalid"),
        (4, "under_voting_age"),
        (5, "duplicate_in_list"),
    ]
    assert [e["code"] for e in body["errors"]] == [
        "iin_invalid",
        "under_voting_age",
        "duplicate_in_list",
    ]
    assert _voters(app, world.precinct_a) == []
    assert _precinct(app, world.precinct_a).voters_on_list == 1200, "nothing written"


def test_accept_valid_loads_the_rest_and_reports_the_refused(app, client, world, member):
    rows = [voter(), voter(birth_date="1900-01-01"), voter()]
    response = put_list(
        client, member, world.election_id, world.precinct_a, rows, query="?accept_valid=true"
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["voters_on_list"] == 2
    assert body["refused"] == [
        {"line": 3, "code": "birth_date_mismatch", "message": body["refused"][0]["message"]}
    ]
    assert _precinct(app, world.precinct_a).voters_on_list == 2


def test_a_voter_on_another_list_of_the_election_is_refused(app, client, world, member):
    shared = voter()
    assert (
        put_list(client, member, world.election_id, world.precinct_a, [shared]).status_code == 200
    )
    response = put_list(client, member, world.election_id, world.precinct_b, [voter(), shared])
    assert response.status_code == 422
    assert [(r["line"], r["code"]) for r in response.get_json()["errors"]] == [
        (3, "on_another_list")
    ]


def test_the_same_voter_may_be_on_a_list_of_another_election(client, world, token_for):
    shared = voter()
    mine = token_for(world.users["territorial_member"])
    other = token_for(world.users["other_member"])
    assert put_list(client, mine, world.election_id, world.precinct_a, [shared]).status_code == 200
    assert (
        put_list(client, other, world.other_election_id, world.other_precinct, [shared]).status_code
        == 200
    )


def test_a_new_upload_replaces_the_list_in_one_transaction_audited(app, client, world, member):
    put_list(client, member, world.election_id, world.precinct_a, [voter(), voter()])
    again = put_list(client, member, world.election_id, world.precinct_a, [voter()])
    assert again.get_json()["voters_on_list"] == 1
    assert len(_voters(app, world.precinct_a)) == 1
    with app.app_context():
        events = (
            db.session.execute(
                select(AuditEvent).where(AuditEvent.action == "precinct.voter_list_loaded")
            )
            .scalars()
            .all()
        )
    payloads = [json.loads(e.payload) for e in events]
    assert [(p["voters"], p["voters_before"]) for p in payloads] == [(2, 1200), (1, 2)]
    assert payloads[-1]["digest"] == again.get_json()["digest"]


def test_json_rows_load_as_csv_rows_do(client, world, member):
    rows = [voter(), voter()]
    response = client.put(
        f"/api/v1/elections/{world.election_id}/precincts/{world.precinct_a}/voters",
        json=rows,
        headers=member,
    )
    assert response.status_code == 200
    assert response.get_json()["voters_on_list"] == 2


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code"),
    [
        (b"iin,last_name\n1,2\n", "text/csv", 400, "bad_request"),
        (b"\xff\xfe broken", "text/csv", 400, "bad_request"),
        (b'{"iin": "1"}', "application/json", 400, "bad_request"),
        (b"[1, 2]", "application/json", 400, "bad_request"),
        (b"[{}", "application/json", 400, "bad_request"),
        (b"<xml/>", "application/xml", 415, "unsupported_media_type"),
    ],
)
def test_an_unreadable_file_is_refused_whole(
    client, world, member, body, content_type, status, code
):
    response = client.put(
        f"/api/v1/elections/{world.election_id}/precincts/{world.precinct_a}/voters",
        data=body,
        headers={**member, "Content-Type": content_type},
    )
    assert response.status_code == status
    assert response.get_json()["errors"][0]["code"] == code


def test_a_list_larger_than_the_upload_limit_gets_413(app, client, world, member):
    app.config["UPLOAD_MAX_BYTES"], before = 1000, app.config["UPLOAD_MAX_BYTES"]
    try:
        response = put_list(client, member, world.election_id, world.precinct_a, [voter()] * 30)
    finally:
        app.config["UPLOAD_MAX_BYTES"] = before
    assert response.status_code == 413


def test_who_may_load_a_list(client, world, token_for):
    rows = [voter()]
    url_args = (world.election_id, world.precinct_a)
    assert put_list(client, {}, *url_args, rows).status_code == 401
    secretary = token_for(world.users["precinct_secretary"])
    assert put_list(client, secretary, *url_args, rows).status_code == 403
    outsider = token_for(world.users["other_member"])
    assert put_list(client, outsider, *url_args, rows).status_code == 404
    admin = token_for(world.users["cec_admin"])
    assert put_list(client, admin, *url_args, rows).status_code == 403


def test_lists_close_when_the_day_before_election_day_ends(app, client, world, member, clock):
    zone = ZoneInfo("Asia/Almaty")
    day = default_election_day()
    clock(datetime.combine(day - timedelta(days=1), time(23, 59), tzinfo=zone))
    assert (
        put_list(client, member, world.election_id, world.precinct_a, [voter()]).status_code == 200
    )
    clock(datetime.combine(day, time(0, 0), tzinfo=zone))
    response = put_list(client, member, world.election_id, world.precinct_a, [voter()])
    assert response.status_code == 409
    assert response.get_json()["errors"][0]["code"] == "voter_lists_closed"


def _change(client, headers, world, kind, body):
    return client.post(
        f"/api/v1/elections/{world.election_id}/precincts/{world.precinct_a}/voters/{kind}",
        json=body,
        headers=headers,
    )


def test_a_voter_is_added_and_removed_with_a_reason_audited(app, client, world, member):
    first = voter()
    put_list(client, member, world.election_id, world.precinct_a, [first])
    added = voter()
    response = _change(client, member, world, "additions", {**added, "reason": "court_decision"})
    assert response.status_code == 201, response.get_json()
    assert response.get_json() == {"precinct_id": world.precinct_a, "voters_on_list": 2, "line": 2}
    response = _change(
        client, member, world, "removals", {"iin": first["iin"], "reason": "deceased"}
    )
    assert response.status_code == 200
    assert response.get_json()["voters_on_list"] == 1
    assert _precinct(app, world.precinct_a).voters_on_list == 1
    with app.app_context():
        events = db.session.execute(
            select(AuditEvent.action, AuditEvent.payload).where(
                AuditEvent.action.in_(("precinct.voter_added", "precinct.voter_removed"))
            )
        ).all()
    assert [(a, json.loads(p)["reason"], json.loads(p)["line"]) for a, p in events] == [
        ("precinct.voter_added", "court_decision", 2),
        ("precinct.voter_removed", "deceased", 1),
    ]
    assert all(first["iin"] not in p and first["last_name"] not in p for _a, p in events)


def test_a_change_is_refused_with_its_reason(client, world, member):
    put_list(client, member, world.election_id, world.precinct_a, [voter()])
    unknown = _change(client, member, world, "removals", {"iin": voter()["iin"], "reason": "moved"})
    assert unknown.status_code == 422 and unknown.get_json()["errors"][0]["code"] == "not_on_list"
    no_note = _change(client, member, world, "additions", {**voter(), "reason": "other"})
    assert no_note.status_code == 422 and no_note.get_json()["errors"][0]["field"] == "note"
    bad_reason = _change(client, member, world, "removals", {"iin": voter()["iin"], "reason": "x"})
    assert bad_reason.status_code == 422


def test_a_voter_cannot_be_added_before_a_list_is_loaded(client, world, member):
    response = _change(client, member, world, "additions", {**voter(), "reason": "moved_in"})
    assert response.status_code == 409
    assert response.get_json()["errors"][0]["code"] == "no_voter_list"


def test_the_list_is_read_by_its_commission_and_its_secretary_and_each_read_audited(
    app, client, world, member, token_for
):
    put_list(client, member, world.election_id, world.precinct_a, [voter(), voter()])
    url = f"/api/v1/elections/{world.election_id}/precincts/{world.precinct_a}/voters"
    secretary = token_for(world.users["precinct_secretary"])
    for headers in (member, secretary):
        response = client.get(url, headers=headers)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-store"
        assert [v["line"] for v in response.get_json()["voters"]] == [1, 2]
        assert "iin" not in response.get_json()["voters"][0]
    assert client.get(url, headers=token_for(world.users["other_secretary"])).status_code == 404
    assert client.get(url).status_code == 401
    with app.app_context():
        reads = (
            db.session.execute(
                select(AuditEvent.actor).where(AuditEvent.action == "voter_list.read")
            )
            .scalars()
            .all()
        )
    assert reads == [world.usernames["territorial_member"], world.usernames["precinct_secretary"]]


def test_the_list_is_in_no_public_answer(client, world, member):
    row = voter()
    put_list(client, member, world.election_id, world.precinct_a, [row])
    for url in (
        f"/api/v1/elections/{world.election_id}/precincts",
        f"/api/v1/elections/{world.election_id}",
        f"/api/v1/elections/{world.election_id}/ballot",
    ):
        text = client.get(url).get_data(as_text=True)
        assert row["last_name"] not in text and row["iin"] not in text


def test_a_list_with_more_than_a_hundred_refused_rows_names_each_of_them(client, world, member):
    rows = [voter(iin="900101300018") for _ in range(150)]
    response = put_list(client, member, world.election_id, world.precinct_a, rows)
    assert response.status_code == 422
    lines = [item["line"] for item in response.get_json()["errors"]]
    assert lines == list(range(2, 152)), "every refused row, none summed up as too_many_errors"
