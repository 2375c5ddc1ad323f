"""Every page a role may open is reached by clicking from where sign-in puts it.

The demo is loaded into a database of this module's own, with one application awaiting a
decision in each election still taking nominations. For each demo login (and anonymous),
the crawler of ``tests/reachability.py`` signs in, starts where the sign-in page sends
it, and follows only links and GET forms. The pages it must reach come from the URL map
and each view's access rule, every election, precinct and candidate filling the URL
arguments; the views' own scope checks say which the role opens. A new page nobody
links fails here, named with an URL that opens it.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from elections.auth.models import User
from elections.candidates.models import Candidate
from elections.core.clock import now
from elections.core.extensions import db
from elections.demo.region import load_demo
from elections.territory.models import Election, Unit
from elections.territory.services import call_election
from tests.factories import CandidateFactory
from tests.reachability import crawl, describe, openable, page_key, page_rules

pytestmark = pytest.mark.committing

ANONYMOUS = "anonymous"
# Where sign-in sends each role when no ``next`` is asked for.
HOMES = {
    "cec_admin": "/admin/elections",
    "territorial_member": "/commission/",
    "territorial_chair": "/commission/",
    "precinct_secretary": "/precinct",
    "observer": "/observer",
}
# The demo's elections taking nominations: each gets an application awaiting a decision
# (the district election, 116800000, has its self-nominee awaiting one already; a second
# would leave nomination too full to be extended, and that page unreached).
NOMINATING = ("115633000",)
# Elections whose registration closed with nobody registered, so that the chair's
# postponement page applies: a village in Zerendi (rural-2023: registration closes at 18:00
# on E-21) and the Zerendi district itself (district-2023: E-26), organised by the region.
NOBODY_REGISTERED = (("115633100", "rural", 40), ("115600000", "district", 50))


@pytest.fixture(scope="module")
def demo(committed_app):
    with committed_app.app_context():
        logins = load_demo()
        for kato in NOMINATING:
            election = db.session.execute(
                select(Election).join(Unit, Election.unit_id == Unit.id).where(Unit.kato == kato)
            ).scalar_one()
            CandidateFactory(election=election, last_name="Жаңабаев")
        today = now().date()
        for kato, kind, lead_time in NOBODY_REGISTERED:
            call_election(
                {
                    "unit_kato": kato,
                    "kind": kind,
                    "called_on": today - timedelta(days=lead_time),
                    "election_day": today + timedelta(days=10),
                },
                None,
            )
        db.session.commit()
    return {login.username: login for login in logins}


def sign_in(client, login, next_url: str | None = None):
    query = {"next": next_url} if next_url is not None else {}
    return client.post(
        "/login",
        query_string=query,
        data={"username": login.username, "password": login.password},
    )


USERNAMES = [
    ANONYMOUS,
    "cec-admin",
    "zerendi-chair",
    "zerendi-member",
    "akmola-chair",
    "precinct-401",
    "precinct-702",
    "observer-701a",
    "observer-701b",
]


def test_the_demo_logins_are_the_ones_crawled(demo):
    assert sorted(demo) == sorted(USERNAMES[1:])


@pytest.mark.parametrize("username", USERNAMES[1:])
def test_sign_in_lands_each_role_on_its_home(committed_app, demo, username):
    login = demo[username]
    client = committed_app.test_client()
    response = sign_in(client, login)
    assert response.status_code == 302
    assert response.headers["Location"] == HOMES[login.role]
    assert client.get(HOMES[login.role]).status_code == 200


@pytest.mark.parametrize(
    ("next_url", "lands"),
    [
        ("/results", "/results"),
        ("/results?page=1", "/results?page=1"),
        ("/", "/commission/"),
        ("//evil.example/", "/commission/"),
        ("https://evil.example/", "/commission/"),
    ],
    ids=["a page", "a page with its query", "the public home", "scheme-relative", "absolute"],
)
def test_sign_in_respects_a_safe_next_and_otherwise_goes_home(committed_app, demo, next_url, lands):
    response = sign_in(committed_app.test_client(), demo["zerendi-member"], next_url)
    assert (response.status_code, response.headers["Location"]) == (302, lands)


def test_a_page_that_asks_to_sign_in_comes_back_after_it(committed_app, demo):
    night, _waiting, _submitted = _ids(committed_app)
    progress = f"/commission/elections/{night}/protocols"
    client = committed_app.test_client()
    asked = client.get(progress)
    assert asked.status_code == 302
    login_url = asked.headers["Location"]
    assert login_url.startswith("/login?next=")
    response = client.post(
        login_url, data={"username": "zerendi-chair", "password": demo["zerendi-chair"].password}
    )
    assert response.headers["Location"] == progress


@pytest.mark.parametrize("username", USERNAMES)
def test_every_page_a_role_may_open_is_reached_by_clicking(committed_app, demo, username):
    client = committed_app.test_client()
    if username == ANONYMOUS:
        role, start = None, "/"
    else:
        role = demo[username].role
        landed = sign_in(client, demo[username])
        assert landed.status_code == 302
        start = landed.headers["Location"]

    clicked = crawl(committed_app, client, start)
    may_open = openable(committed_app, client, role, known=clicked.reached)

    assert not clicked.broken, "broken links:\n" + "\n".join(clicked.broken)
    assert not may_open.errors, "\n".join(may_open.errors)
    missing = sorted(set(may_open.pages) - set(clicked.reached))
    assert not missing, (
        f"{username} may open these pages but no link or GET form leads to them from {start}:\n"
        + "\n".join(f"  {describe(key)}: {may_open.pages[key]}" for key in missing)
    )
    # The scope checks chose the pages: each page route the role may call opens for some
    # object of the demo (a page of a saved version only once something is saved).
    endpoints = {endpoint for endpoint, _ids in may_open.pages}
    unopened = _endpoints_of(committed_app, role) - endpoints
    assert not unopened, f"no demo object opens {sorted(unopened)} for {username}"
    # Nothing reached outside what the role may open (the crawler saw no foreign page).
    assert set(clicked.reached) <= set(may_open.pages) | _downloads(clicked)


def _endpoints_of(app, role):
    return {rule.endpoint for rule in page_rules(app, role) if "version" not in rule.arguments}


def _downloads(clicked):
    return {key for key, url in clicked.reached.items() if url not in clicked.fetched}


def test_the_api_page_links_the_openapi_document(committed_app, demo):
    client = committed_app.test_client()
    clicked = crawl(committed_app, client, "/")
    assert "/api/v1/openapi.json" in clicked.not_followed
    assert page_key(committed_app, "/api") in clicked.reached


def test_the_scope_of_a_commission_is_every_election_it_organises(committed_app, demo):
    """The views' scope checks fill the expected pages; this pins them to the commission."""
    client = committed_app.test_client()
    sign_in(client, demo["zerendi-member"])
    may_open = openable(committed_app, client, "territorial_member", only={"results.dashboard"})
    with committed_app.app_context():
        member = db.session.execute(
            select(User).where(User.username == "zerendi-member")
        ).scalar_one()
        organised = set(
            db.session.execute(
                select(Election.id).where(Election.organiser_id == member.commission_unit_id)
            ).scalars()
        )
    dashboards = {dict(ids)["election_id"] for e, ids in may_open.pages if e == "results.dashboard"}
    assert dashboards == organised
    assert len(organised) == 4  # three of the demo and one where nobody registered


