"""POST /api/v1/elections/{id}/candidates: nomination, input errors, conflicts, signatures."""

from __future__ import annotations

import copy
import re

from elections.candidates.iin import parse_iin
from elections.candidates.models import Candidate
from elections.core import audit
from elections.core.audit import AuditEvent
from elections.core.extensions import db
from elections.territory.models import Election, Unit
from tests import factories
from tests.factories import nomination_body, party_nomination, self_nomination
from tests.foundation.support import names_a_source

APPLICATION_NUMBER = re.compile(r"^[A-Z0-9]{4}-[A-Z0-9]{4}$")


def nominate(client, headers, election_id, body, lang="en"):
    return client.post(
        f"/api/v1/elections/{election_id}/candidates",
        json=body,
        headers=headers,
        query_string={"lang": lang},
    )


def error_fields(response) -> dict[str, str]:
    return {item.get("field"): item["code"] for item in response.json["errors"]}


def codes(response) -> list[str]:
    return [item["code"] for item in response.json["errors"]]


# --- success --------------------------------------------------------------------------------


def test_party_nomination_is_submitted_with_an_application_number(client, world, member, new_party):
    response = nominate(
        client, member, world.election_id, nomination_body(party_nomination(new_party()))
    )

    assert response.status_code == 201, response.json
    body = response.json
    assert APPLICATION_NUMBER.match(body["application_number"])
    assert body["status"] == "submitted"
    assert body["eligibility"] == {"eligible": True, "violations": []}
    assert isinstance(body["id"], int)


def test_two_nominations_get_different_application_numbers(client, world, member, new_party):
    first = nominate(
        client, member, world.election_id, nomination_body(party_nomination(new_party()))
    )
    second = nominate(client, member, world.election_id, nomination_body(self_nomination(20, 1)))

    assert first.status_code == second.status_code == 201
    assert first.json["application_number"] != second.json["application_number"]
    assert APPLICATION_NUMBER.match(second.json["application_number"])


def test_nomination_of_an_ineligible_person_is_submitted_with_every_violation_and_its_basis(
    client, world, member, new_party
):
    body = nomination_body(
        party_nomination(new_party(), member=False),
        education="general_secondary",
        work_experience_years=1,
        special_check="pending",
        deposit_paid=False,
        qualification_met=None,
    )
    response = nominate(client, member, world.election_id, body)

    assert response.status_code == 201, response.json
    assert response.json["status"] == "submitted"
    eligibility = response.json["eligibility"]
    assert eligibility["eligible"] is False
    assert [v["code"] for v in eligibility["violations"]] == [
        "education_insufficient",
        "qualification_pending",
        "special_check_pending",
        "party_membership_required",
        "deposit_unpaid",
    ]
    for violation in eligibility["violations"]:
        assert violation["message"]
        assert names_a_source(violation["legal_basis"])


def test_a_nomination_without_the_qualification_finding_is_taken_in_as_not_checked(
    client, world, member, new_party
):
    body = nomination_body(party_nomination(new_party()))
    del body["qualification_met"], body["qualification_note"]

    response = nominate(client, member, world.election_id, body)

    assert response.status_code == 201, response.json
    assert response.json["qualification_met"] is None
    assert [v["code"] for v in response.json["eligibility"]["violations"]] == [
        "qualification_pending"
    ]
    assert "art. 36-2" in response.json["eligibility"]["violations"][0]["legal_basis"]


def test_the_qualification_not_met_is_a_violation_with_the_note_kept(
    client, world, member, new_party
):
    body = nomination_body(
        party_nomination(new_party()),
        qualification_met=False,
        qualification_note="Diploma: general secondary only",
    )

    response = nominate(client, member, world.election_id, body)

    assert response.status_code == 201, response.json
    assert response.json["qualification_note"] == "Diploma: general secondary only"
    assert [v["code"] for v in response.json["eligibility"]["violations"]] == [
        "qualification_not_met"
    ]


def test_the_tax_certificate_and_the_signature_check_protocol_are_required(client, world, member):
    body = nomination_body(self_nomination(20, 1))
    del body["documents"]["tax_certificate"], body["documents"]["signature_check_protocol"]

    response = nominate(client, member, world.election_id, body)

    assert response.status_code == 201, response.json
    [violation] = response.json["eligibility"]["violations"]
    assert violation["code"] == "documents_missing"
    assert "tax authority's certificate" in violation["message"]
    assert "signature-check protocol" in violation["message"]


