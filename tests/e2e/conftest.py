"""Browser tests: Playwright drives Debian's Chromium against a live server.

The live server runs its own app on its own fresh SQLite file, also when the rest of
the suite runs on PostgreSQL: it commits for real from another thread, so it cannot
share the rolled-back per-test transaction of ``tests/conftest.py``. Its schema comes
from the migrations and its data from the demo set; CSRF protection is on, as in
production. Playwright never downloads a browser here: it launches the system one.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from playwright.sync_api import Browser, Page, sync_playwright
from werkzeug.serving import make_server

from elections import create_app
from elections.core.extensions import db
from elections.demo.region import load_demo
from elections.web import ratelimit

HERE = Path(__file__).parent
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CSP_MARK = "Content Security Policy"
# Chromium reports CSP violations on the console itself; this makes sure each one is
# also logged with the marker, whatever wording the browser version uses.
CSP_REPORTER = f"""
document.addEventListener("securitypolicyviolation", (event) => {{
  console.error(`{CSP_MARK} violation: ${{event.violatedDirective}} ${{event.blockedURI}}`);
}});
"""


def pytest_collection_modifyitems(config, items):
    """Every test in this folder is a browser test that commits for real."""
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.committing)


def chromium_path() -> str | None:
    candidates = [os.environ.get("CHROMIUM_PATH"), "/usr/bin/chromium", shutil.which("chromium")]
    for candidate in candidates:
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = chromium_path()
    if executable is None:
        pytest.skip(
            "Chromium not found: install it with 'apt-get install chromium' (Debian)"
            " to run the browser tests"
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@dataclass
class LiveServer:
    url: str
    app: Flask
    passwords: dict[str, str] = field(default_factory=dict)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    database = tmp_path_factory.mktemp("e2e") / "live.sqlite3"
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
            "SECRET_KEY": "e2e-secret-not-for-production",
            "SESSION_COOKIE_SECURE": False,  # plain http on 127.0.0.1
            "WTF_CSRF_ENABLED": True,
            # The limiter counts per address in process memory: this server runs in the
            # tests' process, so tests/conftest.py's autouse ``_fresh_rate_limits`` empties
            # its windows before and after every browser test too (no test spends another's
            # lookups, whatever the order). The real limit stays on, with room for every
            # lookup one test does.
            "STATUS_LOOKUP_RATE": (60, 60),
        }
    )
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        logins = load_demo()
        db.session.commit()
    ratelimit.reset()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(
            url=f"http://127.0.0.1:{server.server_port}",
            app=app,
            passwords={login.username: login.password for login in logins},
        )
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        ratelimit.reset()
        with app.app_context():
            db.engine.dispose()


@dataclass
class Pages:
    """Opens pages in fresh browser contexts (each with its own cookies) and keeps every
    console message about the Content-Security-Policy the pages reported."""

    browser: Browser
    base_url: str
    csp_violations: list[str] = field(default_factory=list)
    _contexts: list = field(default_factory=list)

    def open(self, **context_options) -> Page:
        context = self.browser.new_context(base_url=self.base_url, **context_options)
        context.set_default_timeout(10_000)
        context.add_init_script(CSP_REPORTER)
        self._contexts.append(context)
        page = context.new_page()
        page.on("console", self._on_console)
        return page

    def _on_console(self, message) -> None:
        if CSP_MARK in message.text:
            where = message.page.url if message.page else "?"
            self.csp_violations.append(f"{where}: {message.text}")

    def close(self) -> None:
        for context in self._contexts:
            context.close()


@pytest.fixture
def pages(browser, live_server) -> Iterator[Pages]:
    opened = Pages(browser, live_server.url)
    yield opened
    opened.close()


@pytest.fixture
def signed_in(pages, live_server) -> Callable[..., Page]:
    """A page signed in through the real login form as one of the demo users."""

    def sign_in(username: str, **context_options) -> Page:
        page = pages.open(**context_options)
        page.goto("/login")
        page.fill("#username", username)
        page.fill("#password", live_server.passwords[username])
        page.locator("main form button[type=submit]").click()
        page.wait_for_url(lambda url: not url.split("?")[0].endswith("/login"))
        assert page.locator(".account .who").inner_text() == username
        return page

    return sign_in
