"""An observer's copy against the official protocol, line by line, the commission's answers,
and certification over every open difference (issue 16; the law gives anyone present at the
count a certified copy of the protocol: ../shared/domain.md, "Count and protocol")."""

from __future__ import annotations

from elections.core.audit import AuditEvent
from elections.core.extensions import db
from elections.results.models import ResultVersion
from tests.observers.support import enter_copy, save, save_precinct_b


def _differences(client, world) -> dict:
    response = client.get(f"/api/v1/elections/{world.election_id}/differences")
    assert response.status_code == 200
    return response.get_json()


def test_a_copy_that_agrees_has_no_difference(client, night, secretary, observer):
    assert save(client, secretary, night).status_code == 200
    response = enter_copy(client, observer, night)
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {
        "precinct_id": night.precinct_a,
        "official_version": 1,
        "differences": [],
    }
    standing = _differences(client, night)
    assert (standing["copies"], standing["agree"], standing["differ"]) == (1, 1, 0)


def test_a_copy_that_differs_names_each_line_with_both_figures(client, night, secretary, observer):
    save(client, secretary, night)
    # 10 votes moved from the first candidate to the second: two lines differ.
    response = enter_copy(client, observer, night, first=490, second=310)
    assert response.status_code == 200
    found = {d["line"]: (d["official"], d["copy"]) for d in response.get_json()["differences"]}
    first, second = night.candidates
    assert found == {f"votes.{first}": (500, 490), f"votes.{second}": (300, 310)}
    public = _differences(client, night)
    assert (public["copies"], public["agree"], public["differ"]) == (1, 0, 1)
    assert {d["precinct_number"] for d in public["differences"]} == {
        public["differences"][0]["precinct_number"]
    }
    assert all(d["open"] and d["answer"] is None for d in public["differences"])


def test_a_copy_that_breaks_a_relation_is_taken_as_it_reads(client, night, secretary, observer):
    """The observer types the paper even where it does not add up: that is evidence too."""
    save(client, secretary, night)
    response = enter_copy(client, observer, night, second=310)  # line 5 no longer adds up
    assert response.status_code == 200
    assert [d["line"] for d in response.get_json()["differences"]] == [
        f"votes.{night.candidates[1]}"
    ]


def test_a_line_that_is_no_whole_number_is_refused_at_its_field(client, night, observer):
    response = enter_copy(client, observer, night, invalid_ballots="ten")
    assert response.status_code == 422
    assert [e["field"] for e in response.get_json()["errors"]] == ["invalid_ballots"]


def test_a_copy_before_the_protocol_waits_and_is_compared_when_it_comes(
    client, night, secretary, observer
):
    response = enter_copy(client, observer, night, invalid_ballots=20, first=490)
    assert response.get_json() == {
        "precinct_id": night.precinct_a,
        "official_version": None,
        "differences": [],
    }
    assert _differences(client, night)["awaiting"] == 1
    save(client, secretary, night)  # the official protocol arrives: compared in its save
    public = _differences(client, night)
    assert {d["line"] for d in public["differences"]} == {
        "invalid_ballots",
        f"votes.{night.candidates[0]}",
    }
    assert all(d["official_version"] == 1 for d in public["differences"])


def test_a_corrected_protocol_closes_the_difference_and_keeps_its_history(
    client, app, night, secretary, observer, member
):
    save(client, secretary, night)
    enter_copy(client, observer, night, invalid_ballots=20, first=490)
    opened = _differences(client, night)["differences"]
    again = enter_copy(client, observer, night, invalid_ballots=20, first=490)
    # Entering the same copy again keeps the difference (and its "since").
    assert [d["id"] for d in again.get_json()["differences"]] == [d["id"] for d in opened]
    # The commission corrects a clerical error: version 2 reads as the copy does.
    assert save(client, secretary, night, 1, invalid_ballots=20, first=490).status_code == 200
    public = _differences(client, night)
    assert (public["agree"], public["differ"]) == (1, 0)
    assert [d["open"] for d in public["differences"]] == [False, False]
    assert all(d["closed_at"] for d in public["differences"])


def test_the_commission_answers_a_difference_in_public(
    client, app, night, secretary, observer, member
):
    save(client, secretary, night)
    (difference,) = enter_copy(client, observer, night, against_all=80, first=510).get_json()[
        "differences"
    ][:1]
    url = (
        f"/api/v1/elections/{night.election_id}/precincts/{night.precinct_a}"
        f"/differences/{difference['id']}/answer"
    )
    assert client.post(url, json={"kind": "guess", "note": "x"}, headers=member).status_code == 422
    response = client.post(
        url,
        json={"kind": "explained", "note": "The copy was filled in before the recount."},
        headers=member,
    )
    assert response.status_code == 200
    assert response.get_json()["answer"] == "explained"
    public = {d["id"]: d for d in _differences(client, night)["differences"]}
    assert public[difference["id"]]["answer_note"] == "The copy was filled in before the recount."
    with app.app_context():
        event = db.session.execute(
            db.select(AuditEvent).where(AuditEvent.action == "observer.difference_answered")
        ).scalar_one()
        assert '"explained"' in event.payload