def test_nomination_writes_history_and_an_audit_event(app, client, world, member, new_party):
    response = nominate(
        client, member, world.election_id, nomination_body(party_nomination(new_party()))
    )
    assert response.status_code == 201

    shown = client.get(f"/api/v1/candidates/{response.json['id']}", headers=member).json
    assert [event["status"] for event in shown["history"]] == ["submitted"]
    assert shown["history"][0]["actor"] == world.usernames["territorial_member"]
    with app.app_context():
        events = db.session.query(AuditEvent).filter_by(action="candidate.nominated").all()
        assert [event.entity_id for event in events] == [str(response.json["id"])]
        assert audit.verify().ok


# --- input errors (422) ----------------------------------------------------------------------


def test_invalid_iin_is_422_on_field_iin(client, world, member, new_party):
    body = nomination_body(party_nomination(new_party()))
    body["iin"] = body["iin"][:11] + str((int(body["iin"][11]) + 1) % 10)  # wrong check digit

    response = nominate(client, member, world.election_id, body)

    assert response.status_code == 422
    assert error_fields(response) == {"iin": "invalid"}
    assert "check digit" in response.json["errors"][0]["message"]


def test_iin_that_is_not_twelve_digits_is_422_on_field_iin(client, world, member, new_party):
    body = nomination_body(party_nomination(new_party()), iin="12345")

    response = nominate(client, member, world.election_id, body)

    assert response.status_code == 422
    assert "iin" in error_fields(response)


def test_birth_date_disagreeing_with_the_iin_is_422_on_field_birth_date(
    client, world, member, new_party
):
    body = nomination_body(party_nomination(new_party()), birth_date="1990-05-05")

    response = nominate(client, member, world.election_id, body)

    assert response.status_code == 422
    assert error_fields(response) == {"birth_date": "invalid"}


def test_unknown_education_level_is_422_on_field_education(client, world, member, new_party):
    body = nomination_body(party_nomination(new_party()), education="doctorate_of_magic")

    response = nominate(client, member, world.election_id, body)

    assert response.status_code == 422
    assert "education" in error_fields(response)


def test_missing_field_is_422_naming_the_field(client, world, member, new_party):
    body = nomination_body(party_nomination(new_party()))
    del body["last_name"]

    response = nominate(client, member, world.election_id, body)

    assert response.status_code == 422
    assert error_fields(response) == {"last_name": "invalid"}


def test_missing_nested_document_flag_is_422_naming_the_path(client, world, member, new_party):
    body = nomination_body(party_nomination(new_party()))
    del body["documents"]["biography"]

    response = nominate(client, member, world.election_id, body)

    assert response.status_code == 422
    assert "documents.biography" in error_fields(response)


def test_party_nomination_without_party_member_is_422(client, world, member, new_party):
    body = nomination_body({"type": "party", "party_id": new_party()})

    response = nominate(client, member, world.election_id, body)

    assert response.status_code == 422
    assert "nomination.party_member" in error_fields(response)


def test_party_nomination_of_an_unknown_party_is_422(client, world, member):
    body = nomination_body(party_nomination(999_999))

    response = nominate(client, member, world.election_id, body)

    assert response.status_code == 422
    assert error_fields(response) == {"nomination.party_id": "not_found"}


def test_nothing_is_saved_after_a_422(app, client, world, member, new_party):
    body = nomination_body(party_nomination(new_party()), education="unknown")
    nominate(client, member, world.election_id, body)

    with app.app_context():
        assert db.session.query(Candidate).filter_by(iin=body["iin"]).count() == 0


def test_body_that_is_not_a_json_object_is_400(client, world, member):
    response = client.post(
        f"/api/v1/elections/{world.election_id}/candidates",
        data="[1, 2",
        headers={**member, "Content-Type": "application/json"},
    )

    assert response.status_code == 400
    assert codes(response) == ["bad_request"]


def test_nomination_to_an_unknown_election_is_404(client, world, member, new_party):
    response = nominate(client, member, 999_999, nomination_body(party_nomination(new_party())))

    assert response.status_code == 404


# --- conflicts (409) ---------------------------------------------------------------------------


