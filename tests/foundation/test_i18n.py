"""Kazakh by default, Russian and English on request; the language switch stays on the site."""

from __future__ import annotations

import pytest

from elections.web.i18n import safe_next


@pytest.mark.parametrize(
    ("query", "language"),
    [("", "kk"), ("?lang=ru", "ru"), ("?lang=en", "en"), ("?lang=kk", "kk"), ("?lang=xx", "kk")],
    ids=["default Kazakh", "Russian", "English", "Kazakh", "unknown code"],
)
def test_lang_parameter_sets_the_page_language(client, query, language):
    page = client.get("/" + query).get_data(as_text=True)
    assert f'<html lang="{language}">' in page


def test_the_switch_sets_a_cookie_and_returns_to_the_page(client):
    response = client.get("/lang/ru?next=/login")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("lang="))
    assert cookie.startswith("lang=ru;")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert '<html lang="ru">' in client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in client.get("/?lang=en").get_data(as_text=True)


def test_an_unknown_language_sets_no_cookie(client):
    response = client.get("/lang/xx?next=/login")
    assert response.status_code == 302
    assert not [c for c in response.headers.getlist("Set-Cookie") if c.startswith("lang=")]
    assert '<html lang="kk">' in client.get("/").get_data(as_text=True)


OFF_SITE = [
    ("https://evil.example/", "absolute URL"),
    ("//evil.example/", "scheme-relative URL"),
    ("/\\evil.example", "backslash, read as a slash by browsers"),
    ("/\t/evil.example", "tab, dropped by browsers"),
    ("/\n/evil.example", "newline, dropped by browsers"),
    ("/\r\nSet-Cookie: a=b", "header injection"),
    ("javascript:alert(1)", "javascript: URL"),
    ("evil.example", "relative path"),
    ("", "empty"),
]


@pytest.mark.parametrize("target", [o[0] for o in OFF_SITE], ids=[o[1] for o in OFF_SITE])
def test_the_switch_never_leaves_the_site(client, target):
    response = client.get("/lang/ru", query_string={"next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("target", [o[0] for o in OFF_SITE], ids=[o[1] for o in OFF_SITE])
def test_safe_next_refuses_off_site_targets(target):
    assert safe_next(target) == "/"


@pytest.mark.parametrize(
    "target", ["/", "/login", "/admin/elections/3?tab=precincts", "/elections/1#results"]
)
def test_safe_next_keeps_local_paths(target):
    assert safe_next(target) == target
