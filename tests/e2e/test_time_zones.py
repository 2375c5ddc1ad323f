"""The CEC names a region's time zone, and a commission changes voting hours, in Kazakh on a
phone (issue 12; domain.md, "Time zones" and "Count and protocol").

The voting hours are changed on an election of its own (a new rural district of the Zerendi
district), and the region's zone is given back afterwards, so the demo elections keep theirs.
"""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect

from elections.core.clock import now, service_timezone
from elections.core.extensions import db
from elections.territory import services as territory
from elections.territory import zones
from tests.e2e.helpers import overflow, snap
from tests.e2e.test_role_homes import CHAIR, PHONE, sign_in_by_clicking

REGION = "110000000"  # Akmola region of the demo
KATO = "115692000"


def test_the_cec_admin_names_the_regions_zone_in_kazakh(pages, live_server):
    page = pages.open(**PHONE)
    sign_in_by_clicking(
        page,
        live_server.passwords["cec-admin"],
        "kk",
        username="cec-admin",
        home="/admin/elections",
    )
    try:
        page.goto("/admin/units")
        page.select_option("#zone-region", REGION)
        page.select_option("#zone-timezone", "Asia/Qostanay")
        page.locator("form[data-form=zone] button[type=submit]").click()
        page.wait_for_url(re.compile(r"/admin/units$"))
        expect(page.locator(f"[data-zone='{REGION}']")).to_contain_text("Asia/Qostanay")
        assert overflow(page, 390) is None
        snap(page, "time-zone-units-kk")
    finally:
        with live_server.app.app_context():
            zones.set_unit_timezone(territory.unit_by_kato(REGION), None, None)
            db.session.commit()


def test_the_chair_changes_the_voting_hours_in_kazakh(pages, live_server):
    app = live_server.app
    with app.app_context():
        today = now().astimezone(service_timezone()).date()
        territory.create_unit(
            {
                "kato": KATO,
                "parent_kato": "115600000",
                "kind": "rural_district",
                "name": {"kk": "Уақыт ауылдық округі", "ru": "Сельский округ Время"},
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
        election_id = election.id
    page = pages.open(**PHONE)
    sign_in_by_clicking(page, live_server.passwords[CHAIR], "kk")
    page.locator(f"article[data-election='{election_id}'] a[data-link=voting-hours]").click()
    page.wait_for_url(re.compile(rf"/commission/elections/{election_id}/voting-hours$"))
    page.fill("#starts", "09:00")
    page.fill("#ends", "08:00")
    page.fill("#reason", "Комиссияның № 5 шешімі")
    page.locator("form[data-form=voting-hours] button[type=submit]").click()
    expect(page.locator("#ends-error")).to_be_visible()
    assert overflow(page, 390) is None
    snap(page, "voting-hours-error-kk")
    page.fill("#ends", "21:00")
    page.locator("form[data-form=voting-hours] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/commission/$"))
    page.goto(f"/commission/elections/{election_id}/voting-hours")
    expect(page.locator("[data-counting-opens]")).to_contain_text("21:00")
    assert overflow(page, 390) is None
    snap(page, "voting-hours-kk")
