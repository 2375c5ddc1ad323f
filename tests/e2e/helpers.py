"""What the browser tests do on the commission's pages, step by step, as a user would.

Fields are found by the ids WTForms gives them and pages by their URLs: the labels
are translated, so the tests never read them.
"""

from __future__ import annotations

import itertools
import re
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect
from sqlalchemy import select

from elections.candidates import services
from elections.candidates.iin import make_iin
from elections.candidates.rules import (
    Violation,
    describe,
    settlements_required,
    signatures_required,
)
from elections.core.extensions import db
from elections.demo.region import UNITS
from elections.territory.models import Election, Unit

MEMBER = "zerendi-member"  # demo territorial member of the Zerendi district commission
RURAL_KATO = "115633000"  # the demo's rural election: Zerendi rural district
RURAL_NAME_KK = next(row[3] for row in UNITS if row[0] == RURAL_KATO)

_serials = itertools.count(100)


@dataclass(frozen=True)
class RuralElection:
    id: int
    election_day: date
    profile: object
    signatures_needed: int
    settlements_needed: int

    def describe(self, code: str) -> Violation:
        return describe(code, self.profile)

    def born_aged(self, years: int, days_before: int = 30) -> date:
        """A birth date that makes the candidate ``years`` old on election day."""
        day = self.election_day - timedelta(days=days_before)
        return day.replace(year=day.year - years)


def rural_election(app) -> RuralElection:
    with app.app_context():
        election = db.session.execute(
            select(Election).join(Unit, Election.unit_id == Unit.id).where(Unit.kato == RURAL_KATO)
        ).scalar_one()
        territory = services.territory_of(election)
        profile = election.profile
        return RuralElection(
            id=election.id,
            election_day=election.election_day,
            profile=profile,
            signatures_needed=signatures_required(territory.voters, profile),
            settlements_needed=settlements_required(territory.settlements, profile),
        )


@contextmanager
def count_under_way(app, election_day: date):
    """The live server's clock an hour into the count (21:00 Almaty on election day), when
    protocols may be entered; back to the real clock afterwards."""
    app.config["ELECTIONS_NOW"] = datetime.combine(
        election_day, time(21, 0), tzinfo=ZoneInfo("Asia/Almaty")
    )
    try:
        yield
    finally:
        app.config.pop("ELECTIONS_NOW", None)


@dataclass(frozen=True)
class Person:
    last_name: str
    first_name: str
    birth_date: date
    education: str
    experience: str
    iin: str
    party: str | None = None  # a party's short name; None for a self-nominee
    party_member: bool = True
    deposit_paid: bool = True
    special_check: str = "passed"
    qualification: str = "yes"  # the commission's finding: yes, no or unchecked


def person(last_name: str, birth_date: date, **facts) -> Person:
    """A person with a valid IIN of their own (unique within the run)."""
    iin = make_iin(birth_date, "male", next(_serials))
    facts.setdefault("education", "higher")
    facts.setdefault("experience", "10")
    return Person(last_name, "Ержан", birth_date, iin=iin, **facts)


def ineligible(rural: RuralElection) -> Person:
    """A self-nominee aged 23 with general secondary education: two disqualifying facts."""
    return person("Жасұлан", rural.born_aged(23), education="general_secondary", experience="3")


INELIGIBLE_CODES = ("age_below_minimum", "education_insufficient")


def eligible(rural: RuralElection, party: str) -> Person:
    """A party member aged 40, higher education, ten years' experience, everything filed."""
    return person("Сәрсенбаев", rural.born_aged(40), party=party)


def sign_in(page: Page, username: str, password: str) -> None:
    """Sign ``username`` in through the real login form, in this page's browser session."""
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: not url.split("?")[0].endswith("/login"))
    assert page.locator(".account .who").inner_text() == username


def submit(page: Page) -> None:
    page.locator("main form button[type=submit]").click()


def candidate_id(page: Page) -> int:
    match = re.search(r"/commission/candidates/(\d+)$", page.url)
    assert match, page.url
    return int(match.group(1))


