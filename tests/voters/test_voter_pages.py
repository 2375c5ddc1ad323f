"""The pages of voter lists, signature checks and "where do I vote", reached by clicking."""

from __future__ import annotations

import io
import re

from sqlalchemy import select

from elections.core.audit import AuditEvent
from elections.core.extensions import db
from elections.territory.models import Election
from tests.voters.support import as_csv, put_list, voter
from tests.voters.test_signature_sheets import sheets_csv, signer


def _upload(client, url, content: bytes, name="list.csv", **fields):
    data = {"file": (io.BytesIO(content), name), **fields}
    return client.post(url, data=data, content_type="multipart/form-data")


def test_the_commission_reaches_a_precincts_list_from_its_protocols_page(login, world):
    client = login(world.users["territorial_member"])
    progress = client.get(f"/commission/elections/{world.election_id}/protocols")
    link = f"/commission/precincts/{world.precinct_a}/voters"
    assert link in progress.get_data(as_text=True)
    page = client.get(link)
    assert page.status_code == 200
    assert 'data-list="none"' in page.get_data(as_text=True)


def test_a_flawed_list_uploaded_through_the_page_names_every_refused_row(app, login, world):
    client = login(world.users["territorial_member"])
    url = f"/commission/precincts/{world.precinct_a}/voters"
    good = voter()
    response = _upload(client, url, as_csv([good, voter(iin="900101300018"), dict(good)]))
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert re.findall(r'data-line="(\d+)" data-code="(\w+)"', text) == [
        ("3", "iin_invalid"),
        ("4", "duplicate_in_list"),
    ]
    assert 'data-list="none"' in text, "nothing loaded"
    loaded = _upload(client, url, as_csv([good, voter(iin="900101300018")]), accept_valid="y")
    assert loaded.status_code == 200
    assert 'data-voters="1"' in loaded.get_data(as_text=True)


def test_voters_are_added_and_removed_through_the_page(login, world):
    client = login(world.users["territorial_member"])
    url = f"/commission/precincts/{world.precinct_a}/voters"
    first = voter()
    assert _upload(client, url, as_csv([first])).status_code == 303
    added = voter()
    form = {f"add-{k}": v for k, v in added.items()} | {"add-reason": "moved_in"}
    assert client.post(f"{url}/additions", data=form).status_code == 303
    refused = client.post(
        f"{url}/removals", data={"remove-iin": voter()["iin"], "remove-reason": "moved"}
    )
    assert refused.status_code == 422
    removed = client.post(
        f"{url}/removals", data={"remove-iin": first["iin"], "remove-reason": "deceased"}
    )
    assert removed.status_code == 303
    assert 'data-voters="1"' in client.get(url).get_data(as_text=True)


def test_the_secretary_prints_the_list_and_the_read_is_audited(app, client, login, world, member):
    put_list(client, member, world.election_id, world.precinct_a, [voter(), voter()])
    secretary = login(world.users["precinct_secretary"])
    home = secretary.get("/precinct").get_data(as_text=True)
    assert f"/precincts/{world.precinct_a}/voters.pdf" in home
    pdf = secretary.get(f"/precincts/{world.precinct_a}/voters.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert pdf.headers["Cache-Control"] == "private, no-store"
    assert secretary.get(f"/precincts/{world.precinct_b}/voters.pdf").status_code == 404
    with app.app_context():
        reads = (
            db.session.execute(
                select(AuditEvent.payload).where(AuditEvent.action == "voter_list.read")
            )
            .scalars()
            .all()
        )
    assert len(reads) == 1 and '"as":"pdf"' in reads[0]


def test_the_protocol_form_takes_line_1_from_the_list_and_warns_when_it_differs(
    client, login, world, member
):
    put_list(client, member, world.election_id, world.precinct_a, [voter(), voter(), voter()])
    secretary = login(world.users["precinct_secretary"])
    form = secretary.get(f"/precincts/{world.precinct_a}/protocol").get_data(as_text=True)
    assert re.search(r'name="voters_on_list"[^>]*value="3"', form)
    assert 'data-list-count="3"' in form and "data-list-differs" not in form
    typed = secretary.post(
        f"/precincts/{world.precinct_a}/protocol",
        data={"voters_on_list": "5", "expected_version": "0", "idempotency_key": ""},
    ).get_data(as_text=True)
    assert "data-list-differs" in typed


def test_a_flawed_sheet_checked_through_the_page_shows_counts_and_rows(
    client, login, world, member, candidate
):
    listed = voter()
    put_list(client, member, world.election_id, world.precinct_a, [listed])
    commission = login(world.users["territorial_member"])
    detail = commission.get(f"/commission/candidates/{candidate}").get_data(as_text=True)
    url = f"/commission/candidates/{candidate}/signatures"
    assert url in detail
    rows = [signer(listed, line=1), signer(listed, line=2), signer(voter(), line=3)]
    assert _upload(commission, url, sheets_csv(rows), name="sheets.csv").status_code == 303
    page = commission.get(url).get_data(as_text=True)
    assert 'data-valid="1"' in page
    assert re.findall(r'data-verdict="(\w+)" data-count="(\d+)"', page) == [
        ("valid", "1"),
        ("duplicate_signature", "1"),
        ("not_on_voter_list", "1"),
    ]
    behind = commission.get(f"{url}?verdict=duplicate_signature").get_data(as_text=True)
    assert re.findall(r'data-sheet="(\d+)" data-line="(\d+)"', behind) == [("1", "2")]
    protocol = commission.get(f"/commission/candidates/{candidate}/signature-check.pdf")
    assert protocol.status_code == 200 and protocol.data.startswith(b"%PDF")


def test_where_do_i_vote_answers_from_the_home_page_without_the_iin_in_an_address(
    client, world, member
):
    row = voter()
    put_list(client, member, world.election_id, world.precinct_a, [row])
    home = client.get("/").get_data(as_text=True)
    assert "/where-to-vote" in home
    found = client.post("/where-to-vote", data={"iin": row["iin"]})
    assert found.status_code == 200
    assert found.headers["Cache-Control"] == "no-store"
    assert 'data-places="1"' in found.get_data(as_text=True)
    assert row["iin"] not in found.get_data(as_text=True).split('name="iin"')[0]
    missed = client.post("/where-to-vote", data={"iin": voter()["iin"]})
    assert missed.status_code == 404
    typo = client.post("/where-to-vote", data={"iin": "900101300018"})
    assert typo.status_code == 422 and "field-error" in typo.get_data(as_text=True)


def test_a_settled_elections_list_page_offers_no_change(app, login, world):
    with app.app_context():
        db.session.get(Election, world.election_id).state = "certified"
        db.session.commit()
    client = login(world.users["territorial_member"])
    page = client.get(f"/commission/precincts/{world.precinct_a}/voters").get_data(as_text=True)
    assert 'data-lists="closed"' in page
    assert 'enctype="multipart/form-data"' not in page and "/voters/additions" not in page
