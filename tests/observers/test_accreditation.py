"""Accrediting observers, the public list without IINs, withdrawal that stops the account,
and observer accounts made from the command line (api.md, "Voter lists, signatures,
observers")."""

from __future__ import annotations

from elections.auth.models import User
from elections.core.extensions import db
from elections.observers.models import Accreditation
from tests.factories import PASSWORD, fresh_iin


def _body(world, **overrides) -> dict:
    iin, _born = fresh_iin("female")
    body = {
        "name": "Серікова Дана Маратқызы",
        "iin": iin,
        "sent_by": {"type": "media", "name": "Orda.kz"},
        "precinct_ids": [world.precinct_a, world.precinct_b],
    }
    return {**body, **overrides}


def _accredit(client, headers, world, **overrides):
    return client.post(
        f"/api/v1/elections/{world.election_id}/observers",
        json=_body(world, **overrides),
        headers=headers,
    )


def test_the_commission_accredits_and_the_public_list_never_shows_the_iin(client, world, token_for):
    member = token_for(world.users["territorial_member"])
    body = _body(world)
    response = client.post(
        f"/api/v1/elections/{world.election_id}/observers", json=body, headers=member
    )
    assert response.status_code == 201, response.get_json()
    made = response.get_json()
    assert made["sent_by"] == {"type": "media", "name": "Orda.kz"}
    assert {p["precinct_id"] for p in made["precincts"]} == {world.precinct_a, world.precinct_b}
    public = client.get(f"/api/v1/elections/{world.election_id}/observers")
    assert public.status_code == 200
    text = public.get_data(as_text=True)
    assert body["iin"] not in text and body["iin"][-4:] not in text
    assert "iin" not in text
    names = [a["name"] for a in public.get_json()["accreditations"]]
    assert "Серікова Дана Маратқызы" in names
    page = client.get(f"/elections/{world.election_id}/observers").get_data(as_text=True)
    assert "Серікова Дана Маратқызы" in page and body["iin"] not in page


def test_one_accreditation_per_person_and_election(client, world, token_for):
    member = token_for(world.users["territorial_member"])
    iin, _born = fresh_iin()
    assert _accredit(client, member, world, iin=iin).status_code == 201
    again = _accredit(client, member, world, iin=iin, name="Другое имя")
    assert again.status_code == 409
    assert again.get_json()["errors"][0]["code"] == "already_accredited"


def test_precincts_of_another_election_and_bad_iins_are_refused(client, world, token_for):
    member = token_for(world.users["territorial_member"])
    other = _accredit(client, member, world, precinct_ids=[world.other_precinct])
    assert other.status_code == 422
    assert other.get_json()["errors"][0]["field"] == "precinct_ids"
    bad = _accredit(client, member, world, iin="123456789012")
    assert bad.status_code == 422
    assert bad.get_json()["errors"][0]["field"] == "iin"
    huge = _accredit(client, member, world, precinct_ids=[2**40])
    assert huge.status_code == 422


def test_another_commission_and_a_secretary_cannot_accredit(client, world, token_for):
    assert _accredit(client, token_for(world.users["other_member"]), world).status_code == 404
    assert _accredit(client, token_for(world.users["precinct_secretary"]), world).status_code == 403


def test_withdrawal_stops_the_observers_tokens_and_sessions(app, client, world, token_for, login):
    member = token_for(world.users["territorial_member"])
    observer_token = token_for(world.users["observer"])
    signed_in = login(world.users["observer"])
    assert signed_in.get("/observer").status_code == 200
    url = f"/api/v1/observers/{world.accreditation_id}"
    assert client.delete(url, json={}, headers=member).status_code == 422  # a reason is needed
    response = client.delete(url, json={"reason": "Left the precinct's count."}, headers=member)
    assert response.status_code == 200
    assert response.get_json()["active"] is False
    copy_url = f"/api/v1/elections/{world.election_id}/precincts/{world.precinct_a}/observer-copy"
    assert app.test_client().get(copy_url, headers=observer_token).status_code == 401
    assert signed_in.get("/observer").status_code == 302  # sent to sign in again
    again = client.delete(url, json={"reason": "twice"}, headers=member)
    assert again.status_code == 409
    public = client.get(f"/api/v1/elections/{world.election_id}/observers").get_json()
    (withdrawn,) = [a for a in public["accreditations"] if a["id"] == world.accreditation_id]
    assert withdrawn["withdrawal_reason"] == "Left the precinct's count."


def test_an_observer_account_from_the_command_line(app, world):
    with app.app_context():
        accreditation = Accreditation(
            election_id=world.election_id,
            name="Ахметов Нұржан",
            iin_hash=b"\x01" * 32,
            iin_tail="0001",
            sent_by_type="party",
            sent_by_name="AMANAT",
            accredited_by="test",
        )
        db.session.add(accreditation)
        db.session.commit()
        accreditation_id = accreditation.id
    cli = app.test_cli_runner()
    args = ["users", "create", "nurzhan-observer", "--role", "observer", "--password-stdin"]
    result = cli.invoke(args=[*args, "--observer", str(accreditation_id)], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.execute(
            db.select(User).where(User.username == "nurzhan-observer")
        ).scalar_one()
        assert user.role == "observer"
        assert db.session.get(Accreditation, accreditation_id).user_id == user.id
    twice = cli.invoke(
        args=["users", "create", "second", "--role", "observer", "--password-stdin",
              "--observer", str(accreditation_id)],
        input=PASSWORD + "\n",
    )  # fmt: skip
    assert twice.exit_code == 1 and "already" in twice.output
    none = cli.invoke(args=[*args[:2], "third", *args[3:]], input=PASSWORD + "\n")
    assert none.exit_code == 1 and "accreditation" in none.output


def test_a_withdrawn_person_may_be_accredited_again(client, world, token_for):

    member = token_for(world.users["territorial_member"])
    iin, _born = fresh_iin()
    first = _accredit(client, member, world, iin=iin).get_json()
    withdrawn = client.delete(
        f"/api/v1/observers/{first['id']}", json={"reason": "By mistake."}, headers=member
    )
    assert withdrawn.status_code == 200
    again = _accredit(client, member, world, iin=iin)
    assert again.status_code == 201
    assert _accredit(client, member, world, iin=iin).status_code == 409  # one in force
    blank = client.delete(
        f"/api/v1/observers/{again.get_json()['id']}", json={"reason": "   "}, headers=member
    )
    assert blank.status_code == 422