def test_second_nominee_of_one_party_is_409_party_already_nominated(
    client, world, member, new_party
):
    party_id = new_party()
    first = nominate(client, member, world.election_id, nomination_body(party_nomination(party_id)))
    assert first.status_code == 201

    second = nominate(
        client, member, world.election_id, nomination_body(party_nomination(party_id))
    )

    assert second.status_code == 409
    assert codes(second) == ["party_already_nominated"]


def test_refused_nominee_does_not_block_a_new_nominee_of_the_same_party(
    client, world, member, new_party, add_candidate
):
    party_id = new_party()
    add_candidate(world.election_id, party_id=party_id, status="refused")

    response = nominate(
        client, member, world.election_id, nomination_body(party_nomination(party_id))
    )

    assert response.status_code == 201, response.json


def test_withdrawn_nominee_does_not_block_a_new_nominee_of_the_same_party(
    client, world, member, new_party, add_candidate
):
    party_id = new_party()
    add_candidate(world.election_id, party_id=party_id, status="withdrawn")

    response = nominate(
        client, member, world.election_id, nomination_body(party_nomination(party_id))
    )

    assert response.status_code == 201, response.json


def test_same_person_twice_in_one_election_is_409(client, world, member):
    body = nomination_body(self_nomination(20, 1))
    assert nominate(client, member, world.election_id, body).status_code == 201

    again = nominate(client, member, world.election_id, body)

    assert again.status_code == 409
    assert codes(again) == ["already_nominated"]


def test_person_standing_in_another_open_election_is_409_already_candidate_elsewhere(
    client, world, member, token_for
):
    body = nomination_body(self_nomination(20, 1))
    other = token_for(world.users["other_member"])
    assert nominate(client, other, world.other_election_id, body).status_code == 201

    response = nominate(client, member, world.election_id, body)

    assert response.status_code == 409
    assert codes(response) == ["already_candidate_elsewhere"]


def test_registered_candidate_elsewhere_also_blocks(client, world, member, add_candidate):
    standing = add_candidate(world.other_election_id, status="registered")
    body = nomination_body(self_nomination(20, 1), iin=standing.iin)
    with_birth_date_of(body, standing.iin)

    response = nominate(client, member, world.election_id, body)

    assert response.status_code == 409
    assert codes(response) == ["already_candidate_elsewhere"]


def test_candidacy_in_an_election_that_is_over_does_not_block(
    app, client, world, member, add_candidate
):
    past = add_candidate(world.other_election_id, status="registered")
    with app.app_context():
        db.session.get(Election, world.other_election_id).state = "certified"
        db.session.commit()
    body = nomination_body(self_nomination(20, 1), iin=past.iin)
    with_birth_date_of(body, past.iin)

    response = nominate(client, member, world.election_id, body)

    assert response.status_code == 201, response.json


def test_refused_candidacy_elsewhere_does_not_block(client, world, member, add_candidate):
    refused = add_candidate(world.other_election_id, status="refused")
    body = nomination_body(self_nomination(20, 1), iin=refused.iin)
    with_birth_date_of(body, refused.iin)

    response = nominate(client, member, world.election_id, body)

    assert response.status_code == 201, response.json


def with_birth_date_of(body: dict, iin: str) -> None:
    body["birth_date"] = parse_iin(iin).birth_date.isoformat()


# --- self-nominees: signatures and settlements of the territory ------------------------------


def violation_codes(response) -> list[str]:
    return [v["code"] for v in response.json["eligibility"]["violations"]]


def test_self_nominee_needs_one_percent_of_the_elections_precinct_voters(client, world, member):
    # 1200 + 800 voters on the election's precincts (the other election's 1000 do not count).
    enough = nominate(client, member, world.election_id, nomination_body(self_nomination(20, 1)))
    short = nominate(client, member, world.election_id, nomination_body(self_nomination(19, 1)))

    assert enough.status_code == short.status_code == 201
    assert enough.json["eligibility"] == {"eligible": True, "violations": []}
    assert violation_codes(short) == ["signatures_insufficient"]
    message = short.json["eligibility"]["violations"][0]["message"]
    assert "Required: 20 (of 2000 voters); valid: 19." in message


