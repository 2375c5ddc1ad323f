"""Every page a user reaches speaks the language it was asked in: no English, no raw codes.

For each demo role, and for a visitor who is not signed in, the crawler follows every link
and GET form from the role's landing page, in Kazakh on a phone (390x844) and in Russian on
a desktop (1280x800); each page's visible text (with the options of its drop-downs and the
tooltips and placeholders a reader sees) goes through ``foreign_text``. Each form that
would let the browser validate it (its messages come in the browser's language, not the
page's) is named too. Then the pages that only come after a refused submission: a failed
sign-in, an empty nomination, an admin form with bad input, a protocol that breaks a
control relation, and a candidate with violations and refusal grounds (legal bases).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.crawl import crawl
from tests.e2e.helpers import (
    MEMBER,
    count_under_way,
    decide,
    ineligible,
    nominate,
    rural_election,
    sign_in,
    snap,
    submit,
)
from tests.e2e.language import foreign_text

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
LANGUAGES = {"kk": PHONE, "ru": DESKTOP}
ROLES = [
    None,
    "cec-admin",
    "akmola-chair",
    "zerendi-chair",
    "zerendi-member",
    "precinct-401",  # a precinct whose count has not started
    "precinct-702",  # the precinct still to report on the election night of Викторовка
    "observer-701b",  # an observer whose copy differs, answered by the commission
]
LIMIT = 80

# What a reader sees of a page: the text of its visible elements (with the options of its
# drop-downs, of which a closed select shows one), the tooltips, placeholders and labels
# read aloud, and the title of the tab. Left out: code (<code>, <pre>, <kbd>, <samp>: an
# identifier is shown as what it is) and passages marked as another language (lang="en",
# as the API reference marks its English descriptions and the switch its language names).
VISIBLE_JS = """
() => {
  const language = document.documentElement.lang;
  const skipped = (element) => element.closest(
    `code, pre, kbd, samp, script, style, template, [lang]:not([lang="${language}"])`);
  const parts = [document.title];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || skipped(parent) || !node.data.trim()) continue;
    const shown = parent.closest("option") ? true : parent.checkVisibility();
    if (shown) parts.push(node.data);
  }
  for (const element of document.querySelectorAll("[title], [placeholder], [aria-label]")) {
    if (skipped(element)) continue;
    for (const name of ["title", "placeholder", "aria-label"]) {
      if (element.hasAttribute(name)) parts.push(element.getAttribute(name));
    }
  }
  return parts.join("\\n");
}
"""
# Forms the browser would check itself (its bubbles speak the browser's language).
BROWSER_VALIDATED_JS = """
() => Array.from(document.querySelectorAll("form:not([novalidate])"))
  .filter((form) => form.querySelector(
    "[required], [min], [max], [pattern], [minlength], input[type=email], input[type=url],"
    + " input[type=number], input[type=date]"))
  .map((form) => form.getAttribute("action") || "(this page)")