def test_another_commission_cannot_answer(client, night, secretary, observer, token_for):
    save(client, secretary, night)
    (difference, *_rest) = enter_copy(client, observer, night, first=490, second=310).get_json()[
        "differences"
    ]
    url = (
        f"/api/v1/elections/{night.election_id}/precincts/{night.precinct_a}"
        f"/differences/{difference['id']}/answer"
    )
    other = token_for(night.users["other_member"])
    response = client.post(url, json={"kind": "explained", "note": "n"}, headers=other)
    assert response.status_code == 404


def test_an_observer_reaches_only_the_precincts_of_the_accreditation(client, night, observer):
    assert enter_copy(client, observer, night, precinct_id=night.precinct_b).status_code == 404


def test_certification_lists_every_open_difference_without_an_answer(
    client, app, night, secretary, observer, chair, token_for
):
    save(client, secretary, night)
    save_precinct_b(client, token_for(night.users["other_secretary"]), night)
    found = enter_copy(client, observer, night, first=490, second=310).get_json()["differences"]
    certify = f"/api/v1/elections/{night.election_id}/certify"
    refused = client.post(certify, headers=chair)
    assert refused.status_code == 409
    items = refused.get_json()["errors"]
    assert {i["code"] for i in items} == {"differences_open"}
    assert sorted(i["id"] for i in items) == sorted(d["id"] for d in found)
    # Acknowledging one of the two is not enough.
    one = client.post(certify, json={"acknowledge_differences": [found[0]["id"]]}, headers=chair)
    assert one.status_code == 409
    assert [i["id"] for i in one.get_json()["errors"]] == [found[1]["id"]]
    both = [d["id"] for d in found]
    response = client.post(certify, json={"acknowledge_differences": both}, headers=chair)
    assert response.status_code == 200, response.get_json()
    with app.app_context():
        version = db.session.execute(db.select(ResultVersion)).scalar_one()
        assert [(d["id"], d["answer"]) for d in version.differences] == [
            (i, "acknowledged") for i in both
        ]
    # After certification, copies are no longer taken.
    assert enter_copy(client, observer, night).status_code == 409


def test_an_answered_difference_does_not_hold_certification(
    client, app, night, secretary, observer, chair, member, token_for
):
    save(client, secretary, night)
    save_precinct_b(client, token_for(night.users["other_secretary"]), night)
    (difference, *_rest) = enter_copy(client, observer, night, first=490, second=310).get_json()[
        "differences"
    ]
    for d in _differences(client, night)["differences"]:
        url = (
            f"/api/v1/elections/{night.election_id}/precincts/{night.precinct_a}"
            f"/differences/{d['id']}/answer"
        )
        answered = client.post(
            url, json={"kind": "recount", "note": "Recount on 7 Dec."}, headers=member
        )
        assert answered.status_code == 200
    response = client.post(f"/api/v1/elections/{night.election_id}/certify", headers=chair)
    assert response.status_code == 200, response.get_json()
    with app.app_context():
        version = db.session.execute(db.select(ResultVersion)).scalar_one()
        assert {d["answer"] for d in version.differences} == {"recount"}


def test_a_withdrawn_observers_differences_close_and_hold_nothing(
    client, night, secretary, observer, member, chair, token_for
):
    save(client, secretary, night)
    save_precinct_b(client, token_for(night.users["other_secretary"]), night)
    enter_copy(client, observer, night, first=490, second=310)
    withdrawn = client.delete(
        f"/api/v1/observers/{night.accreditation_id}", json={"reason": "Left."}, headers=member
    )
    assert withdrawn.status_code == 200
    public = _differences(client, night)
    assert public["differences"] and not any(d["open"] for d in public["differences"])
    # A later protocol version compares no copy of a withdrawn observer.
    assert save(client, secretary, night, 1, first=480, second=320).status_code == 200
    assert not any(d["open"] for d in _differences(client, night)["differences"])
    assert (
        client.post(f"/api/v1/elections/{night.election_id}/certify", headers=chair).status_code
        == 200
    )


def test_the_public_page_shows_a_changed_answer_at_once(client, night, secretary, observer, member):
    """The clock stands still (as in a demo): the page still sees the answer change."""
    save(client, secretary, night)
    (difference, *_rest) = enter_copy(client, observer, night, first=490, second=310).get_json()[
        "differences"
    ]
    url = (
        f"/api/v1/elections/{night.election_id}/precincts/{night.precinct_a}"
        f"/differences/{difference['id']}/answer"
    )
    page = f"/results/{night.election_id}"
    client.post(url, json={"kind": "explained", "note": "first note"}, headers=member)
    assert "first note" in client.get(page).get_data(as_text=True)
    client.post(url, json={"kind": "explained", "note": "second note"}, headers=member)
    assert "second note" in client.get(page).get_data(as_text=True)