def test_self_nominee_signature_threshold_follows_the_precincts(app, client, world, member):
    with app.app_context():
        election = db.session.get(Election, world.election_id)
        village = db.session.query(Unit).filter_by(kato=world.village_a).one()
        factories.PrecinctFactory(election=election, unit=village, voters_on_list=450)
        db.session.commit()

    # 2450 voters: 24.5 rounds up to 25.
    short = nominate(client, member, world.election_id, nomination_body(self_nomination(24, 1)))
    enough = nominate(client, member, world.election_id, nomination_body(self_nomination(25, 1)))

    assert violation_codes(short) == ["signatures_insufficient"]
    assert "Required: 25 (of 2450 voters)" in short.json["eligibility"]["violations"][0]["message"]
    assert enough.json["eligibility"]["eligible"] is True


def turn_on(app, election_id: int, rule: str) -> None:
    """The commission turns an unconfirmed rule of the election's profile on, confirmed."""
    with app.app_context():
        election = db.session.get(Election, election_id)
        snapshot = copy.deepcopy(election.profile_snapshot)
        snapshot["rules"][rule]["confirmed"] = True
        election.profile_snapshot = snapshot
        db.session.commit()


def test_settlements_are_no_ground_while_the_profile_leaves_them_unconfirmed(client, world, member):
    none = nominate(client, member, world.election_id, nomination_body(self_nomination(20, 0)))

    assert none.status_code == 201, none.json
    assert none.json["eligibility"] == {"eligible": True, "violations": []}


def test_self_nominee_needs_half_of_the_settlements_under_the_unit(app, client, world, member):
    turn_on(app, world.election_id, "signature_settlement_share")
    # Two villages under the rural district: half is one.
    none = nominate(client, member, world.election_id, nomination_body(self_nomination(20, 0)))
    one = nominate(client, member, world.election_id, nomination_body(self_nomination(20, 1)))

    assert violation_codes(none) == ["settlements_insufficient"]
    assert (
        "Required: 1 of 2 settlements; covered: 0."
        in (none.json["eligibility"]["violations"][0]["message"])
    )
    assert one.json["eligibility"]["eligible"] is True


def test_settlements_count_villages_settlements_and_towns_under_the_unit(
    app, client, world, member
):
    with app.app_context():
        rural = db.session.query(Unit).filter_by(kato=world.rural).one()
        factories.UnitFactory(kind="settlement", parent=rural)
        factories.UnitFactory(kind="city_district", parent=rural)
        db.session.commit()
    turn_on(app, world.election_id, "signature_settlement_share")

    # 2 villages + 1 settlement + 1 town of district significance = 4: half is 2.
    response = nominate(client, member, world.election_id, nomination_body(self_nomination(20, 1)))

    assert violation_codes(response) == ["settlements_insufficient"]
    assert (
        "Required: 2 of 4 settlements" in response.json["eligibility"]["violations"][0]["message"]
    )


def test_election_of_a_village_counts_the_village_as_its_one_settlement(app, client, world, member):
    with app.app_context():
        district = db.session.query(Unit).filter_by(kato=world.district).one()
        village = db.session.query(Unit).filter_by(kato=world.village_a).one()
        election = factories.ElectionFactory(unit=village, organiser=district)
        factories.PrecinctFactory(election=election, unit=village, voters_on_list=300)
        db.session.commit()
        election_id = election.id
    turn_on(app, election_id, "signature_settlement_share")

    none = nominate(client, member, election_id, nomination_body(self_nomination(3, 0)))
    one = nominate(client, member, election_id, nomination_body(self_nomination(3, 1)))

    assert none.status_code == 201, none.json
    assert violation_codes(none) == ["settlements_insufficient"]
    assert "Required: 1 of 1 settlements" in none.json["eligibility"]["violations"][0]["message"]
    assert one.json["eligibility"]["eligible"] is True


def test_self_nominee_is_not_asked_for_a_party_decision(client, world, member):
    body = nomination_body(self_nomination(20, 1))
    assert "party_decision" not in body["documents"]

    response = nominate(client, member, world.election_id, body)

    assert response.json["eligibility"]["eligible"] is True


def test_self_nomination_with_party_fields_is_422(client, world, member, new_party):
    nomination = {**self_nomination(20, 1), "party_id": new_party()}

    response = nominate(client, member, world.election_id, nomination_body(nomination))

    assert response.status_code == 422
    assert "nomination.party_id" in error_fields(response)


def test_eligibility_messages_follow_the_readers_language(client, world, member):
    body = nomination_body(self_nomination(19, 1))

    response = nominate(client, member, world.election_id, body, lang="ru")

    message = response.json["eligibility"]["violations"][0]["message"]
    assert "Требуется подписей: 20 (при 2000 избирателях)" in message
