"""The chair of the Zerendi district commission declares an election invalid by clicking only,
on a phone in Kazakh: from the commission's home to the election's result dashboard, the form
(first sent empty: each field says what is missing), then the headline "declared invalid"
with its grounds and the repeat election offered.

The election is one of this test's own in the Zerendi district (art. 113-9), so the shared
demo elections stay as the other browser tests expect them.
"""

from __future__ import annotations

from datetime import date, timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from elections.core.extensions import db
from elections.rules import default_profile_key, load_profile
from elections.territory.models import Election, Precinct, Unit
from tests.e2e.helpers import RURAL_KATO, overflow, snap
from tests.e2e.test_role_homes import PHONE, sign_in_by_clicking

GROUNDS = "№ 801 учаскеде бюллетень жәшігінің мөрі санау алдында бұзылған"


def election_of_its_own(app) -> int:
    """A rural election of a new rural district under the demo's Zerendi district, counted."""
    with app.app_context():
        demo = db.session.execute(
            select(Election).join(Unit, Election.unit_id == Unit.id).where(Unit.kato == RURAL_KATO)
        ).scalar_one()
        district = demo.organiser
        unit = Unit(
            kato="115699000",
            parent=district,
            kind="rural_district",
            name_kk="Сынақ ауылдық округі",
            name_ru="Тестовый сельский округ",
        )
        # Its polls closed yesterday: an election is declared invalid only once counted.
        election_day = date.today() - timedelta(days=1)
        called_on = election_day - timedelta(days=45)
        profile = load_profile(default_profile_key("rural", called_on))
        election = Election(
            unit=unit,
            organiser=district,
            kind="rural",
            called_on=called_on,
            election_day=election_day,
            profile_key=profile.key,
            profile_snapshot=profile.data,
            state="open",
            timezone=demo.timezone,
        )
        db.session.add_all([unit, election])
        db.session.flush()
        db.session.add(
            Precinct(
                election_id=election.id,
                number=801,
                unit_id=unit.id,
                voters_on_list=900,
                address="Мектеп көшесі, 1",
            )
        )
        db.session.commit()
        return election.id


def test_the_chair_declares_an_election_invalid_at_390px_in_kazakh(pages, live_server):
    election_id = election_of_its_own(live_server.app)
    page = pages.open(**PHONE)
    sign_in_by_clicking(page, live_server.passwords["zerendi-chair"], "kk")

    card = page.locator(f'article[data-election="{election_id}"]')
    card.locator(f'a[href$="/commission/elections/{election_id}/results"]').click()
    page.wait_for_url(f"**/commission/elections/{election_id}/results")
    expect(page.locator("html")).to_have_attribute("lang", "kk")
    form = page.locator("section.invalidate form")
    expect(form).to_be_visible()
    assert overflow(page, 390) is None

    form.locator("button[type=submit]").click()  # empty: both fields say what is missing
    page.wait_for_load_state("load")
    expect(page.locator("#invalid-grounds-error")).to_be_visible()
    expect(page.locator("#invalid-confirm-error")).to_be_visible()
    assert overflow(page, 390) is None
    snap(page, "invalidate-errors-kk-390")

    page.fill("#invalid-grounds", GROUNDS)
    page.check("#invalid-confirm")
    page.locator("section.invalidate button[type=submit]").click()
    page.wait_for_url(f"**/commission/elections/{election_id}/results")
    expect(page.locator(".flash")).to_be_visible()
    headline = page.locator('.headline[data-outcome="invalid"]')
    expect(headline).to_contain_text(GROUNDS)
    expect(page.locator("section.invalidate")).to_have_count(0)
    expect(page.locator("section.repeat form")).to_be_visible()
    assert overflow(page, 390) is None
    snap(page, "invalidate-done-kk-390")

    page.goto(f"/results/{election_id}")
    expect(page.locator('.headline[data-outcome="invalid"]')).to_contain_text(GROUNDS)
    expect(page.locator('#decisions li[data-decision="invalidated"]')).to_have_count(1)
    assert page.locator("[data-winner-id]").count() == 0
    assert overflow(page, 390) is None
    snap(page, "invalidate-public-kk-390")
