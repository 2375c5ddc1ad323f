"""Command line: demo data, users and tokens, audit verification, and the one-command start."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from flask_migrate import upgrade
from sqlalchemy import select
from werkzeug.serving import run_simple

from elections import audit
from elections.auth.models import ROLES, User
from elections.auth.services import create_user, issue_token
from elections.demo import DemoLogin, is_empty, load_demo
from elections.errors import ServiceError
from elections.extensions import db

users = AppGroup("users", help="Create users and issue API tokens.")
audit_cli = AppGroup("audit", help="Check the audit trail.")


def _fail(error: ServiceError) -> None:
    db.session.rollback()
    for item in error.items:
        click.echo(f"error: {item.field + ': ' if item.field else ''}{item.message}", err=True)
    sys.exit(1)


@users.command("create")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--commission", "commission_kato", help="KATO of the territorial commission")
@click.option("--precinct", "precinct_id", type=int, help="precinct id, for a precinct secretary")
@click.option("--password-stdin", is_flag=True, required=True, help="read the password from stdin")
def create_user_command(name, role, commission_kato, precinct_id, password_stdin):
    """Create a user with a role and scope."""
    password = sys.stdin.readline().rstrip("\n")
    try:
        user = create_user(
            name, role, password, commission_kato=commission_kato, precinct_id=precinct_id
        )
    except ServiceError as error:
        _fail(error)
    db.session.commit()
    click.echo(f"created user {user.username} ({user.role})")


@users.command("token")
@click.argument("name")
def token_command(name):
    """Print a new API token for the user (shown once; only its hash is kept)."""
    user = db.session.execute(select(User).where(User.username == name)).scalar_one_or_none()
    if user is None:
        click.echo(f"error: no user named {name}", err=True)
        sys.exit(1)
    token = issue_token(user)
    db.session.commit()
    click.echo(token)


@audit_cli.command("verify")
def verify_command():
    """Exit 0 when the hash chain holds; exit 1 naming the first broken event."""
    verdict = audit.verify()
    if verdict.ok:
        click.echo(f"audit trail intact: {verdict.count} events")
        return
    click.echo(f"audit trail broken: {verdict.problem} ({verdict.count} events verified before it)")
    sys.exit(1)


def _logins_file() -> Path:
    return Path(current_app.instance_path) / "demo-logins.txt"


def _print_logins(logins: list[DemoLogin]) -> None:
    click.echo("Demo logins (user / password / role / scope):")
    for login in logins:
        click.echo(f"  {login.username:16} {login.password:18} {login.role:20} {login.scope}")


@click.command("demo")
@click.option(
    "--scale",
    type=click.Choice(["small", "national"]),
    default="small",
    show_default=True,
    help="small: one region to try the service; national: a whole round of rural elections",
)
@click.option(
    "--seed", type=int, default=2026, show_default=True, help="national: same seed, same data"
)
@click.option("--with-protocols", is_flag=True, help="national: a protocol for every precinct")
def demo_command(scale, seed, with_protocols):
    """Load the demo data set into an empty database and print the demo logins once."""
    if not is_empty():
        click.echo(
            "The database already holds data; the demo loads only into an empty one.", err=True
        )
        sys.exit(1)
    if scale == "national":
        _load_national(seed, with_protocols)
        return
    if with_protocols:
        raise click.UsageError("--with-protocols goes with --scale national")
    logins = load_demo()
    db.session.commit()
    _print_logins(logins)


def _load_national(seed: int, with_protocols: bool) -> None:
    from elections import demo_national

    started = time.monotonic()
    plan = demo_national.build_plan(seed, with_protocols=with_protocols)
    with click.progressbar(length=plan.count(), label="Loading the national round") as bar:
        demo_national.load_plan(plan, progress=bar.update)
        db.session.commit()
    for line in demo_national.summary_lines(plan):
        click.echo(line)
    click.echo(f"Loaded {plan.count():,} rows in {time.monotonic() - started:.1f} s.")


@click.command("start")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
def start_command(host, port):
    """Migrate, load the demo data into an empty database, and serve the app."""
    upgrade(directory=current_app.extensions["migrate"].directory)
    path = _logins_file()
    if is_empty():
        logins = load_demo()
        db.session.commit()
        # Kept beside the demo database (instance folder, owner-only) so later starts can show them.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.writelines(f"{x.username}\t{x.password}\t{x.role}\t{x.scope}\n" for x in logins)
    if path.exists():
        rows = [line.split("\t") for line in path.read_text().splitlines() if line]
        # The file keeps username, password, role, scope: name them, DemoLogin's order differs.
        _print_logins([DemoLogin(username=u, password=p, role=r, scope=s) for u, p, r, s in rows])
    click.echo(f"\nServing on http://{host}:{port}/  — sign in at http://{host}:{port}/login")
    # Flask refuses app.run() inside its own CLI; serve through Werkzeug directly.
    run_simple(host, port, current_app._get_current_object(), threaded=True)


def install(app: Flask) -> None:
    app.cli.add_command(users)
    app.cli.add_command(audit_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(start_command)
