"""The public page of an election's rules: each rule, its value, its source in the reader's
language and whether a source confirms it (issue 12)."""

from __future__ import annotations

import re
from html import unescape

import pytest

from elections.core.extensions import db
from elections.territory.models import Election

ROW = re.compile(
    r'<tr data-rule="(?P<rule>[a-z_]+)"><th scope="row">(?P<label>.*?)</th>'
    r"<td[^>]*>(?P<value>.*?)</td><td[^>]*>(?P<basis>.*?)</td><td[^>]*>(?P<confirmed>.*?)</td></tr>"
)
CONFIRMED = {"en": ("yes", "no"), "ru": ("да", "нет"), "kk": ("иә", "жоқ")}


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_rules_page_lists_each_rule_with_its_source_and_whether_it_is_confirmed(
    app, client, world, language
):
    with app.app_context():
        election = db.session.get(Election, world.election_id)
        profile = election.profile
    client.set_cookie("lang", language)
    response = client.get(f"/elections/{world.election_id}/rules")
    assert response.status_code == 200
    page = unescape(response.get_data(as_text=True))
    rows = {m["rule"]: m for m in ROW.finditer(page)}
    assert set(rows) == set(profile.data["rules"])
    yes, no = CONFIRMED[language]
    for rule, row in rows.items():
        assert row["basis"] == profile.basis_text_of(rule)[language], rule
        expected = yes if profile.confirmed(rule) else f'<strong class="bad">{no}</strong>'
        assert row["confirmed"] == expected, rule
        assert row["label"] != rule, rule  # a label, not the code
    assert rows["signature_voter_share"]["value"] == "1%"
    assert rows["nomination_closes_days_before"]["value"] == "25"


def test_the_rules_page_is_linked_from_the_public_election_page(client, world):
    page = client.get(f"/results/{world.election_id}").get_data(as_text=True)
    assert f'href="/elections/{world.election_id}/rules"' in page


def test_the_rules_page_of_a_missing_election_is_404(client):
    assert client.get("/elections/999999/rules").status_code == 404
