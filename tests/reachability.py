"""Which pages a user may open, and which they reach by clicking: for the Flask test client.

Reusable pieces:

- ``targets(html, url)``: the links (``<a href>``) and GET forms of a page, as URLs, each
  form submitted with the values it already holds (as a user pressing its button);
- ``crawl(client, start)``: breadth first from ``start`` over links and GET forms, in the
  client's session; it never posts, never signs out, never switches the language;
- ``openable(app, client, role, skip=...)``: every page the role may open, derived from the
  URL map and each view's ``access_rule`` (``elections/auth/access.py``), with every
  election, precinct and candidate in the database filling the URL arguments; a page is
  openable when its GET answers 200 for this client (the scope checks of the views decide);
- ``page_key(app, url)``: the endpoint of a URL and its object ids, the unit both are
  counted in (``/commission/elections/3/results`` is the dashboard of election 3; the
  decision pages, ``ONE_OF_EACH``, count once whatever the candidate and action).

Left out of "the pages a role may open", because they cannot be a page one clicks to:
routes without GET (forms post to them), the JSON API under ``/api/`` (its ``/api`` page
is a page), static files, and the few in ``NOT_PAGES`` below.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from itertools import product
from urllib.parse import urlencode, urljoin, urlsplit

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, union
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect

from elections.ballots.models import ProtocolVersion
from elections.candidates.models import Candidate
from elections.candidates.views import ACTIONS
from elections.core.extensions import db
from elections.results.models import ResultVersion
from elections.territory.models import Election, Precinct

SKIPPED_PREFIXES = ("/static/", "/lang/", "/logout", "/api/")
DOWNLOAD_ENDINGS = (".pdf", ".csv", ".json", ".xml", ".zip")
# GET routes that are not pages, with the reason.
NOT_PAGES = {
    "i18n.switch": "a redirect that sets the language; each page links it",
    "health.healthz": "the liveness check of load balancers, JSON",
    "health.readyz": "the readiness check of load balancers, JSON",
    "metrics.metrics": "Prometheus' scrape, text for a machine",
    "protocols.sent": "asked by the protocol form's script after a reload, JSON",
    "scans.file": "a scan or a photo as itself, linked from the results pages",
}
# Pages that exist for a candidate only in some statuses (a decision while the status
# allows it, the edit form until the decision) but answer 200 for any: one of each must be
# reached, not one per candidate.
ONE_OF_EACH = {"commission.decide", "commission.edit"}
# Path arguments that are not object ids: every value is tried, any one counts.
FREE_ARGUMENTS = {
    "action": tuple(ACTIONS),
    "code": ("kk", "ru", "en"),
    # a rule the commission may turn on, and one a source confirms (its page is a 404)
    "rule": ("max_consecutive_terms", "min_age"),
}
# Path arguments that name an object, and the query of the values that fill them.
ID_ARGUMENTS = {
    "election_id": select(Election.id),
    "precinct_id": select(Precinct.id),
    "candidate_id": select(Candidate.id),
    # a version number of a protocol or of a certified result
    "version": union(select(ProtocolVersion.version), select(ResultVersion.version)),
}

Key = tuple[str, tuple[tuple[str, object], ...]]


# -- reading a page --------------------------------------------------------------------------


class _Targets(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, bool]] = []  # (href, has a download attribute)
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: dict | None = None
        self._option: dict | None = None
        self._textarea: list | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append((a["href"], "download" in a))
        elif tag == "form":
            self._form = {
                "method": (a.get("method") or "get").lower(),
                "action": a.get("action"),
                "fields": [],
                "submitter": None,
            }
            self.forms.append(self._form)
        elif self._form is None or "disabled" in a:
            return
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            name = a.get("name")
            if kind in ("submit", "image") and name and self._form["submitter"] is None:
                self._form["submitter"] = (name, a.get("value") or "")
            elif not name or kind in ("submit", "image", "reset", "button", "file"):
                return
            elif kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._form["fields"].append((name, a.get("value") or "on"))
            else:
                self._form["fields"].append((name, a.get("value") or ""))
        elif tag == "button":
            kind = (a.get("type") or "submit").lower()
            if kind == "submit" and a.get("name") and self._form["submitter"] is None:
                self._form["submitter"] = (a["name"], a.get("value") or "")
        elif tag == "select" and a.get("name"):
            self._select = {"name": a["name"], "options": [], "multiple": "multiple" in a}
        elif tag == "option" and self._select is not None:
            self._option = {"value": a.get("value"), "text": "", "selected": "selected" in a}
            self._select["options"].append(self._option)
        elif tag == "textarea" and a.get("name"):
            self._textarea = [a["name"], ""]

    def handle_data(self, data):
        if self._option is not None:
            self._option["text"] += data
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "option":
            self._option = None
        elif tag == "select" and self._select is not None and self._form is not None:
            options = self._select["options"]
            chosen = [o for o in options if o["selected"]]
            if not chosen and options and not self._select["multiple"]:
                chosen = options[:1]
            for option in chosen:
                value = option["value"] if option["value"] is not None else option["text"].strip()
                self._form["fields"].append((self._select["name"], value))
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            self._form["fields"].append(tuple(self._textarea))
            self._textarea = None
        elif tag == "form":
            self._form = None


@dataclass(frozen=True)
class Target:
    url: str  # absolute path with its query, no fragment
    download: bool  # marked as a download, or named like a file: fetched only when unknown


def targets(html: str, url: str) -> list[Target]:
    """The links and GET forms of a page at ``url``, same site only, fragments dropped."""
    parser = _Targets()
    parser.feed(html)
    found: list[tuple[str, bool]] = list(parser.links)
    for form in parser.forms:
        if form["method"] != "get":
            continue
        fields = list(form["fields"])
        if form["submitter"]:
            fields.append(form["submitter"])
        action = urljoin(url, form["action"] or url).split("?", 1)[0]
        found.append((f"{action}?{urlencode(fields)}" if fields else action, False))
    result = []
    for href, download in found:
        parts = urlsplit(urljoin(url, href))
        if parts.scheme not in ("", "http") or parts.netloc not in ("", "localhost"):
            continue
        path = parts.path or "/"
        full = f"{path}?{parts.query}" if parts.query else path
        result.append(Target(full, download or path.lower().endswith(DOWNLOAD_ENDINGS)))
    return result


# -- the URL map -----------------------------------------------------------------------------


def page_key(app: Flask, url: str) -> Key | None:
    """The endpoint of a same-site URL and its id arguments, or None when nothing matches."""
    adapter = app.url_map.bind("localhost")
    path = urlsplit(url).path
    try:
        endpoint, arguments = adapter.match(path, method="GET")
    except RequestRedirect as redirect:  # a missing trailing slash
        return page_key(app, redirect.new_url)
    except (NotFound, MethodNotAllowed):
        return None
    if endpoint in ONE_OF_EACH:
        return endpoint, ()
    ids = tuple(sorted((k, v) for k, v in arguments.items() if k not in FREE_ARGUMENTS))
    return endpoint, ids


def describe(key: Key) -> str:
    endpoint, ids = key
    return endpoint + ("(" + ", ".join(f"{k}={v}" for k, v in ids) + ")" if ids else "")


def page_rules(app: Flask, role: str | None):
    """The GET routes of pages the role may call by its access rule (None: anonymous)."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        if rule.rule.startswith("/api/") or rule.endpoint in NOT_PAGES:
            continue
        if rule.endpoint == "auth.login" and role is not None:
            continue  # the signed-in do not sign in again
        access = getattr(app.view_functions[rule.endpoint], "access_rule", None)
        if access is None or not (access.public or role in access.roles):
            continue
        yield rule


