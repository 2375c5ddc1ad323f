"""The audit trail's head on the public results pages, in Kazakh on a 390 px phone: the line
names the newest event and the start of its hash, links to the JSON, and fits the screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from elections.core.audit import AuditEvent
from elections.core.extensions import db
from elections.territory.models import Election, Unit
from tests.e2e.helpers import overflow, snap

CERTIFIED_KATO = "115645000"  # the demo's past rural election, counted and certified
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def newest_event(app) -> tuple[int, str]:
    with app.app_context():
        event = db.session.execute(
            select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)
        ).scalar_one()
        return event.seq, event.hash


@pytest.mark.parametrize("which", ["index", "election"])
def test_the_results_pages_show_the_audit_head_in_kazakh_on_a_phone(pages, live_server, which):
    with live_server.app.app_context():
        election_id = db.session.execute(
            select(Election.id)
            .join(Unit, Election.unit_id == Unit.id)
            .where(Unit.kato == CERTIFIED_KATO)
        ).scalar_one()
    path = "/results?lang=kk" if which == "index" else f"/results/{election_id}?lang=kk"
    page = pages.open(**PHONE)
    page.goto(path)
    seq, digest = newest_event(live_server.app)
    line = page.locator("p.audit-head")
    expect(line).to_have_attribute("data-audit-seq", str(seq))
    expect(line).to_contain_text(f"{seq}-оқиға")
    expect(line).to_contain_text(digest[:16])
    assert line.locator("a").get_attribute("href") == "/api/v1/audit/head"
    assert overflow(page, 390) is None, overflow(page, 390)
    line.scroll_into_view_if_needed()
    snap(page, f"audit-head-{which}-kk-390")
    response = page.request.get("/api/v1/audit/head")
    assert response.ok
    assert response.json()["seq"] >= seq
