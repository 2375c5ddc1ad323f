"""POST /candidates/{id}/signatures: each signature checked against the voter lists (issue 15).

domain.md, "Candidates": a self-nominee needs the signatures of at least 1% of the voters of
the territory; the territorial commission checks the sheets and records the check in the
signature-check protocol, one of the self-nominee's registration documents.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from elections.candidates.models import Candidate
from elections.core.audit import AuditEvent
from elections.core.extensions import db
from elections.territory.models import Election
from tests.factories import CandidateFactory
from tests.voters.support import put_list, self_nominee, voter


def today():
    """Today where the commission sits: the day a nomination made now is dated."""
    return datetime.now(ZoneInfo("Asia/Almaty")).date()


SHEET = ("sheet", "line", "iin", "last_name", "first_name", "patronymic", "signed_on")


def signer(row: dict, sheet=1, line=1, **cells) -> dict:
    return {
        "sheet": sheet,
        "line": line,
        "iin": row["iin"],
        "last_name": row["last_name"],
        "first_name": row["first_name"],
        "patronymic": row["patronymic"],
        "signed_on": today().isoformat(),
        **cells,
    }


def sheets_csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=SHEET, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def post_sheets(client, headers, candidate_id, rows):
    return client.post(
        f"/api/v1/candidates/{candidate_id}/signatures",
        data=sheets_csv(rows),
        headers={**headers, "Content-Type": "text/csv"},
    )


def _candidate(app, candidate_id) -> Candidate:
    with app.app_context():
        found = db.session.get(Candidate, candidate_id)
        db.session.expunge(found)
        return found


def test_each_verdict_is_named_and_the_candidate_figures_follow_the_check(
    app, client, world, member, candidate, token_for
):
    on_a, on_b, also_a, misspelt = voter(), voter(), voter(), voter(last_name="Фёдорова")
    put_list(client, member, world.election_id, world.precinct_a, [on_a, also_a, misspelt])
    put_list(client, member, world.election_id, world.precinct_b, [on_b])
    neighbour = voter()
    other = token_for(world.users["other_member"])
    put_list(client, other, world.other_election_id, world.other_precinct, [neighbour])
    before = (today() - timedelta(days=1)).isoformat()
    rows = [
        signer(on_a, line=1),
        signer(on_b, line=2, last_name="  сәрсенова "),  # case and spaces: the same name
        signer(misspelt, line=3, last_name="Федорова"),  # Ё/Е: the same name
        signer(also_a, line=4, last_name="Сарсенова"),
        signer(on_a, line=5),
        signer(voter(), line=6),
        signer(neighbour, line=7),
        signer(on_b, sheet=2, line=1, iin="123456789012"),
        signer(voter(), sheet=2, line=2, signed_on=before),
    ]
    response = post_sheets(client, member, candidate, rows)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    verdicts = {(r["sheet"], r["line"]): r["verdict"] for r in body["rows"]}
    assert verdicts == {
        (1, 1): "valid",
        (1, 2): "valid",
        (1, 3): "valid",
        (1, 4): "name_mismatch",
        (1, 5): "duplicate_signature",
        (1, 6): "not_on_voter_list",
        (1, 7): "outside_territory",
        (2, 1): "iin_invalid",
        (2, 2): "signed_before_nomination",
    }
    assert body["valid"] == 3
    assert body["settlements_covered"] == 2, "village A and village B"
    assert body["refused"] == {
        "iin_invalid": 1,
        "signed_before_nomination": 1,
        "duplicate_signature": 1,
        "outside_territory": 1,
        "not_on_voter_list": 1,
        "name_mismatch": 1,
    }
    found = _candidate(app, candidate)
    assert (found.signatures_valid, found.settlements_covered) == (3, 2)
    assert found.signatures_source == "sheets"
    assert found.documents["signature_check_protocol"] is True


def test_required_is_one_percent_of_the_territorys_voters(client, world, member, candidate):
    """rural-2023, "self-nominee signatures, share of voters": 1% of 1,200 + 800 voters."""
    body = post_sheets(client, member, candidate, [signer(voter())]).get_json()
    assert body["required"] == 20


def test_without_lists_no_signer_is_not_on_them(client, world, member, candidate):
    response = post_sheets(client, member, candidate, [signer(voter())])
    body = response.get_json()
    assert body["lists_loaded"] is False
    assert [r["verdict"] for r in body["rows"]] == ["valid"]


def test_a_new_upload_replaces_the_check_and_is_audited(app, client, world, member, candidate):
    row = voter()
    put_list(client, member, world.election_id, world.precinct_a, [row])
    post_sheets(client, member, candidate, [signer(voter())])
    again = post_sheets(client, member, candidate, [signer(row)]).get_json()
    assert again["valid"] == 1 and again["refused"] == {}
    shown = client.get(f"/api/v1/candidates/{candidate}/signatures", headers=member).get_json()
    assert shown["rows"] == [{"sheet": 1, "line": 1, "verdict": "valid"}]
    with app.app_context():
        payloads = (
            db.session.execute(
                select(AuditEvent.payload).where(
                    AuditEvent.action == "candidate.signatures_checked"
                )
            )
            .scalars()
            .all()
        )
    assert [json.loads(p)["refused"] for p in payloads] == [{"not_on_voter_list": 1}, {}]
    assert all(row["iin"] not in p for p in payloads)


def test_typed_figures_no_longer_change_once_the_sheets_were_checked(
    client, world, member, candidate
):
    post_sheets(client, member, candidate, [signer(voter())])
    response = client.patch(
        f"/api/v1/candidates/{candidate}",
        json={"nomination": {"type": "self", "signatures_valid": 500}},
        headers=member,
    )
    assert response.status_code == 409
    assert response.get_json()["errors"][0]["code"] == "signatures_checked"


def test_only_a_self_nominee_awaiting_the_decision_hands_in_sheets(
    app, client, world, member, candidate
):
    with app.app_context():
        election = db.session.get(Election, world.election_id)
        party = CandidateFactory(election=election)
        registered = CandidateFactory(election=election, self_nominated=True, status="registered")
        db.session.commit()
        ids = party.id, registered.id
    codes = [
        post_sheets(client, member, cid, [signer(voter())]).get_json()["errors"][0]["code"]
        for cid in ids
    ]
    assert codes == ["not_self_nominated", "decision_taken"]


def test_a_row_without_sheet_and_line_numbers_refuses_the_upload(client, member, candidate):
    response = post_sheets(client, member, candidate, [signer(voter(), sheet="first")])
    assert response.status_code == 422


def test_who_may_check_sheets(client, world, candidate, token_for):
    rows = [signer(voter())]
    assert post_sheets(client, {}, candidate, rows).status_code == 401
    secretary = token_for(world.users["precinct_secretary"])
    assert post_sheets(client, secretary, candidate, rows).status_code == 403
    outsider = token_for(world.users["other_member"])
    assert post_sheets(client, outsider, candidate, rows).status_code == 404


def test_one_candidate_per_signer_is_off_by_default(client, world, member, candidate, app):
    """domain.md: whether one voter may sign for two candidates is unconfirmed; off by
    default, a signature for a second candidate counts."""
    row = voter()
    put_list(client, member, world.election_id, world.precinct_a, [row])
    post_sheets(client, member, candidate, [signer(row)])
    second = post_sheets(client, member, self_nominee(app, world.election_id), [signer(row)])
    assert [r["verdict"] for r in second.get_json()["rows"]] == ["valid"]


def test_once_turned_on_a_second_candidates_signature_is_reported(
    client, world, member, candidate, app, token_for
):
    row = voter()
    put_list(client, member, world.election_id, world.precinct_a, [row])
    chair = token_for(world.users["territorial_chair"])
    basis = {"kk": "ОСК шешімі", "ru": "Постановление ЦИК", "en": "CEC resolution"}
    turned = client.post(
        f"/api/v1/elections/{world.election_id}/rules/one_candidate_per_signer",
        json={"enabled": True, "basis": basis, "reason": "The CEC confirmed it"},
        headers=chair,
    )
    assert turned.status_code == 200, turned.get_json()
    post_sheets(client, member, candidate, [signer(row)])
    second = post_sheets(client, member, self_nominee(app, world.election_id), [signer(row)])
    body = second.get_json()
    assert [r["verdict"] for r in body["rows"]] == ["signed_for_another_candidate"]
    assert body["valid"] == 0
