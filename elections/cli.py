"""Command line: demo data, users and tokens, audit verification, and the one-command start."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import NoReturn

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from flask_babel import gettext as _
from flask_migrate import upgrade
from sqlalchemy import Engine, create_engine, inspect, select, text
from sqlalchemy.exc import OperationalError, ProgrammingError
from werkzeug.serving import run_simple

from elections.audit import checks as audit_checks
from elections.auth import services as account
from elections.auth.models import ROLES, User
from elections.auth.services import issue_token
from elections.core import audit, sqlite
from elections.core.db import utcnow
from elections.core.errors import ServiceError
from elections.core.extensions import db
from elections.demo.region import DemoLogin, holds_demo, is_empty, load_demo
from elections.observers import files as kept_files
from elections.observers import scans as kept_scans
from elections.observers.accreditation import create_account
from elections.observers.s3 import StoreUnavailable
from elections.territory.accounts import create_user
from elections.territory.services import get_election
from elections.voters import erasure, importing

users = AppGroup("users", help="Create users and issue API tokens.")
audit_cli = AppGroup("audit", help="Check the audit trail.")
scans_cli = AppGroup("scans", help="Check and move the kept scans and photos.")


def _refuse(message: str) -> NoReturn:
    """Exit 1 with the message, in the language of the environment's locale (else English)."""
    db.session.rollback()
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


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
@click.option("--observer", "accreditation_id", type=int, help="accreditation id, for an observer")
@click.option("--password-stdin", is_flag=True, required=True, help="read the password from stdin")
def create_user_command(name, role, commission_kato, precinct_id, accreditation_id, password_stdin):
    """Create a user with a role and scope."""
    password = sys.stdin.readline().rstrip("\n")
    try:
        if role == "observer":  # scoped by the accreditation's precincts
            user = create_account(name, password, accreditation_id or 0)
        else:
            user = create_user(
                name, role, password, commission_kato=commission_kato, precinct_id=precinct_id
            )
    except ServiceError as error:
        _fail(error)
    db.session.commit()
    click.echo(f"created user {user.username} ({user.role})")


def _user_named(name: str) -> User:
    user = db.session.execute(select(User).where(User.username == name)).scalar_one_or_none()
    if user is None:
        _refuse(_("There is no user named %(name)s.", name=name))
    return user


@users.command("token")
@click.argument("name")
@click.option(
    "--expires-in",
    "days",
    type=click.IntRange(1, 366),
    default=30,
    show_default=True,
    help="days until the token stops working",
)
def token_command(name, days):
    """Print a new API token for the user (shown once; only its hash is kept)."""
    token = issue_token(_user_named(name), expires_in_days=days)
    db.session.commit()
    click.echo(token)


@users.command("tokens")
@click.argument("name")
def tokens_command(name):
    """List the user's tokens: created, expires, last used (to the minute), state."""
    with sqlite.reading():
        user = _user_named(name)
        tokens = account.tokens_of(user)
    db.session.rollback()
    now = utcnow()
    click.echo("id\tcreated\texpires\tlast used\tstate")
    for token in tokens:
        cells = (token.created_at, token.expires_at, token.last_used_at)
        shown = [f"{moment:%Y-%m-%d %H:%M}Z" if moment else "-" for moment in cells]
        click.echo("\t".join([str(token.id), *shown, account.token_state(token, now)]))


@users.command("revoke-tokens")
@click.argument("name")
def revoke_tokens_command(name):
    """Every token of the user stops working at once."""
    revoked = account.revoke_tokens(_user_named(name))
    db.session.commit()
    click.echo(f"revoked {revoked} tokens of {name}")


@users.command("deactivate")
@click.argument("name")
def deactivate_command(name):
    """The user can no longer sign in; their sessions end and their tokens are revoked."""
    account.deactivate(_user_named(name))
    db.session.commit()
    click.echo(f"deactivated {name}")


@users.command("set-password")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, required=True, help="read the password from stdin")
def set_password_command(name, password_stdin):
    """Give the user a new password; every session of the user ends."""
    password = sys.stdin.readline().rstrip("\n")
    try:
        account.set_password(_user_named(name), password)
    except ServiceError as error:
        _fail(error)
    db.session.commit()
    click.echo(f"password changed for {name}; their sessions are ended")