def fillings(app: Flask, rule) -> list[dict]:
    """Every combination of values for the rule's arguments: ids of every row in the database,
    every value of a free argument. An argument of an unknown kind is an error."""
    unknown = sorted(rule.arguments - set(ID_ARGUMENTS) - set(FREE_ARGUMENTS))
    if unknown:
        raise AssertionError(
            f"{rule.endpoint} ({rule.rule}) has arguments tests/reachability.py cannot fill:"
            f" {unknown}; add them to ID_ARGUMENTS or FREE_ARGUMENTS"
        )
    names = sorted(rule.arguments)
    choices = []
    with app.app_context():
        for name in names:
            if name in ID_ARGUMENTS:
                values = db.session.execute(ID_ARGUMENTS[name]).scalars()
                choices.append(sorted(set(values)))
            else:
                choices.append(FREE_ARGUMENTS[name])
    return [dict(zip(names, values, strict=True)) for values in product(*choices)]


@dataclass
class Openable:
    pages: dict[Key, str] = field(default_factory=dict)  # page -> one URL that opens it
    errors: list[str] = field(default_factory=list)  # probes answering 5xx or redirecting


def openable(
    app: Flask,
    client: FlaskClient,
    role: str | None,
    known: dict[Key, str] | None = None,
    only: set[str] | None = None,
) -> Openable:
    """Every page the client's user (of ``role``) may open: each allowed route with each
    filling, GET; a 200 opens it. ``known`` pages (already seen to open) are not asked again;
    ``only`` limits the endpoints asked about.
    A 3xx or 5xx answer is an error: a page route should either open or refuse."""
    known = known or {}
    found = Openable()
    adapter = app.url_map.bind("localhost")
    for rule in page_rules(app, role):
        if only is not None and rule.endpoint not in only:
            continue
        for values in fillings(app, rule):
            url = adapter.build(rule.endpoint, values)
            key = page_key(app, url)
            if key in found.pages:
                continue
            if key in known:
                found.pages[key] = known[key]
                continue
            status = client.get(url).status_code
            if status == 200:
                found.pages[key] = url
            elif status >= 500 or 300 <= status < 400:
                found.errors.append(f"GET {url} answers {status}")
    return found