def open_nomination_form(page: Page) -> None:
    """From the commission page to the rural election's candidates, then the nomination form."""
    page.goto("/commission/")
    election = page.locator("main [data-election], main li").filter(has_text=RURAL_NAME_KK)
    election.locator("a[href$='/candidates']").first.click()
    page.wait_for_url(re.compile(r"/commission/elections/\d+/candidates$"))
    page.locator("main a[href$='/candidates/new']").click()
    page.wait_for_url(re.compile(r"/commission/elections/\d+/candidates/new$"))


def nominate(page: Page, who: Person, rural: RuralElection) -> int:
    """Fill in and save the nomination form; returns the new candidate's id."""
    open_nomination_form(page)
    page.fill("#iin", who.iin)
    page.fill("#last_name", who.last_name)
    page.fill("#first_name", who.first_name)
    page.fill("#birth_date", who.birth_date.isoformat())
    page.select_option("#education", who.education)
    page.fill("#work_experience_years", who.experience)
    if who.party:
        page.check("input[name=nomination_type][value=party]")
        option = page.locator("#party_id option").filter(
            has_text=re.compile(rf"^{re.escape(who.party)} — ")
        )
        page.select_option("#party_id", option.get_attribute("value"))
        page.set_checked("#party_member", who.party_member)
        page.check("#doc_party_decision")
    else:
        page.check("input[name=nomination_type][value=self]")
        page.fill("#signatures_valid", str(rural.signatures_needed))
        page.fill("#settlements_covered", str(rural.settlements_needed))
        page.check("#doc_signature_check_protocol")
    for document in ("#doc_application", "#doc_biography", "#doc_declarations"):
        page.check(document)
    page.check("#doc_tax_certificate")
    page.set_checked("#deposit_paid", who.deposit_paid)
    page.select_option("#special_check", who.special_check)
    page.check(f"input[name=qualification_met][value={who.qualification}]")
    if who.qualification != "unchecked":
        page.fill("#qualification_note", "Диплом, еңбек кітапшасы")
    submit(page)
    page.wait_for_url(re.compile(r"/commission/candidates/\d+$"))
    expect(page.locator("main h1")).to_have_text(f"{who.last_name} {who.first_name}")
    return candidate_id(page)


def application_number(page: Page) -> str:
    return page.locator("[data-application-number]").get_attribute("data-application-number")


def decide(page: Page, number: int, action: str, note: str | None = None) -> None:
    """Open a decision from the candidate page, confirm it and come back to the candidate."""
    page.locator(f"main a[href$='/candidates/{number}/{action}']").click()
    page.wait_for_url(re.compile(rf"/commission/candidates/{number}/{action}$"))
    if note:
        page.fill("#note", note)
    page.check("#confirm")
    submit(page)
    page.wait_for_url(re.compile(rf"/commission/candidates/{number}$"))


def status_badge(page: Page):
    return page.locator("main [data-status]").first


def expect_status(page: Page, code: str) -> None:
    expect(status_badge(page)).to_have_attribute("data-status", code)


def switch_language(page: Page, code: str) -> None:
    """Switch with the header's language link; the page comes back in that language."""
    page.locator(f"header nav.languages a[hreflang={code}]").click()
    expect(page.locator("html")).to_have_attribute("lang", code)


def overflow(page: Page, width: int) -> str | None:
    """Why the page does not fit a viewport ``width`` CSS pixels wide, or None when it does.

    A mobile browser zooms out to show content wider than the screen, which widens
    ``innerWidth`` too; so both are held to the viewport's own width.

    It measures once the page has loaded: a page whose DOM is there while its stylesheet
    is still on the way (after a click, the browser revalidates app.css) is laid out
    without the styles that keep its tables in their scroll boxes, and measures wider.
    """
    page.wait_for_load_state("load")
    scroll_width, inner_width = page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth]"
    )
    if scroll_width <= width and inner_width == width:
        return None
    return f"{page.url}: content {scroll_width}px, window {inner_width}px, screen {width}px"


SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


def snap(page: Page, name: str) -> Path:
    """Keep a full-page screenshot under artifacts/screenshots/ (CI keeps that folder)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
