"""Signing in and out of the HTML pages."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user

from elections.auth import services, sessions, throttle
from elections.auth.forms import LoginForm
from elections.auth.landing import after_sign_in
from elections.auth.models import User
from elections.core import audit
from elections.core.audit import Action
from elections.core.errors import ServiceError
from elections.core.extensions import db, login_manager
from elections.web import ratelimit
from elections.web.access import public

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.login"
login_manager.login_message = _l("Sign in to continue.")
login_manager.session_protection = "strong"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Only while the server-side session of this cookie is open and its user active."""
    return sessions.load(user_id)


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    form = LoginForm()
    status = 200
    if request.method == "POST":
        try:  # per client address, before any password is checked (throttle.py: per name too)
            ratelimit.check("login", "LOGIN_RATE")
        except ServiceError as error:
            seconds = int(error.headers["Retry-After"])
            form.form_errors.append(
                _(
                    "Too many sign-in attempts from this address. Try again in %(n)d seconds.",
                    n=seconds,
                )
            )
            return render_template("auth/login.html", form=form), 429, error.headers
        try:  # per user name typed (hashed), from every address: any name, existing or not
            name = ratelimit.account_key(request.form.get("username"))
            ratelimit.check("login-account", "LOGIN_ACCOUNT_RATE", name)
        except ServiceError as error:
            seconds = int(error.headers["Retry-After"])
            form.form_errors.append(
                _(
                    "Too many sign-in attempts for this user name. Try again in %(n)d seconds.",
                    n=seconds,
                )
            )
            return render_template("auth/login.html", form=form), 429, error.headers
    if form.validate_on_submit():
        address = throttle.client_address()
        result = services.authenticate(form.username.data, form.password.data, address)
        key = sessions.start(result.user, address) if result.user is not None else None
        db.session.commit()  # failures are kept even though sign-in is refused
        if result.user is not None:
            login_user(result.user)
            session[sessions.SESSION_KEY] = key
            return redirect(after_sign_in(result.user, request.args.get("next")))
        if result.retry_after:  # one answer whether the name exists or not
            form.form_errors.append(
                _(
                    "Too many failed sign-ins. Try again in %(n)d seconds.",
                    n=result.retry_after,
                )
            )
            headers = {"Retry-After": str(result.retry_after)}
            return render_template("auth/login.html", form=form), 429, headers
        status = 401
        form.form_errors.append(_("Wrong user name or password."))
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@public
def logout():
    if current_user.is_authenticated:
        user = current_user._get_current_object()
        ended = sessions.end_current()
        audit.record(Action.USER_LOGGED_OUT, "user", user.id, {"session": ended}, user)
        db.session.commit()
    session.pop(sessions.SESSION_KEY, None)
    logout_user()
    flash(_("You are signed out."))
    return redirect(url_for("pages.home"))