"""


def problems(page: Page, language: str) -> list[str]:
    found = [f"says {text!r}" for text in foreign_text(page.evaluate(VISIBLE_JS), language)]
    found += [f"lets the browser validate form {a}" for a in page.evaluate(BROWSER_VALIDATED_JS)]
    return found


def in_language(page: Page, language: str) -> None:
    page.goto(f"/lang/{language}?next=/")
    expect(page.locator("html")).to_have_attribute("lang", language)


def report(found: dict[str, list[str]]) -> str:
    return "\n".join(f"{path}: {'; '.join(items)}" for path, items in found.items())


@pytest.fixture(scope="module")
def rural(live_server):
    return rural_election(live_server.app)


@pytest.mark.parametrize("language", list(LANGUAGES))
@pytest.mark.parametrize("username", ROLES, ids=[r or "visitor" for r in ROLES])
def test_every_page_a_role_reaches_speaks_the_language(pages, live_server, username, language):
    page = pages.open(**LANGUAGES[language])
    in_language(page, language)
    if username:
        sign_in(page, username, live_server.passwords[username])
    found: dict[str, list[str]] = {}

    def check(opened: Page, path: str) -> None:
        assert opened.locator("html").get_attribute("lang") == language, path
        if items := problems(opened, language):
            found[path] = items
        if username is None and path == "/":
            snap(opened, f"language-home-{language}")

    visited = crawl(page, live_server.url, start_path=page_path(page), limit=LIMIT, on_page=check)
    assert len(visited) > 3, visited
    assert not found, f"{username or 'visitor'} in {language}:\n{report(found)}"


def page_path(page: Page) -> str:
    """Where the user is now (the landing page after sign-in), as a path."""
    return re.sub(r"^https?://[^/]+", "", page.url) or "/"


def expect_clean(page: Page, language: str) -> None:
    assert not (items := problems(page, language)), f"{page.url}: {'; '.join(items)}"


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_a_failed_sign_in_speaks_the_language(pages, language):
    page = pages.open(**LANGUAGES[language])
    in_language(page, language)
    page.goto("/login")
    page.fill("#username", "nobody-at-all")
    submit(page)  # the password left empty: the server must say so, not the browser
    expect(page.locator("main .field-error, main .errors").first).to_be_visible()
    expect_clean(page, language)
    page.fill("#username", "nobody-at-all")
    page.fill("#password", "not-the-password")
    submit(page)
    expect(page.locator("main .errors, main .field-error").first).to_be_visible()
    expect_clean(page, language)


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_error_pages_speak_the_language(pages, live_server, language):
    """A page that does not exist, and a page the role may not open."""
    page = pages.open(**LANGUAGES[language])
    in_language(page, language)
    assert page.goto("/no-such-page").status == 404
    expect_clean(page, language)
    sign_in(page, "precinct-401", live_server.passwords["precinct-401"])
    assert page.goto("/admin/units").status == 403
    expect_clean(page, language)
    assert page.goto("/results/999999").status == 404
    expect_clean(page, language)


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_an_empty_nomination_gets_field_messages_in_the_language(
    pages, live_server, rural, language
):
    page = pages.open(**LANGUAGES[language])
    in_language(page, language)
    sign_in(page, MEMBER, live_server.passwords[MEMBER])
    page.goto(f"/commission/elections/{rural.id}/candidates/new")
    page.fill("#work_experience_years", "-1")
    submit(page)
    expect(page.locator("#iin-error")).to_be_visible()
    expect(page.locator("#last_name-error")).to_be_visible()
    expect(page.locator("#birth_date-error")).to_be_visible()
    expect(page.locator("#work_experience_years-error")).to_be_visible()
    expect_clean(page, language)
    page.fill("#iin", "12345")
    page.fill("#birth_date", "31.02.1990")
    submit(page)
    expect(page.locator("#iin-error")).to_be_visible()
    expect(page.locator("#birth_date-error")).to_be_visible()
    expect_clean(page, language)
    snap(page, f"language-nomination-errors-{language}")


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_admin_forms_refused_speak_the_language(pages, live_server, language):
    page = pages.open(**LANGUAGES[language])
    in_language(page, language)
    sign_in(page, "cec-admin", live_server.passwords["cec-admin"])
    for path in ("/admin/units", "/admin/parties", "/admin/elections"):
        page.goto(path)
        expect_clean(page, language)
        page.locator("main form[method=post] button[type=submit]").first.click()
        expect(page.locator("main .field-error, main .errors").first).to_be_visible()
        expect_clean(page, language)
    page.goto("/admin/elections")
    page.fill("#called_on", "2026-01-01")
    page.fill("#election_day", "2026-01-02")  # too soon after the call, and no unit
    page.locator("main form[method=post] button[type=submit]").first.click()
    expect(page.locator("main .field-error, main .errors").first).to_be_visible()
    expect_clean(page, language)
    snap(page, f"language-admin-elections-errors-{language}")
    page.goto("/admin/units")
    page.fill("#kato", "12")
    page.locator("main form[method=post] button[type=submit]").first.click()
    expect(page.locator("#kato-error")).to_be_visible()
    expect_clean(page, language)
    snap(page, f"language-admin-units-errors-{language}")


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_certifying_without_confirming_is_refused_in_the_language(pages, live_server, language):
    """The chair presses "certify" without ticking the confirmation: the server, not the
    browser, says what is missing, and nothing is certified."""
    page = pages.open(**LANGUAGES[language])
    in_language(page, language)
    sign_in(page, "zerendi-chair", live_server.passwords["zerendi-chair"])
    page.goto("/commission/")
    dashboards = page.eval_on_selector_all(
        "main a[href$='/results'][href*='/commission/elections/']",
        "links => [...new Set(links.map((a) => a.getAttribute('href')))]",
    )
    for path in dashboards:
        page.goto(path)
        button = page.locator("main button[value=certify]")
        if button.count():
            break
    else:
        pytest.fail(f"no election of zerendi-chair can be certified: {dashboards}")
    button.click()
    expect(page.locator("main #certify-confirm-error")).to_be_visible()
    expect(page.locator("main button[value=certify]")).to_be_visible()  # still not certified
    expect_clean(page, language)


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_a_refused_protocol_speaks_the_language(pages, live_server, rural, language):
    page = pages.open(**LANGUAGES[language])
    in_language(page, language)
    sign_in(page, "precinct-401", live_server.passwords["precinct-401"])
    with count_under_way(live_server.app, rural.election_day):
        page.goto("/precinct")
        page.locator("main a[href*='/protocol']").first.click()
        page.wait_for_url(re.compile(r"/precincts/\d+/protocol$"))
        for field in page.locator("main input[type=text], main input[inputmode]").all():
            field.fill("5")
        page.fill("#ballots_received", "100")  # line 2 = line 3 + line 4 fails
        page.fill("#voters_on_list", "x")  # not a number either
        submit(page)
        expect(page.locator("#server-errors")).to_be_visible()
        expect_clean(page, language)
        page.fill("#voters_on_list", "1000")
        submit(page)
        expect(page.locator("#server-errors [data-relation]").first).to_be_visible()
        expect_clean(page, language)
        snap(page, f"language-protocol-errors-{language}")


def test_violations_and_grounds_show_legal_bases_in_the_language(pages, live_server, rural):
    page = pages.open(**PHONE)
    in_language(page, "kk")
    sign_in(page, MEMBER, live_server.passwords[MEMBER])
    who = ineligible(rural)
    number = nominate(page, who, rural)
    expect(page.locator("main [data-violation]").first).to_be_visible()
    expect_clean(page, "kk")
    snap(page, "language-violations-kk")
    decide(page, number, "refuse")
    expect_clean(page, "kk")
    application = page.locator("[data-application-number]").get_attribute("data-application-number")
    for language, device in LANGUAGES.items():
        reader = pages.open(**device)
        in_language(reader, language)
        sign_in(reader, MEMBER, live_server.passwords[MEMBER])
        reader.goto(f"/commission/candidates/{number}")
        expect(reader.locator("main [data-ground]").first).to_be_visible()
        expect_clean(reader, language)
        snap(reader, f"language-refused-candidate-{language}")
        # The candidate looks the refusal up: a wrong IIN first, then the right one.
        visitor = pages.open(**device)
        in_language(visitor, language)
        for iin in ("000000000000", who.iin):
            visitor.goto("/status")
            visitor.fill("#application_number", application)
            visitor.fill("#iin", iin)
            submit(visitor)
            expect(
                visitor.locator("main .errors, main .field-error, main [data-ground]").first
            ).to_be_visible()
            expect_clean(visitor, language)
        expect(visitor.locator("main [data-ground]").first).to_be_visible()
        snap(visitor, f"language-status-refused-{language}")
