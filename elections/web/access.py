"""Who may call a view, declared at the view: ``@public`` or ``@roles(...)``.

The app refuses to start while a route has neither (:func:`check_all_routes_guarded`).
Enforcing the rule (credentials, role, scope) is the auth feature's
(elections/auth/access.py); these declarations are what every layer above reads.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, g, request

ROLES = ("cec_admin", "territorial_member", "territorial_chair", "precinct_secretary", "observer")
TERRITORIAL_ROLES = ("territorial_member", "territorial_chair")

EXEMPT_ENDPOINTS = {"static"}


@dataclass(frozen=True)
class AccessRule:
    public: bool
    roles: tuple[str, ...] = ()


def public(view):
    """Anyone, signed in or not, may call this view."""
    view.access_rule = AccessRule(public=True)
    return view


def roles(*allowed: str):
    """Only signed-in users with one of these roles may call this view."""
    unknown = set(allowed) - set(ROLES)
    if unknown or not allowed:
        raise ValueError(f"unknown roles: {sorted(unknown)}")

    def decorate(view):
        view.access_rule = AccessRule(public=False, roles=tuple(allowed))
        return view

    return decorate


class UnguardedRoute(RuntimeError):
    """A route without an access rule: the app will not start with one."""


def check_all_routes_guarded(app: Flask) -> None:
    missing = sorted(
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint not in EXEMPT_ENDPOINTS and not hasattr(view, "access_rule")
    )
    if missing:
        raise UnguardedRoute("routes without an access rule: " + ", ".join(missing))


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def current_actor():
    """The user of this request: from the bearer token on the API, from the session on pages."""
    return g.get("actor")
