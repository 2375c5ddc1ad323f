"""Voter lists and signature sheets as the akimat and the commission type them."""

from __future__ import annotations

import csv
import io
import itertools
from datetime import date, timedelta

from elections.candidates.iin import make_iin

HEADER = ("iin", "last_name", "first_name", "patronymic", "birth_date", "address")
_serial = itertools.count(100)


def voter(born: date | None = None, sex: str = "female", **cells) -> dict:
    """A list row of a voter no other test uses (a serial of its own)."""
    born = born or date(1970, 1, 1) + timedelta(days=next(_serial))
    row = {
        "iin": make_iin(born, sex, next(_serial) % 9000),
        "last_name": "Сәрсенова",
        "first_name": "Гүлжан",
        "patronymic": "Ержанқызы",
        "birth_date": born.isoformat(),
        "address": "Абай көшесі, 1",
    }
    row.update(cells)
    return row


def as_csv(rows: list[dict], header=HEADER, bom: bool = True) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\r\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return ("\ufeff" if bom else "").encode() + out.getvalue().encode()


def put_list(client, headers, election_id, precinct_id, rows, query="", **kwargs):
    return client.put(
        f"/api/v1/elections/{election_id}/precincts/{precinct_id}/voters{query}",
        data=as_csv(rows, **kwargs),
        headers={**headers, "Content-Type": "text/csv"},
    )


def self_nominee(app, election_id: int) -> int:
    """A self-nominee awaiting the commission's decision in the election; its id."""
    from elections.core.extensions import db
    from elections.territory.models import Election
    from tests.factories import CandidateFactory

    with app.app_context():
        found = CandidateFactory(
            election=db.session.get(Election, election_id), self_nominated=True
        )
        db.session.commit()
        return found.id


def listed_voter(app) -> tuple:
    """A committed world whose precinct A lists one voter, loaded through the API:
    ``(world, row)``, for tests that commit for real (``committed_app``)."""
    from elections.auth.models import User
    from elections.auth.services import issue_token
    from elections.core.extensions import db
    from tests import factories

    with app.app_context():
        world = factories.make_world()
        db.session.commit()
        member = issue_token(db.session.get(User, world.users["territorial_member"]))
        db.session.commit()
    row = voter()
    headers = {"Authorization": f"Bearer {member}"}
    answer = put_list(app.test_client(), headers, world.election_id, world.precinct_a, [row])
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return world, row
