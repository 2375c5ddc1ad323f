"""The public lists are paged (api.md "Lists") and cached under the parameters they read, in a
cache bounded by bytes: a made-up parameter is a hit, and a flood of pages cannot grow a
worker past PAGE_CACHE_BYTES."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from elections.core import audit
from elections.core.extensions import db
from elections.web import page_cache
from tests import factories
from tests.foundation.support import errors_of, fields

NEXT = re.compile(r'^<([^>]+)>; rel="next"$')


class Statements:
    """Counts the SELECT statements sent while active (savepoints of the harness aside)."""

    def __init__(self, _app=None):
        self.count = 0
        self.texts: list[str] = []

    def _count(self, _conn, _cursor, statement, *_args, **_kwargs):
        if statement.lstrip().upper().startswith("SELECT"):
            self.count += 1
            self.texts.append(" ".join(statement.split()))

    def __enter__(self):
        event.listen(Engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *_exc):
        event.remove(Engine, "before_cursor_execute", self._count)


def walk(client, url: str) -> tuple[list, list[str], set[str]]:
    """Every item of a list, following rel="next"; the links followed and the totals seen."""
    items, links, totals = [], [], set()
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.get_data(as_text=True)
        assert isinstance(response.json, list)
        items += response.json
        totals.add(response.headers["X-Total-Count"])
        link = response.headers.get("Link")
        url = NEXT.match(link).group(1) if link else None
        if url:
            links.append(url)
    return items, links, totals


@pytest.mark.parametrize(
    "path",
    ["/api/v1/units", "/api/v1/elections", "/api/v1/elections/{election}/precincts"],
)
def test_a_public_list_comes_in_pages_with_link_and_total(client, app, world, path):
    with app.app_context():
        election = db.session.get(factories.ElectionFactory._meta.model, world.election_id)
        for number in range(3, 6):  # five precincts, three more elections
            factories.PrecinctFactory(election=election, unit=election.unit, number=number)
            factories.ElectionFactory(unit=election.unit, organiser=election.organiser)
        db.session.commit()
    base = path.format(election=world.election_id)
    everything = client.get(base)
    assert everything.status_code == 200 and isinstance(everything.json, list)
    total = len(everything.json)
    assert total >= 5 and everything.headers["X-Total-Count"] == str(total)
    assert "Link" not in everything.headers  # all on the one page of 100

    items, links, totals = walk(client, f"{base}?per_page=2&made_up=1")
    assert items == everything.json
    assert totals == {str(total)}
    assert len(links) == (total - 1) // 2
    for number, link in enumerate(links, start=2):
        assert link.startswith(base + "?")
        assert f"page={number}" in link and "per_page=2" in link
        assert "made_up" not in link  # only what the list reads is repeated

    last = client.get(f"{base}?per_page=2&page={len(links) + 1}")
    assert "Link" not in last.headers and 1 <= len(last.json) <= 2
    beyond = client.get(f"{base}?per_page=2&page={len(links) + 5}")
    assert beyond.status_code == 200 and beyond.json == []
    assert beyond.headers["X-Total-Count"] == str(total)


def test_the_units_list_keeps_its_parent_in_the_next_link(client, world):
    children = client.get(f"/api/v1/units?parent={world.rural}").json
    assert {unit["kato"] for unit in children} == {world.village_a, world.village_b}
    first = client.get(f"/api/v1/units?parent={world.rural}&per_page=1")
    assert first.headers["X-Total-Count"] == "2" and len(first.json) == 1
    link = NEXT.match(first.headers["Link"]).group(1)
    assert f"parent={world.rural}" in link
    second = client.get(link)
    assert [u["kato"] for u in first.json + second.json] == [u["kato"] for u in children]
    assert "Link" not in second.headers


def test_the_audit_trail_comes_in_pages(client, world, token_for):
    headers = token_for(world.users["cec_admin"])
    everything = client.get("/api/v1/audit?per_page=500", headers=headers)
    total = int(everything.headers["X-Total-Count"])
    assert total == len(everything.json["events"]) >= 1
    first = client.get("/api/v1/audit?per_page=1", headers=headers)
    assert len(first.json["events"]) == 1 and first.headers["X-Total-Count"] == str(total)
    if total > 1:
        link = NEXT.match(first.headers["Link"]).group(1)
        assert (
            client.get(link, headers=headers).json["events"][0]["seq"]
            == (everything.json["events"][1]["seq"])
        )


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("per_page=0", "per_page"),
        ("per_page=501", "per_page"),
        ("per_page=ten", "per_page"),
        ("page=0", "page"),
        ("page=-1", "page"),
        ("page=99999999999999999999", "page"),
    ],
)
@pytest.mark.parametrize(
    "path", ["/api/v1/units", "/api/v1/elections", "/api/v1/elections/{election}/precincts"]
)
def test_paging_out_of_range_is_422(client, world, path, query, field):
    response = client.get(f"{path.format(election=world.election_id)}?{query}")
    assert fields(errors_of(response, 422)) == [field]


def test_paging_the_audit_out_of_range_is_422(client, world, token_for):
    headers = token_for(world.users["cec_admin"])
    for query, field in (("per_page=501", "per_page"), ("page=0", "page")):
        response = client.get(f"/api/v1/audit?{query}", headers=headers)
        assert fields(errors_of(response, 422)) == [field]
    assert client.get("/api/v1/audit?per_page=500", headers=headers).status_code == 200


def test_precincts_of_an_unknown_election_are_404(client, world):
    errors_of(client.get("/api/v1/elections/999999/precincts?per_page=2"), 404)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/units?per_page=3",
        "/api/v1/elections?per_page=3",
        "/api/v1/elections/{election}/precincts?per_page=3",
        "/api/v1/results?",
    ],
)
def test_a_made_up_parameter_is_served_from_the_cache(client, app, world, path):
    url = path.format(election=world.election_id)
    first = client.get(url)
    assert first.status_code == 200
    kept = len(page_cache._pages)
    with Statements(app) as statements:
        again = client.get(url + "&made_up=" + "x" * 500 + "&another=1")
    assert again.status_code == 200
    assert again.get_data() == first.get_data()
    assert again.headers["ETag"] == first.headers["ETag"]
    for name in ("Link", "X-Total-Count"):
        assert again.headers.get(name) == first.headers.get(name)
    assert len(page_cache._pages) == kept, "no new entry for a made-up parameter"
    assert statements.count == 1, "a hit costs the one state query"


@pytest.mark.parametrize("path", ["/api/v1/units", "/api/v1/elections"])
def test_a_hit_reads_one_row_by_its_key_however_long_the_trail(client, app, world, path):
    """Issue 13: the state key scanned the audit trail backwards past every protocol saved and
    counted three tables, 17-21 ms on the national data set. Saves neither change the key nor
    lengthen what a hit reads."""
    first = client.get(path)
    with app.app_context():
        saved = [(audit.Action.PROTOCOL_SAVED, "protocol", n, {}) for n in range(300)]
        audit.record_many(saved)
        db.session.commit()
    with Statements(app) as statements:
        again = client.get(path)
    assert again.headers["ETag"] == first.headers["ETag"], "a protocol save is not a list change"
    [statement] = statements.texts
    assert re.fullmatch(
        r"SELECT audit_head\.lists_seq FROM audit_head WHERE audit_head\.chain = \S+", statement
    ), statement


def test_a_change_to_a_list_is_seen_at_once(client, admin_token, world):
    before = client.get("/api/v1/units?per_page=500")
    created = client.post(
        "/api/v1/units",
        json={
            "kato": "799999990",
            "parent_kato": world.region,
            "kind": "district",
            "name": {"kk": "Жаңа аудан", "ru": "Новый район"},
        },
        headers=admin_token,
    )
    assert created.status_code == 201, created.json
    after = client.get("/api/v1/units?per_page=500")
    assert int(after.headers["X-Total-Count"]) == int(before.headers["X-Total-Count"]) + 1
    assert "799999990" in {unit["kato"] for unit in after.json}
    assert after.headers["ETag"] != before.headers["ETag"]


@pytest.fixture
def admin_token(world, token_for):
    return token_for(world.users["cec_admin"])


def test_the_page_cache_is_bounded_by_bytes(make_app, world):
    app = make_app()
    client = app.test_client()
    page_cache.clear()
    sizes = [len(client.get(f"/api/v1/units?per_page=1&page={n}").get_data()) for n in (1, 2)]
    assert page_cache.cached_bytes() == sum(sizes)
    # Room for about two of these pages: the third pushes the oldest out.
    app.config["PAGE_CACHE_BYTES"] = sum(sizes) + min(sizes) // 2
    third = len(client.get("/api/v1/units?per_page=1&page=3").get_data())
    assert page_cache.cached_bytes() <= app.config["PAGE_CACHE_BYTES"]
    assert page_cache.cached_bytes() == sizes[1] + third
    with Statements(app) as statements:
        client.get("/api/v1/units?per_page=1&page=2")
    assert statements.count == 1, "the newer page is still kept"
    with Statements(app) as statements:
        client.get("/api/v1/units?per_page=1&page=1")
    assert statements.count > 1, "the oldest page was evicted and is rendered again"
    # A page bigger than the whole cache is served but never kept.
    app.config["PAGE_CACHE_BYTES"] = 10
    page_cache.clear()
    assert client.get("/api/v1/units?per_page=500").status_code == 200
    assert page_cache.cached_bytes() == 0 and not page_cache._pages


def test_the_elections_list_holds_until_a_status_changes(client, app, world, clock):
    """Issue 13: the list followed the clock by the minute, so every page of the national list
    was rendered again each minute in each worker (128 ms a page of 100). It now holds, with
    its ETag, until the first status on it changes, and not a moment longer."""
    with app.app_context():
        election = db.session.get(factories.ElectionFactory._meta.model, world.election_id)
        closes = election.calendar().nomination_closes
    clock(closes - timedelta(days=3))
    first = client.get("/api/v1/elections")
    [shown] = [e for e in first.json if e["id"] == world.election_id]
    assert shown["status"] == "nomination"
    clock(closes - timedelta(seconds=1))
    with Statements(app) as statements:
        later = client.get("/api/v1/elections")
    assert statements.count == 1, "three days later the page is still a hit"
    assert later.headers["ETag"] == first.headers["ETag"]
    assert (
        client.get(
            "/api/v1/elections", headers={"If-None-Match": first.headers["ETag"]}
        ).status_code
        == 304
    )
    clock(closes)
    after = client.get("/api/v1/elections")
    [shown] = [e for e in after.json if e["id"] == world.election_id]
    assert shown["status"] == "registration"
    assert after.headers["ETag"] != first.headers["ETag"]
    stale = client.get("/api/v1/elections", headers={"If-None-Match": first.headers["ETag"]})
    assert stale.status_code == 200, "a reader holding the old page gets the new one"