@audit_cli.command("verify")
@click.option("--expect-head", metavar="SEQ:HASH", help="a head kept from GET /audit/head")
@click.option("--checkpoints", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--public-key", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def verify_command(expect_head, checkpoints, public_key):
    """Exit 0 when the hash chain holds, the kept head and signed checkpoints are still in it,
    and every protocol and certified result matches its digest; exit 1 naming what does not."""
    if expect_head is not None:
        try:
            expected = audit_checks.parse_head(expect_head)
        except ValueError:
            _refuse(f"--expect-head takes SEQ:HASH (a 64-digit hex hash), not {expect_head!r}")
    if checkpoints is not None and public_key is None:
        _refuse("--checkpoints needs --public-key")
    problems = []
    with sqlite.reading():  # reads only: a server on the same SQLite file keeps writing
        bind = db.session.get_bind()
        if isinstance(bind, Engine) and bind.dialect.name == "postgresql":
            # One snapshot for the heads and the events while saves go on (SQLite's deferred
            # read is one already).
            db.session.connection(
                execution_options={
                    "isolation_level": "REPEATABLE READ",
                    "postgresql_readonly": True,
                }
            )
        verdict = audit.verify()
        if not verdict.ok:
            problems.append(f"{verdict.problem} ({verdict.count} events verified before it)")
        if expect_head is not None:
            problem = audit_checks.holds(*expected)
            if problem:
                problems.append(f"expected head: {problem}")
        if checkpoints is not None:
            report = audit_checks.verify_checkpoints(checkpoints, public_key)
            problems += report.problems
        problems += audit_checks.verify_records()
    db.session.rollback()
    if not problems:
        click.echo(f"audit trail intact: {verdict.count} events")
        if expect_head is not None:
            click.echo(f"the chain holds event {expected[0]} with hash {expected[1]}")
        if checkpoints is not None:
            click.echo(f"{report.checked} signed checkpoints verified")
        return
    for problem in problems:
        click.echo(f"audit trail broken: {problem}")
    sys.exit(1)


@audit_cli.command("checkpoint")
def checkpoint_command():
    """Append the current head, signed with the key in ELECTIONS_AUDIT_KEY_FILE, to
    ELECTIONS_AUDIT_CHECKPOINTS (default: instance/audit-checkpoints.jsonl)."""
    key_file = os.environ.get("ELECTIONS_AUDIT_KEY_FILE")
    if not key_file:
        _refuse("set ELECTIONS_AUDIT_KEY_FILE to the file of the signing key (audit keygen)")
    out = audit_checks.checkpoints_path(current_app)
    try:
        audit_checks.load_private(Path(key_file))  # before anything is written
    except (OSError, ValueError) as error:
        _refuse(f"cannot sign a checkpoint: {error}")
    audit_checks.anchor_if_moved()  # the national head signed then vouches for every chain
    with sqlite.reading():
        try:
            point = audit_checks.checkpoint(Path(key_file), out)
        except (OSError, ValueError) as error:
            _refuse(f"cannot sign a checkpoint: {error}")
    db.session.rollback()
    click.echo(f"checkpoint: event {point['seq']} hash {point['hash']} appended to {out}")


@audit_cli.command("anchor")
def anchor_command():
    """Anchor every territorial commission's chain head into the national chain (run it every
    minute on election night: the public head then vouches for the commissions' events)."""
    heads = audit_checks.anchor_if_moved()
    if heads is None:
        click.echo("no commission chain moved since the last anchor")
        return
    click.echo(
        f"anchored the heads of {len(heads)} commission chain(s): "
        f"national head {audit_checks.head()['seq']}"
    )


@audit_cli.command("keygen")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def keygen_command(path):
    """Write a new Ed25519 signing key to PATH (mode 0600) and its public key to PATH.pub."""
    try:
        public = audit_checks.keygen(path)
    except FileExistsError:
        _refuse(f"{path} exists: a key is never overwritten")
    click.echo(f"private key: {path} (keep it outside the repository and the database)")
    click.echo(f"public key: {public} (give it to whoever verifies the checkpoints)")


# --- the demo and its logins -------------------------------------------------------------
# The logins file keeps, beside the passwords, the database it belongs to and each user's
# password hash as that database stored it: a login is shown only while the database being
# served holds that very user with that very hash, so a file left from another database (a
# reset, another ELECTIONS_DATABASE_URL, a restored copy) never shows its passwords.

LOGINS_HEADER = "# Demo logins; shown only for the database below, while it holds these users."


def _logins_file() -> Path:
    configured = os.environ.get("ELECTIONS_DEMO_LOGINS_FILE")
    return Path(configured) if configured else Path(current_app.instance_path) / "demo-logins.txt"


def _database_identity() -> str:
    url = db.engine.url
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        url = url.set(database=str(Path(url.database).resolve()))
    return url.render_as_string(hide_password=True)


def _stored_hashes(names: list[str]) -> dict[str, str]:
    rows = db.session.execute(
        select(User.username, User.password_hash).where(User.username.in_(names))
    )
    return {username: password_hash for username, password_hash in rows}


def _remember_logins(logins: list[DemoLogin]) -> None:
    """Keep the logins of the demo just committed, bound to this database (owner-only file)."""
    hashes = _stored_hashes([login.username for login in logins])
    path = _logins_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    # A new owner-only file beside the target, renamed over it: whatever was at the path (a
    # file of another mode, a symlink to anywhere) is replaced, never written through.
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(f"{LOGINS_HEADER}\ndatabase\t{_database_identity()}\n")
            handle.writelines(
                f"login\t{x.username}\t{x.password}\t{x.role}\t{x.scope}\t{hashes[x.username]}\n"
                for x in logins
            )
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def _known_logins() -> list[DemoLogin]:
    """The remembered logins that belong to the database being served; none for another one."""
    path = _logins_file()
    if not path.exists():
        return []
    rows = [line.split("\t") for line in path.read_text().splitlines()]
    if ["database", _database_identity()] not in rows:
        return []
    kept = [row[1:] for row in rows if row[0] == "login" and len(row) == 6]
    hashes = _stored_hashes([username for username, *_rest in kept])
    return [
        DemoLogin(username=username, password=password, role=role, scope=scope)
        for username, password, role, scope, stored in kept
        if hashes.get(username) == stored
    ]


def _print_logins(logins: list[DemoLogin]) -> None:
    click.echo("Demo logins (user / password / role / scope):")
    for login in logins:
        click.echo(f"  {login.username:16} {login.password:18} {login.role:20} {login.scope}")


def _is_default_demo_database() -> bool:
    url = db.engine.url
    default = Path(current_app.instance_path) / "elections.sqlite3"
    return (
        url.get_backend_name() == "sqlite"
        and url.database not in (None, "", ":memory:")
        and Path(url.database).resolve() == default.resolve()
    )


def _reset_demo_database() -> None:
    """Delete the default SQLite demo database and migrate a new, empty one in its place."""
    if not _is_default_demo_database():
        _refuse(
            _(
                "--reset works only on the demo's own SQLite database in the instance folder; "
                "this command uses another database, which it leaves alone."
            )
        )
    database = Path(db.engine.url.database).resolve()
    if database.exists():
        with sqlite.reading():
            try:
                ours = holds_demo() or is_empty()
            except OperationalError:  # not migrated: ours only if it holds no table at all
                db.session.rollback()
                ours = not inspect(db.engine).get_table_names()
        if not ours:
            _refuse(_("The database holds data that is not the demo: --reset leaves it alone."))
        sqlite.release(db.session, db.engine)
        # Leaving WAL mode needs the only connection to the file: a server still using it is
        # found here, before anything is deleted.
        probe = sqlite3.connect(database, timeout=1)
        try:
            mode = probe.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
        except sqlite3.OperationalError:
            mode = "busy"
        finally:
            probe.close()
        if mode != "delete":
            _refuse(_("The demo database is in use: stop the server first, then reset."))
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
    _logins_file().unlink(missing_ok=True)
    upgrade(directory=current_app.extensions["migrate"].directory)


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
@click.option(
    "--with-voters", is_flag=True, help="national: every precinct's voter list (12 M voters)"
)
@click.option(
    "--reset",
    is_flag=True,
    help="delete the default SQLite demo database (instance/elections.sqlite3) and load a "
    "new demo with new passwords; refused for any other database",
)
def demo_command(scale, seed, with_protocols, with_voters, reset):
    """Load the demo data set into an empty database and print the demo logins."""
    if (with_protocols or with_voters) and scale != "national":
        raise click.UsageError("--with-protocols and --with-voters go with --scale national")
    if reset:
        _reset_demo_database()
    # IMMEDIATE on SQLite: a concurrent start or demo waits, then finds the data loaded.
    if not _migrated_and_empty():
        _refuse(
            _(
                "The database already holds data (units, parties or users); the demo loads "
                "only into an empty one."
            )
        )
    if scale == "national":
        _load_national(seed, with_protocols, with_voters)
        return
    logins = load_demo()
    db.session.commit()
    _print_logins(logins)
    _remember_logins(logins)
    db.session.rollback()


def _migrated_and_empty() -> bool:
    try:
        return is_empty()
    except (OperationalError, ProgrammingError):  # no tables: SQLite, PostgreSQL
        _refuse(_("The database has no tables yet: run `flask --app elections db upgrade` first."))


def _load_national(seed: int, with_protocols: bool, with_voters: bool = False) -> None:
    from elections.demo import national as demo_national

    started = time.monotonic()
    plan = demo_national.build_plan(seed, with_protocols=with_protocols)
    with click.progressbar(length=plan.count(), label="Loading the national round") as bar:
        demo_national.load_plan(plan, progress=bar.update)
        db.session.commit()
    for line in demo_national.summary_lines(plan):
        click.echo(line)
    click.echo(f"Loaded {plan.count():,} rows in {time.monotonic() - started:.1f} s.")
    if with_voters:
        voters = plan.summary["voters"]
        with click.progressbar(length=voters, label="Writing the voter lists") as bar:
            written = demo_national.load_voters(plan, progress=bar.update)
            db.session.commit()
        click.echo(f"{written:,} voters on {len(plan.rows['precincts']):,} lists.")


def _demo_for_start() -> list[DemoLogin]:
    """Load the demo when the database is empty; the logins to show, of this database only."""
    with sqlite.reading():  # most starts find data: they look without taking the write lock
        empty = is_empty()
    db.session.rollback()
    if empty and is_empty():  # again, now holding the write lock (SQLite): one start loads it
        logins = load_demo()
        db.session.commit()
        _remember_logins(logins)
        db.session.rollback()
        return logins
    db.session.rollback()
    with sqlite.reading():
        logins = _known_logins()
        if not logins and holds_demo() and _is_default_demo_database():
            click.echo(
                _(
                    "The logins of this demo are not known here. "
                    "`flask --app elections demo --reset` loads a new demo with new logins."
                )
            )
    db.session.rollback()
    return logins


@click.command("start")
@click.option("--host", default="127.0.0.1", show_default=True, help="address to listen on")
@click.option("--port", default=5000, type=int, show_default=True, help="port to listen on")
def start_command(host, port):
    """Migrate, load the demo data into an empty database, and serve the app."""
    upgrade(directory=current_app.extensions["migrate"].directory)
    logins = _demo_for_start()
    # Nothing of the above may outlive it: an open transaction would keep SQLite's write lock
    # for the server's whole life, and every sign-in and save would wait for it in vain.
    sqlite.release(db.session, db.engine)
    if logins:
        _print_logins(logins)
    click.echo(f"\nServing on http://{host}:{port}/  — sign in at http://{host}:{port}/login")
    # Flask refuses app.run() inside its own CLI; serve through Werkzeug directly.
    run_simple(host, port, current_app._get_current_object(), threaded=True)


@click.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(target: Path):
    """Copy the SQLite database to TARGET while the service runs (PostgreSQL: see
    docs/deployment.md, "Backups": a base backup and the WAL archive)."""
    if db.engine.dialect.name != "sqlite":
        _refuse("backup copies a SQLite database; PostgreSQL is backed up by pg_basebackup")
    if target.exists():
        _refuse(f"{target} exists already: name a new file")
    started = time.monotonic()
    size = sqlite.backup(db.engine, target)
    copy = create_engine(f"sqlite:///{target}")
    with copy.connect() as connection:
        seq, digest = connection.execute(
            text("SELECT seq, hash FROM audit_head WHERE chain = 'national'")
        ).one()
    copy.dispose()
    click.echo(
        f"backed up {size:,} bytes to {target} in {time.monotonic() - started:.2f} s; "
        f"its national audit head is {seq}:{digest}"
    )


voters_cli = AppGroup("voters", help="Load the voter lists compiled by the akimats.")


@voters_cli.command("import")
@click.argument("election_id", type=int)
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--accept-valid", is_flag=True, help="load the valid rows of a file with refused ones"
)
def import_voters_command(election_id, path, accept_valid):
    """Load one CSV per precinct (named by its number, 401.csv), or one such file."""
    try:
        election = get_election(election_id)
    except ServiceError as error:
        _fail(error)
    files = importing.list_files(path)
    if not files:
        _refuse(_("No CSV file found in %(path)s.", path=str(path)))
    results = []
    with click.progressbar(files, label=_("Voter lists"), item_show_func=_file_name) as bar:
        for result in importing.import_files(election, bar, accept_valid):
            results.append(result)
    for result in results:
        click.echo(_summary(result))
    loaded = sum(1 for r in results if r.loaded is not None)
    click.echo(_("%(loaded)d of %(files)d files loaded.", loaded=loaded, files=len(results)))
    if loaded < len(results):
        sys.exit(1)


