"""The live app that schemathesis fuzzes: its own database, migrated, with the demo data.

A fresh SQLite file; with ELECTIONS_TEST_DATABASE_URL, a fresh PostgreSQL database beside
the test database instead (tests/fuzz/conftest.py makes and drops it).

One bearer token per role (the demo's users), realistic ids for path parameters, the
checks every response must pass, and a tally of what ran for the closing summary.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import schemathesis
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import select

from elections import create_app
from elections.auth.models import ROLES, User
from elections.auth.services import issue_token
from elections.ballots.models import ProtocolVersion
from elections.candidates.models import Candidate
from elections.core.extensions import db
from elections.demo.region import load_demo
from elections.observers.models import Accreditation, Difference
from elections.territory.models import Election, Precinct, Unit

ANONYMOUS = "anonymous"
IDENTITIES = (ANONYMOUS, *ROLES)


@dataclass
class Tally:
    """What the fuzz run did, for the line at the end of the pytest run."""

    operations: set[str] = field(default_factory=set)
    cases: int = 0
    by_status: dict[int, int] = field(default_factory=dict)

    def count(self, label: str, status: int) -> None:
        self.operations.add(label)
        self.cases += 1
        self.by_status[status] = self.by_status.get(status, 0) + 1


TALLY = Tally()


@dataclass
class LiveApp:
    app: Flask
    schema: schemathesis.BaseSchema
    headers: dict[str, dict[str, str]]
    ids: dict[str, list]  # "election_id", "candidate_id", "election_id/precinct_id"

    def operation(self, method: str, path: str):
        return self.schema[path][method.upper()]

    def path_parameters(self, names: tuple[str, ...]) -> list[dict]:
        """Realistic values for the path parameters of an operation, every combination known."""
        if not names:
            return []
        if set(names) == {"election_id", "precinct_id"}:
            return [{"election_id": e, "precinct_id": p} for e, p in self.ids["precinct"]]
        if set(names) == {"election_id", "precinct_id", "difference_id"}:
            return [
                {"election_id": e, "precinct_id": p, "difference_id": d}
                for e, p, d in self.ids["difference"]
            ]
        if set(names) == {"election_id", "rule"}:
            # a rule no source confirms (the commission may turn it on) and one a source does
            return [
                {"election_id": e, "rule": rule}
                for e in self.ids["election_id"]
                for rule in ("max_consecutive_terms", "min_age")
            ]
        (name,) = names
        return [{name: value} for value in self.ids[name]]


def _first_user(role: str) -> User:
    """The demo's first user of that role: for the commission, Zerendi's, which organises
    the open rural election and the certified one."""
    users = db.session.execute(select(User).where(User.role == role).order_by(User.id)).scalars()
    return next(iter(users))


def build(database_url: str) -> LiveApp:
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "fuzzing-secret-not-for-production",
            # The lookup is rate-limited per client; the fuzzer is one client sending hundreds.
            "STATUS_LOOKUP_RATE": (1_000_000, 60),
        }
    )
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        load_demo()
        headers = {ANONYMOUS: {}}
        for role in ROLES:
            headers[role] = {"Authorization": f"Bearer {issue_token(_first_user(role))}"}
        db.session.commit()
        ids = {
            "election_id": list(db.session.execute(select(Election.id)).scalars()),
            "candidate_id": list(db.session.execute(select(Candidate.id)).scalars()),
            "kato": list(db.session.execute(select(Unit.kato)).scalars()),
            "precinct": [
                tuple(row)
                for row in db.session.execute(select(Precinct.election_id, Precinct.id)).all()
            ],
            "accreditation_id": list(db.session.execute(select(Accreditation.id)).scalars()),
            "difference": [
                tuple(row)
                for row in db.session.execute(
                    select(Difference.election_id, Difference.precinct_id, Difference.id)
                ).all()
            ],
        }
        assert db.session.execute(select(ProtocolVersion.id)).first() is not None
        db.session.remove()
    document = app.test_client().get("/api/v1/openapi.json")
    assert document.status_code == 200, document.get_data(as_text=True)
    # from_dict rather than from_wsgi: from_wsgi leaves out the operation that serves the
    # document, and this one is part of the contract too.
    schema = schemathesis.openapi.from_dict(json.loads(document.get_data()))
    schema.app = app
    return LiveApp(app=app, schema=schema, headers=headers, ids=ids)


def error_envelope(ctx, response, case) -> None:
    """Every 4xx answers {"errors": [{"code", "message", ...}, ...]} as JSON."""
    if not 400 <= response.status_code < 500:
        return
    content_type = response.headers.get("content-type", [""])[0]
    assert content_type.startswith("application/json"), f"4xx with {content_type!r}"
    body = response.json()
    assert isinstance(body, dict) and set(body) == {"errors"}, f"not the envelope: {body!r}"
    errors = body["errors"]
    assert isinstance(errors, list) and errors, f"no errors in the envelope: {body!r}"
    for item in errors:
        assert isinstance(item, dict), f"an error that is not an object: {item!r}"
        assert isinstance(item.get("code"), str) and item["code"], f"no code: {item!r}"
        assert isinstance(item.get("message"), str) and item["message"], f"no message: {item!r}"
        for key in ("field", "legal_basis"):
            assert key not in item or isinstance(item[key], str), f"{key} not a string: {item!r}"


def no_leak(ctx, response, case) -> None:
    """No stack trace or SQL in any answer."""
    text = (response.content or b"").decode("utf-8", "replace")
    for marker in ("Traceback (most recent call last)", "sqlalchemy.", "psycopg."):
        assert marker not in text, f"{marker!r} in the answer"
