"""Election administration for the direct elections of akims in Kazakhstan."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from elections.core.db import INTEGER_MAX, track_writes


class StorableInt(IntegerConverter):
    """``<int:...>`` ids beyond what an INTEGER column holds name nothing: they become 0, which
    no row has, so every view answers its usual 404 (a converter refusal would turn into 405s)."""

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        return number if number <= INTEGER_MAX else 0


def _template_folder() -> str:
    """templates/ at the top of a checkout, or elections/templates inside an installed wheel."""
    packaged = Path(__file__).parent / "templates"
    return str(packaged if packaged.is_dir() else Path(__file__).parent.parent / "templates")


def create_app(overrides: dict | None = None) -> Flask:
    from elections.auth.access import install
    from elections.core import config, replica, sqlite
    from elections.core.extensions import babel, csrf, db, login_manager, migrate
    from elections.web import (
        errors,
        forms,
        health,
        i18n,
        metrics,
        ratelimit,
        request_log,
        security,
        uploads,
    )
    from elections.web.access import check_all_routes_guarded

    app = Flask(__name__, template_folder=_template_folder(), instance_relative_config=True)
    app.url_map.converters["int"] = StorableInt
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(config.from_environment(app.instance_path))
    app.config.update(overrides or {})
    config.finalise(app.config)
    if app.config["PROXY_COUNT"] > 0:  # the real client and scheme behind nginx
        proxies = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)

    db.init_app(app)
    replica.install(app)
    # First, so that their after-request hooks run last and time the whole request.
    request_log.install(app)
    metrics.install(app)
    ratelimit.install(app)
    uploads.install(app)  # before the CSRF check reads a form
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    translations = i18n.compile_catalogs(Path(app.instance_path) / "translations")
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(translations)
    babel.init_app(app, locale_selector=i18n.select_locale)
    with app.app_context():
        sqlite.configure(db.engine)
        track_writes(db.engine)

    _register_blueprints(app)
    install(app)
    forms.install(app)  # no form post names a field twice or holds a NUL byte
    errors.register_error_handlers(app)
    app.after_request(security.add_headers)
    app.register_blueprint(health.bp)
    _register_template_helpers(app)
    _register_cli(app)
    check_all_routes_guarded(app)
    return app


def api_blueprints() -> tuple:
    """The blueprints of /api/v1, each operation declared at its route (elections/web/api.py)."""
    from elections.audit import api as audit_api
    from elections.ballots import api as ballots_api
    from elections.candidates import api as candidates_api
    from elections.candidates import calendar_api, rule_decisions
    from elections.observers import api as observers_api
    from elections.results import api as results_api
    from elections.results import invalidity_views
    from elections.territory import api as territory_api
    from elections.voters import api as voters_api
    from elections.web import openapi

    return (
        territory_api.bp,
        candidates_api.bp,
        calendar_api.bp,
        ballots_api.bp,
        results_api.bp,
        invalidity_views.api_bp,
        audit_api.bp,
        openapi.bp,
        rule_decisions.bp,
        voters_api.bp,
        observers_api.bp,
    )


def _register_blueprints(app: Flask) -> None:
    from elections.auth import metrics_page
    from elections.auth import views as auth_views
    from elections.ballots import desk  # noqa: F401 (the commission's home, on its blueprint)
    from elections.ballots import views as ballot_views
    from elections.candidates import calendar_views, rule_decisions_views, rule_page
    from elections.candidates import views as candidate_views
    from elections.core.extensions import csrf
    from elections.observers import views as observer_views
    from elections.printing import views as printing_views
    from elections.results import invalidity_views
    from elections.results import views as results_views
    from elections.territory import home as pages
    from elections.territory import hours_views
    from elections.territory import views as territory_views
    from elections.voters import views as voter_views
    from elections.web import api as web_api
    from elections.web import i18n

    apis = api_blueprints()
    for api in apis:
        csrf.exempt(api)  # bearer tokens, not cookies: no cross-site form can send one
    web_api.install(app, apis)
    for blueprint in (
        metrics_page.bp,
        pages.bp,
        i18n.bp,
        auth_views.bp,
        territory_views.bp,
        candidate_views.bp,
        candidate_views.public_bp,
        calendar_views.bp,
        ballot_views.bp,
        ballot_views.public_bp,
        results_views.bp,
        invalidity_views.bp,
        printing_views.bp,
        rule_page.bp,
        rule_decisions_views.bp,
        hours_views.bp,
        voter_views.bp,
        voter_views.public_bp,
        observer_views.bp,
        observer_views.public_bp,
    ):
        app.register_blueprint(blueprint)


def _register_template_helpers(app: Flask) -> None:
    from elections.candidates import labels as candidate_labels
    from elections.territory import labels
    from elections.web import templating

    templating.install(app)
    for words in (labels, candidate_labels):  # the reader's words for the app's codes
        app.jinja_env.filters.update(words.FILTERS)
        app.jinja_env.globals.update(words.GLOBALS)


def _register_cli(app: Flask) -> None:
    from elections import cli

    cli.install(app)