@voters_cli.command("erase")
@click.argument("election_id", type=int)
def erase_voters_command(election_id):
    """Erase a settled election's voter lists and signers' names (docs/personal-data.md)."""
    try:
        erased = erasure.erase_personal_data(get_election(election_id), None)
    except ServiceError as error:
        _fail(error)
    db.session.commit()
    click.echo(
        _(
            "Erased: %(voters)d voters, the names of %(rows)d signature rows.",
            voters=erased["voters"],
            rows=erased["signature_rows"],
        )
    )


@scans_cli.command("check")
def check_scans_command():
    """Read back every kept scan and photo from the store and check its digest."""
    states = {"kept": 0, "missing": 0, "damaged": 0}
    try:
        for sha256 in kept_scans.kept_digests():
            state = kept_files.state_of(sha256)
            states[state] += 1
            if state != "kept":
                click.echo(f"{state}: {sha256}")
    except StoreUnavailable as error:
        _refuse(_("The file store did not answer: %(error)s", error=str(error)))
    click.echo(
        _(
            "%(kept)d files kept, %(missing)d missing, %(damaged)d damaged.",
            kept=states["kept"],
            missing=states["missing"],
            damaged=states["damaged"],
        )
    )
    if states["missing"] or states["damaged"]:
        sys.exit(1)


