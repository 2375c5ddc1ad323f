"""Observers and the signed paper, in Chromium, clicked as a user would.

- An observer accredited to the Қарсақ precinct signs in on a phone (390 px, in Kazakh, the
  default), lands on their precincts, opens the copy form and enters the figures of the copy
  they received, one line 10 votes off the official protocol, with a photo of it: the page
  names the line, with both figures, and the public results page shows it.
- The chair of the Zerendi district commission, at 1280 px in Russian, goes from the
  commission's desk to the result of that election, acknowledges every open difference and
  certifies: the certified version records them, and the public page shows each as
  acknowledged.

The election is this module's own (a village election of Zerendi held yesterday, one
precinct, its protocol entered), so the demo's elections stay as the other tests expect.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from elections.ballots.services import ballot_candidates, save_protocol
from elections.core.clock import now
from elections.core.extensions import db
from elections.observers import accreditation, copies
from elections.results.models import ResultVersion
from elections.territory import services as territory
from elections.territory.models import Election
from tests.e2e.helpers import overflow, snap, switch_language
from tests.factories import CandidateFactory, fresh_iin, jpeg_with_gps

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
CHAIR = "zerendi-chair"
OBSERVER, SECOND_OBSERVER = "observer-karsak", "observer-karsak-2"
PASSWORD = "karsak-observer-password"
OFFICIAL = {
    "voters_on_list": 700,
    "ballots_received": 700,
    "ballots_issued": 520,
    "ballots_cancelled": 180,
    "ballots_in_boxes": 520,
    "invalid_ballots": 8,
    "against_all": 12,
}
VOTES = (300, 200)


@dataclass(frozen=True)
class Karsak:
    election_id: int
    precinct_id: int
    candidate_ids: tuple[int, ...]


@pytest.fixture(scope="module")
def karsak(live_server) -> Karsak:
    app = live_server.app
    with app.app_context():
        entered_by = SimpleNamespace(username="e2e", id=None)
        today = now().date()
        election = territory.call_election(
            {
                "unit_kato": "115633300",
                "kind": "rural",
                "called_on": today - timedelta(days=61),
                "election_day": today - timedelta(days=1),
            },
            None,
        )
        precinct = territory.add_precinct(
            election,
            {"number": 411, "unit_kato": "115633300", "voters_on_list": 700,
             "address": "Қарсақ ауылы, Мектеп көшесі 5"},
            None,
        )  # fmt: skip
        for last_name in ("Оспанов", "Ахметова"):
            CandidateFactory(election=election, status="registered", last_name=last_name)
        db.session.flush()
        ordered = [c.id for c in ballot_candidates(election)]
        votes = dict(zip(map(str, ordered), VOTES, strict=True))
        save_protocol(precinct, {**OFFICIAL, "votes": votes, "expected_version": 0}, entered_by)
        for username in (OBSERVER, SECOND_OBSERVER):
            iin, _born = fresh_iin("female")
            accredited = accreditation.accredit(
                election,
                {
                    "name": f"Байқаушы {username[-1]}",
                    "iin": iin,
                    "sent_by": {"type": "association", "name": "Адал сайлау"},
                    "precinct_ids": [precinct.id],
                },
                entered_by,
            )
            user = accreditation.create_account(username, PASSWORD, accredited.id)
            if username == SECOND_OBSERVER:  # against all reads 3 more on this copy
                copy = {**OFFICIAL, "against_all": 15, "votes": votes}
                copies.enter_copy(precinct, copy, accredited, user)
            live_server.passwords[username] = PASSWORD
        db.session.commit()
        return Karsak(election.id, precinct.id, tuple(ordered))


def test_an_observer_enters_a_differing_copy_on_a_phone(signed_in, karsak, live_server, tmp_path):
    page = signed_in(OBSERVER, **PHONE)
    expect(page).to_have_url(f"{live_server.url}/observer")
    assert overflow(page, 390) is None
    page.locator(f"main a[href='/observer/precincts/{karsak.precinct_id}/copy']").click()
    page.wait_for_url(f"**/observer/precincts/{karsak.precinct_id}/copy")
    for name, value in OFFICIAL.items():
        page.fill(f"#{name}", str(value))
    first, second = karsak.candidate_ids
    page.fill(f"#votes-{first}", str(VOTES[0]))
    page.fill(f"#votes-{second}", str(VOTES[1] + 10))  # the copy reads 10 more
    photo = tmp_path / "copy.jpg"
    photo.write_bytes(jpeg_with_gps())
    page.set_input_files("#photo", str(photo))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**/observer/precincts/{karsak.precinct_id}/copy")
    named = page.locator(f"[data-differences] li[data-line='votes.{second}']")
    expect(named).to_contain_text(str(VOTES[1]))
    expect(named).to_contain_text(str(VOTES[1] + 10))
    assert overflow(page, 390) is None
    snap(page, "observer-copy-differs-kk-390")
    page.locator("main a[href='/observer']").first.click()
    expect(page.locator("li[data-precinct-number='411']")).to_have_attribute(
        "data-differences", "1"
    )
    public = page.context.new_page()
    public.goto(f"/results/{karsak.election_id}")
    expect(public.locator("tr[data-difference][data-open='yes']")).to_have_count(2)
    assert overflow(public, 390) is None
    snap(public, "results-with-differences-kk-390")


def test_the_chair_certifies_over_acknowledged_differences(signed_in, karsak, live_server):
    page = signed_in(CHAIR, **DESKTOP)
    switch_language(page, "ru")
    page.locator(f"main a[href='/commission/elections/{karsak.election_id}/results']").first.click()
    expect(page.locator("#open-differences")).to_be_visible()
    boxes = page.locator("[data-acknowledge] input[type=checkbox]")
    assert boxes.count() >= 1
    page.locator("#certify-confirm").check()
    page.locator("button[value=certify]").click()
    # Not acknowledged: refused, every open difference offered again.
    expect(page.locator(".errors")).to_be_visible()
    for index in range(page.locator("[data-acknowledge] input[type=checkbox]").count()):
        page.locator("[data-acknowledge] input[type=checkbox]").nth(index).check()
    page.locator("#certify-confirm").check()
    page.locator("button[value=certify]").click()
    page.wait_for_url(f"**/commission/elections/{karsak.election_id}/results")
    expect(page.locator("#open-differences")).to_have_count(0)
    snap(page, "chair-certified-over-differences-ru-1280")
    with live_server.app.app_context():
        version = db.session.execute(
            select(ResultVersion).where(ResultVersion.election_id == karsak.election_id)
        ).scalar_one()
        assert version.differences and {d["answer"] for d in version.differences} == {
            "acknowledged"
        }
        assert db.session.get(Election, karsak.election_id).state in (
            "certified",
            "repeat_required",
        )
    page.goto(f"/results/{karsak.election_id}")
    rows = page.locator("tr[data-difference]")
    assert rows.count() == len(version.differences)
    snap(page, "results-certified-over-differences-ru-1280")
