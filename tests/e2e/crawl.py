"""Find the pages a user reaches by clicking, as a user would: links and GET forms only.

``crawl`` walks breadth first from one page of the site, in the page's own browser
session (signed in or not): on each page it follows the same-origin links
(``a[href]``) and submits each GET form with the values it already holds, as a user
pressing the button without typing would. It never posts, never signs out and never
switches the language, so the session it is given stays as it was.

Left out, because they are not pages one reads in the browser:

- ``/logout`` and the language switch ``/lang/<code>``;
- downloads: links with a ``download`` attribute, and paths ending in ``.csv``,
  ``.json``, ``.pdf`` or naming NIST (``nist``);
- the JSON API under ``/api/`` (the ``/api`` page describing it is a page);
- static files and links to a fragment of the page being read (``#...``);
- any answer that is not HTML (found on arrival, by its Content-Type).

Each page is visited once: a path with its query, the query's parameters sorted, so
``?a=1&b=2`` and ``?b=2&a=1`` are one page; fragments are dropped. A sweep that needs
one or two pages of each kind (``per_pattern``) counts as one kind the paths that differ
only in their numbers and query values: ``/results/3`` and ``/results/4``.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from collections.abc import Callable, Iterable
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from playwright.sync_api import Error, Page

DOWNLOAD_ENDINGS = (".csv", ".json", ".pdf")
SKIPPED_PREFIXES = ("/logout", "/lang/", "/api/", "/static/")

# Every target one page offers: the links, then each GET form submitted as it stands.
# A form's values are what FormData collects (checked boxes, selected options, the
# inputs' values), plus its first submit button's own name and value, if any.
TARGETS_JS = """
() => {
  const targets = [];
  for (const link of document.querySelectorAll("a[href]")) {
    if (link.hasAttribute("download")) continue;
    const raw = link.getAttribute("href");
    if (!raw || raw.startsWith("#")) continue;
    targets.push(link.href);
  }
  for (const form of document.querySelectorAll("form")) {
    if ((form.getAttribute("method") || "get").toLowerCase() !== "get") continue;
    const data = new FormData(form);
    const button = form.querySelector("button[type=submit][name], input[type=submit][name]");
    if (button) data.append(button.name, button.value);
    const url = new URL(form.action || location.href);
    url.search = new URLSearchParams(data).toString();
    targets.push(url.href);
  }
  return targets;
}
"""


def page_key(url: str) -> str:
    """The path and its query with the parameters sorted; no scheme, host or fragment."""
    parts = urlsplit(url)
    query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    path = parts.path or "/"
    return f"{path}?{query}" if query else path


def pattern(key: str) -> str:
    """The kind of page: the path with its numbers as ``<n>``, and the query's names."""
    path, _, query = key.partition("?")
    names = sorted({name for name, _value in parse_qsl(query, keep_blank_values=True)})
    return re.sub(r"\d+", "<n>", path) + ("?" + "&".join(names) if names else "")


def followed(key: str) -> bool:
    """Whether the crawler opens this path (see the module's docstring for what it skips)."""
    path = key.split("?", 1)[0]
    lowered = path.lower()
    if path.startswith(SKIPPED_PREFIXES) or path == "/logout":
        return False
    return not (lowered.endswith(DOWNLOAD_ENDINGS) or "nist" in lowered)


def crawl(
    page: Page,
    base_url: str,
    start_path: str = "/",
    limit: int = 80,
    on_page: Callable[[Page, str], None] | None = None,
    also: Iterable[str] = (),
    per_pattern: int | None = None,
) -> list[str]:
    """Visit, breadth first, every page reachable from ``start_path`` by links and GET
    forms; return the visited paths (with sorted queries) in the order they were opened.
    A link that redirects counts as the page it lands on.

    At most ``limit`` pages are opened. ``on_page(page, path)``, when given, runs on each
    HTML page once it has loaded, before the crawler reads its links: a test can check
    or photograph every page without opening it a second time. ``also`` names more
    paths to start from, after ``start_path`` (a test that checks every page, not only
    the linked ones); a reachability test leaves it empty. ``per_pattern``, when given,
    opens at most that many pages of each kind (see ``pattern``), besides the start
    pages; a reachability test leaves it out.
    """
    origin = urlsplit(base_url)
    starts = [page_key(urljoin(base_url, path)) for path in (start_path, *also)]
    queue: deque[str] = deque(dict.fromkeys(starts))
    seen = set(queue)
    visited: list[str] = []
    kinds: Counter[str] = Counter()

    def enough(key: str) -> bool:  # the start pages are opened whatever their kind
        return per_pattern is not None and key not in starts and kinds[pattern(key)] >= per_pattern

    while queue and len(visited) < limit:
        key = queue.popleft()
        if enough(key):
            continue
        try:
            response = page.goto(f"{origin.scheme}://{origin.netloc}{key}")
        except Error:  # a download after all, or a page that never loads: not a page
            continue
        content_type = (response.headers.get("content-type", "") if response else "").lower()
        if "text/html" not in content_type:
            continue
        landed = urlsplit(page.url)
        if landed.netloc != origin.netloc:
            continue
        key = page_key(page.url)  # where a redirect led is the page one reads
        if key in visited:
            continue
        if enough(key):
            continue
        seen.add(key)
        visited.append(key)
        kinds[pattern(key)] += 1
        if on_page is not None:
            on_page(page, key)
        for target in page.evaluate(TARGETS_JS):
            parts = urlsplit(target)
            if parts.scheme not in ("http", "https") or parts.netloc != origin.netloc:
                continue
            found = page_key(target)
            if found in seen or not followed(found):
                continue
            seen.add(found)
            queue.append(found)
    return visited
