"""Where each role starts: the page of its next actions, where sign-in leads."""

from __future__ import annotations

from flask import url_for

from elections.web.i18n import safe_next

# The home of each role; anyone else (and the public) starts on the list of elections.
HOMES = {
    "territorial_member": "commission.index",
    "territorial_chair": "commission.index",
    "precinct_secretary": "protocols.my_precinct",
    "cec_admin": "admin.elections",
    "observer": "observers.home",
}


def home_endpoint(user) -> str:
    return HOMES.get(getattr(user, "role", None), "pages.home")


def home_for(user) -> str:
    """The path of the user's home page."""
    return url_for(home_endpoint(user))


def after_sign_in(user, target: str | None) -> str:
    """A same-site ``next`` when one was given, else the user's home. The public home page
    as ``next`` means nowhere in particular: staff go to their own home instead."""
    safe = safe_next(target)
    return home_for(user) if safe == "/" else safe