# -- what each home offers --------------------------------------------------------------------

NIGHT_KATO = "115651000"  # Викторовка, on its election night: precinct 702 has not reported


def _ids(app):
    with app.app_context():
        night = db.session.execute(
            select(Election).join(Unit, Election.unit_id == Unit.id).where(Unit.kato == NIGHT_KATO)
        ).scalar_one()
        waiting = next(p for p in night.precincts if p.number == 702)
        submitted = db.session.execute(
            select(Candidate.id, Candidate.election_id).where(Candidate.status == "submitted")
        ).all()
        return night.id, waiting.id, {election: cid for cid, election in submitted}


def _home(app, login) -> str:
    client = app.test_client()
    start = sign_in(client, login).headers["Location"]
    client.set_cookie("lang", "en")
    return client.get(start).get_data(as_text=True)


def _section(html: str, awaits: str) -> str:
    start = html.index(f'data-awaits="{awaits}"')
    return html[start : html.index("</ul>", start)]


def test_a_member_sees_candidates_to_decide_and_precincts_not_reported(committed_app, demo):
    night, waiting, submitted = _ids(committed_app)
    html = _home(committed_app, demo["zerendi-member"])
    decisions = _section(html, "decision")
    (mine,) = [cid for cid in submitted.values() if f'/commission/candidates/{cid}"' in decisions]
    assert f'href="/commission/candidates/{mine}/register"' in decisions
    assert f'href="/commission/candidates/{mine}/refuse"' in decisions
    protocols = _section(html, "protocols")
    assert f'href="/commission/elections/{night}/protocols"' in protocols
    assert f'href="/precincts/{waiting}/protocol"' in protocols
    assert 'data-awaits="certification"' not in html  # the chair certifies


def test_a_chair_also_sees_what_awaits_certification(committed_app, demo):
    night, _waiting, _submitted = _ids(committed_app)
    certification = _section(_home(committed_app, demo["zerendi-chair"]), "certification")
    assert f'href="/commission/elections/{night}/results"' in certification
    assert "1 of 2 precincts have reported." in certification


def test_the_secretaries_see_the_form_or_when_the_count_opens(committed_app, demo):
    _night, waiting, _submitted = _ids(committed_app)
    night_home = _home(committed_app, demo["precinct-702"])
    assert 'data-state="missing"' in night_home
    assert f'href="/precincts/{waiting}/protocol"' in night_home
    early_home = _home(committed_app, demo["precinct-401"])
    assert 'data-code="counting_not_started"' in early_home
    assert "protocols are accepted from" in early_home
