"""A commission's accounts: a user scoped to a territorial commission's unit or to a precinct.

Creating one names the unit or precinct it serves, so it lives beside them; signing in,
tokens and passwords are the auth feature's (elections/auth/services.py).
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from elections.auth.models import ROLES, TERRITORIAL_ROLES, User
from elections.auth.services import hash_password, password_problems
from elections.core import audit
from elections.core.audit import Action
from elections.core.errors import ErrorItem, invalid
from elections.core.extensions import db
from elections.territory.models import Precinct, Unit


def create_user(
    username: str,
    role: str,
    password: str,
    *,
    commission_kato: str | None = None,
    precinct_id: int | None = None,
    actor: User | None = None,
) -> User:
    errors = []
    if role not in ROLES:
        errors.append(ErrorItem("invalid_choice", _("Unknown role."), field="role"))
    if db.session.execute(select(User).where(User.username == username)).scalar_one_or_none():
        errors.append(ErrorItem("duplicate", _("This user name is taken."), field="username"))
    errors += [
        ErrorItem("weak_password", p, field="password")
        for p in password_problems(username, password)
    ]
    commission = precinct = None
    if role in TERRITORIAL_ROLES:
        commission = db.session.execute(
            select(Unit).where(Unit.kato == commission_kato)
        ).scalar_one_or_none()
        if commission is None or commission.kind not in ("region", "district", "city_regional"):
            errors.append(
                ErrorItem(
                    "invalid", _("Name the KATO of a territorial commission."), field="commission"
                )
            )
    if role == "precinct_secretary":
        precinct = db.session.get(Precinct, precinct_id) if precinct_id else None
        if precinct is None:
            errors.append(ErrorItem("invalid", _("Name an existing precinct."), field="precinct"))
    if errors:
        raise invalid(errors)
    user = User(
        username=username,
        role=role,
        password_hash=hash_password(password),
        commission=commission,
        precinct=precinct,
        active=True,
    )
    db.session.add(user)
    db.session.flush()
    audit.record(
        Action.USER_CREATED,
        "user",
        user.id,
        {
            "username": username,
            "role": role,
            "commission": commission_kato,
            "precinct": precinct_id,
        },
        actor,
    )
    return user
