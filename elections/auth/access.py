"""Access rules that fail closed: who is calling, and whether the view lets them.

Every view declares who may call it with ``@public`` or ``@roles(...)``; the app
refuses to start when a route has neither. Role checks happen before the view
runs; scope checks (is this election, precinct or candidate inside the user's
commission?) load the object and call ``ensure_*`` helpers here.
"""

from __future__ import annotations

from flask import Flask, current_app, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from elections.auth import sessions
from elections.auth.models import TERRITORIAL_ROLES, ApiToken, User
from elections.core.db import utcnow
from elections.core.errors import ErrorItem, ServiceError, forbidden, not_found
from elections.core.extensions import db
from elections.web.access import EXEMPT_ENDPOINTS, AccessRule, is_api_request


def bearer_user(required: bool = False) -> User | None:
    """The user of the request's API token; None without one (a 401 when ``required``)."""
    header = request.headers.get("Authorization", "")
    if not header:
        if required:
            raise _unauthorized()
        return None
    scheme, _sep, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthorized()
    # The user comes in the same query: every API call pays for this lookup.
    found = db.session.execute(
        select(User, ApiToken)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == ApiToken.digest(token.strip()))
    ).one_or_none()
    if found is None:
        raise _unauthorized()
    user, stored = found
    now = utcnow()
    if (
        not user.active
        or stored.revoked_at is not None
        or (stored.expires_at is not None and stored.expires_at <= now)
    ):
        raise _unauthorized()
    sessions.note_token_use(stored.id, stored.last_used_at)
    return user


def _unauthorized() -> ServiceError:
    return ServiceError(
        401,
        [ErrorItem("unauthorized", _("Sign in or send a valid API token."))],
        {"WWW-Authenticate": 'Bearer realm="elections"'},
    )


def enforce_access() -> object | None:
    """before_request hook: authenticate, then apply the view's declared rule."""
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    if view is None or request.endpoint in EXEMPT_ENDPOINTS:
        return None
    rule: AccessRule | None = getattr(view, "access_rule", None)
    if rule is None:  # unreachable after the start-up check; fail closed all the same
        raise not_found()
    if is_api_request():
        g.actor = bearer_user()
    else:
        g.actor = current_user if current_user.is_authenticated else None
        sessions.note_session_use()
    # Named now, for the request log: after the commit the user is expired, and reading
    # the name then would cost every request another query.
    g.actor_name = getattr(g.actor, "username", None)
    if rule.public:
        return None
    if g.actor is None:
        if is_api_request():
            raise _unauthorized()
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if g.actor.role not in rule.roles:
        raise forbidden()
    return None


def install(app: Flask) -> None:
    app.before_request(enforce_access)


def organises(user: User, election) -> bool:
    return user.role in TERRITORIAL_ROLES and user.commission_unit_id == election.organiser_id


def ensure_organiser(user: User, election, *, chair: bool = False) -> None:
    """Territorial staff act only on elections their commission organises."""
    if not organises(user, election):
        raise not_found()
    if chair and user.role != "territorial_chair":
        raise forbidden()


def ensure_precinct_access(user: User, precinct) -> None:
    """A secretary reaches only their own precinct; the organising commission reaches all."""
    if user.role == "precinct_secretary":
        if user.precinct_id != precinct.id:
            raise not_found()
        return
    ensure_organiser(user, precinct.election)
