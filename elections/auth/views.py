"""Signing in and out of the HTML pages."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_user, logout_user

from elections import ratelimit
from elections.auth import services
from elections.auth.access import public
from elections.auth.forms import LoginForm
from elections.auth.landing import after_sign_in
from elections.auth.models import User
from elections.errors import ServiceError
from elections.extensions import db, login_manager

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.login"
login_manager.login_message = _l("Sign in to continue.")
login_manager.session_protection = "strong"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    return user if user is not None and user.active else None


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    form = LoginForm()
    status = 200
    if request.method == "POST":
        try:  # per client address, before any password is checked; the lockout is per account
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
    if form.validate_on_submit():
        result = services.authenticate(form.username.data, form.password.data)
        db.session.commit()  # failures and lockouts are kept even though sign-in is refused
        if result.user is not None:
            login_user(result.user)
            return redirect(after_sign_in(result.user, request.args.get("next")))
        status = 401
        if result.locked:
            minutes = current_app.config["LOGIN_LOCK_MINUTES"]
            form.form_errors.append(
                _("Too many failed attempts: the account is locked for %(n)d minutes.", n=minutes)
            )
        else:
            form.form_errors.append(_("Wrong user name or password."))
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@public
def logout():
    logout_user()
    flash(_("You are signed out."))
    return redirect(url_for("pages.home"))