@scans_cli.command("copy")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
def copy_scans_command(folder):
    """Copy the kept files of a folder store into the configured store (to move to S3)."""
    try:
        copied, refused = kept_files.copy_from_folder(folder, kept_scans.kept_digests())
    except ServiceError as error:
        _fail(error)
    click.echo(
        _(
            "%(copied)d files copied; %(refused)d not found or damaged in the folder.",
            copied=copied,
            refused=refused,
        )
    )
    if refused:
        sys.exit(1)


def _file_name(path: Path | None) -> str:
    return path.name if path else ""


def _summary(result) -> str:
    name = result.path.name
    refused = ", ".join(f"{code} {count}" for code, count in sorted(result.refused.items()))
    lines = ", ".join(str(n) for n in result.lines[:10]) + ("…" if len(result.lines) > 10 else "")
    if result.problem:
        return _("%(file)s: refused: %(why)s", file=name, why=result.problem)
    if result.loaded is None:
        return _(
            "%(file)s: refused, nothing loaded: %(refused)s (lines %(lines)s)",
            file=name,
            refused=refused,
            lines=lines,
        )
    if result.refused:
        return _(
            "%(file)s: %(voters)d voters loaded; rows refused: %(refused)s (lines %(lines)s)",
            file=name,
            voters=result.loaded,
            refused=refused,
            lines=lines,
        )
    return _("%(file)s: %(voters)d voters loaded", file=name, voters=result.loaded)


def install(app: Flask) -> None:
    app.cli.add_command(users)
    app.cli.add_command(audit_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(start_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(voters_cli)
    app.cli.add_command(scans_cli)
