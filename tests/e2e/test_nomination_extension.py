"""The chair extends nomination by clicking from the commission's home, in Kazakh on a phone.

An election of its own (a new rural district of the Zerendi district, called five days
ago, no candidates), so that the shared demo elections keep their calendars.
"""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect

from elections.core.clock import now, service_timezone
from elections.core.extensions import db
from elections.territory import services as territory
from elections.territory.models import Election
from tests.e2e.helpers import overflow, snap
from tests.e2e.test_role_homes import CHAIR, PHONE, sign_in_by_clicking

KATO = "115691000"
NAME_KK = "Сынақ ауылдық округі"


def quiet_election(app) -> int:
    with app.app_context():
        today = now().astimezone(service_timezone()).date()
        territory.create_unit(
            {
                "kato": KATO,
                "parent_kato": "115600000",
                "kind": "rural_district",
                "name": {"kk": NAME_KK, "ru": "Тестовый сельский округ"},
            },
            None,
        )
        election = territory.call_election(
            {
                "unit_kato": KATO,
                "kind": "rural",
                "called_on": today - timedelta(days=5),
                "election_day": today + timedelta(days=41),
            },
            None,
        )
        db.session.commit()
        return election.id


def test_the_chair_clicks_to_the_extension_and_submits_it_in_kazakh(pages, live_server):
    election_id = quiet_election(live_server.app)
    page = pages.open(**PHONE)
    sign_in_by_clicking(page, live_server.passwords[CHAIR], "kk")

    offer = page.locator(f"[data-awaits=extension] [data-election='{election_id}']")
    expect(offer).to_contain_text(NAME_KK)
    assert overflow(page, 390) is None
    snap(page, "extension-commission-kk")
    offer.locator("a[data-action=extend-nomination]").click()
    page.wait_for_url(re.compile(rf"/commission/elections/{election_id}/extend-nomination$"))
    expect(page.locator("[data-days-left]")).to_have_text("3")

    page.fill("#days", "5")  # more than remain: refused beside the field, in Kazakh
    page.fill("#reason", "Бір ғана кандидат ұсынылды")
    page.locator("form[data-form=extend-nomination] button[type=submit]").click()
    expect(page.locator("#days-error")).to_contain_text("1-ден 3-ге дейінгі")
    assert overflow(page, 390) is None
    snap(page, "extension-form-error-kk")

    page.fill("#days", "2")
    page.locator("form[data-form=extend-nomination] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/commission/$"))
    card = page.locator(f"article[data-election='{election_id}'] [data-nomination-closes]")
    expect(card).to_contain_text("2 күнге ұзартылды: Бір ғана кандидат ұсынылды")
    expect(
        page.locator(f"[data-awaits=extension] [data-election='{election_id}']")
    ).to_contain_text("1")
    assert overflow(page, 390) is None
    snap(page, "extension-done-kk")
    with live_server.app.app_context():
        assert db.session.get(Election, election_id).nomination_extension_days == 2
