"""The chair of the Zerendi district commission turns an unconfirmed rule on by clicking only,
on a phone in Kazakh: from the commission's home to the election's rules, the form, the rule
shown as confirmed by the commission. It is turned off again at the end, so the shared demo
keeps refusing no one on it for the other browser tests."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.helpers import overflow, rural_election, snap
from tests.e2e.test_role_homes import PHONE, sign_in_by_clicking

RULE = "max_consecutive_terms"
BASIS = {
    "kk": "Зеренді аудандық сайлау комиссиясының 2026 жылғы 3 қазандағы № 5 шешімі",
    "ru": "Решение Зерендинской районной избирательной комиссии № 5 от 3 октября 2026 года",
    "en": "Decision of the Zerendi district commission no. 5 of 3 Oct 2026",
}


def test_the_chair_turns_a_rule_on_from_the_commission_home_at_390px_in_kazakh(pages, live_server):
    rural = rural_election(live_server.app)
    page = pages.open(**PHONE)
    sign_in_by_clicking(page, live_server.passwords["zerendi-chair"], "kk")

    page.locator(f'article[data-election="{rural.id}"] a[data-link="rules"]').click()
    page.wait_for_url(f"**/commission/elections/{rural.id}/rules")
    assert overflow(page, 390) is None
    row = page.locator(f'article[data-rule="{RULE}"]')
    expect(row.locator(".bad")).to_be_visible()
    row.locator("a.button").click()
    page.wait_for_url(f"**/commission/elections/{rural.id}/rules/{RULE}")
    expect(page.locator("html")).to_have_attribute("lang", "kk")

    page.locator("#rule-submit").click()  # empty: every field says what is missing
    expect(page.locator("#basis_kk-error")).to_be_visible()
    expect(page.locator("#reason-error")).to_be_visible()
    assert overflow(page, 390) is None
    snap(page, "rule-decision-errors-kk-390")

    for lang, text in BASIS.items():
        page.fill(f"#basis_{lang}", text)
    page.fill("#reason", "Облыстық соттың 2026 жылғы 1 қазандағы шешімі")
    snap(page, "rule-decision-form-kk-390")
    page.locator("#rule-submit").click()
    page.wait_for_url(f"**/commission/elections/{rural.id}/rules")
    expect(page.locator(".flash")).to_be_visible()
    expect(row.locator(".commission-confirmed")).to_be_visible()
    expect(page.locator('#decisions li[data-decision="rule_enabled"]')).to_have_count(1)
    assert overflow(page, 390) is None
    snap(page, "rule-decision-done-kk-390")

    page.goto(f"/elections/{rural.id}/rules")
    public_row = page.locator(f'tr[data-rule="{RULE}"]')
    expect(public_row.locator(".commission-confirmed")).to_be_visible()
    expect(public_row).to_contain_text(BASIS["kk"])
    assert overflow(page, 390) is None
    snap(page, "rule-decision-public-kk-390")

    page.goto(f"/commission/elections/{rural.id}/rules/{RULE}")
    page.fill("#reason", "Шешімнің күші жойылды")
    page.locator("#rule-submit").click()
    page.wait_for_url(f"**/commission/elections/{rural.id}/rules")
    expect(row.locator(".bad")).to_be_visible()