# -- clicking ----------------------------------------------------------------------------------


@dataclass
class Crawl:
    reached: dict[Key, str] = field(default_factory=dict)  # page -> the first URL it opened at
    fetched: dict[str, int] = field(default_factory=dict)  # URL -> status
    not_followed: set[str] = field(default_factory=set)  # API, language switch, files...
    broken: list[str] = field(default_factory=list)  # links that do not open a page
    came_from: dict[str, str] = field(default_factory=dict)  # URL -> the page linking it


def crawl(app: Flask, client: FlaskClient, start: str, limit: int = 600) -> Crawl:
    """Open ``start``, then every same-site link and GET form, breadth first, at most ``limit``
    fetches. A redirect is followed (it counts as a click); a link that answers 4xx/5xx or
    sends a signed-in user to the sign-in page is broken. Links marked or named as downloads
    count as reached without being fetched."""
    done = Crawl()
    queue: deque[str] = deque([start])
    seen = {start}
    while queue and len(done.fetched) < limit:
        url = queue.popleft()
        response = client.get(url)
        done.fetched[url] = response.status_code
        origin = done.came_from.get(url, "(start)")
        if 300 <= response.status_code < 400:
            location = urlsplit(urljoin(url, response.headers["Location"]))
            if location.netloc not in ("", "localhost"):
                done.broken.append(f"{url} (linked from {origin}) redirects off the site")
                continue
            landed = f"{location.path}?{location.query}" if location.query else location.path
            if location.path == "/login" and not url.startswith("/login"):
                done.broken.append(f"{url} (linked from {origin}) asks to sign in")
                continue
            if landed not in seen:
                seen.add(landed)
                done.came_from[landed] = origin
                queue.append(landed)
            continue
        if response.status_code >= 400:
            done.broken.append(f"{url} (linked from {origin}) answers {response.status_code}")
            continue
        key = page_key(app, url)
        if key is not None and key[0] not in NOT_PAGES:
            done.reached.setdefault(key, url)
        if "text/html" not in response.content_type:
            continue
        for target in targets(response.get_data(as_text=True), url):
            if target.url in seen:
                continue
            seen.add(target.url)
            if target.url.startswith(SKIPPED_PREFIXES):
                done.not_followed.add(target.url)
                continue
            if target.download:
                key = page_key(app, target.url)
                if key is None:
                    done.broken.append(f"{target.url} (linked from {url}) matches no route")
                else:
                    done.reached.setdefault(key, target.url)
                continue
            done.came_from[target.url] = url
            queue.append(target.url)
    return done
