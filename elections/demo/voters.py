"""The demo's voter lists and self-nominees' signature sheets, loaded through the services
the commission uses (every row checked, every load audited), a few sheets rows flawed."""

from __future__ import annotations

import io
import json
import random
from datetime import date, timedelta

from elections.candidates.iin import make_iin
from elections.candidates.rules import age_on
from elections.demo.names import STREETS, person
from elections.voters import lists, signatures
from elections.voters.reading import Upload
from elections.voters.rules import LIST_FIELDS, SHEET_FIELDS, VOTING_AGE


def _upload(rows: list[dict], fields: tuple[str, ...]) -> Upload:
    body = json.dumps(rows, ensure_ascii=False, default=str).encode()
    return Upload(io.BytesIO(body), "application/json", fields)


class Voters:
    """Voters with valid IINs, unique across the demo, each of voting age on its election day."""

    def __init__(self, seed: int = 2026):
        self.rng = random.Random(seed)
        self.taken: set[str] = set()
        self.by_precinct: dict[int, list[dict]] = {}

    def _voter(self, election_day: date, village: str) -> dict:
        last, first, patronymic, sex = person(self.rng)
        while True:
            born = date(1935, 1, 1) + timedelta(days=self.rng.randrange(0, 26_000))
            iin = make_iin(born, sex, self.rng.randrange(0, 9000))
            if age_on(born, election_day) >= VOTING_AGE and iin not in self.taken:
                break
        self.taken.add(iin)
        street = self.rng.choice(STREETS)
        return {
            "iin": iin,
            "last_name": last,
            "first_name": first,
            "patronymic": patronymic,
            "birth_date": born.isoformat(),
            "address": f"{village}, {street} көшесі {self.rng.randrange(1, 120)}",
        }

    def load(self, precinct, *, past: bool = False) -> None:
        """A list of exactly the precinct's ``voters_on_list`` voters (its protocols agree)."""
        village = precinct.address.split(",")[0]
        day = precinct.election.election_day
        rows = [self._voter(day, village) for _ in range(precinct.voters_on_list)]
        load = lists.replace_list if past else lists.load_list
        load(precinct, _upload(rows, LIST_FIELDS), False, None)
        self.by_precinct[precinct.id] = rows

    def sheets(self, candidate, precincts, valid: int, nominated_on: date, actor) -> None:
        """``valid`` good signatures from the lists of ``precincts``, then one row of each
        flaw a commission meets: a second signature, a misspelt name, a signer on no list,
        an IIN with a wrong check digit, a date before the nomination."""
        signers = [row for p in precincts for row in self.by_precinct[p.id]]
        chosen = self.rng.sample(signers, valid + 1)
        rows = [
            _signed(row, nominated_on + timedelta(days=1 + n % 5)) for n, row in enumerate(chosen)
        ]
        stranger = self._voter(candidate.election.election_day, "—")
        rows += [
            dict(rows[0]),  # duplicate_signature
            {**rows[-1], "last_name": rows[-1]["last_name"][:-1] + "ы"},  # name_mismatch
            _signed(stranger, nominated_on + timedelta(days=2)),  # not_on_voter_list
            {**rows[1], "iin": rows[1]["iin"][:11] + str((int(rows[1]["iin"][11]) + 1) % 10)},
            {**rows[2], "signed_on": (nominated_on - timedelta(days=3)).isoformat()},
        ]
        del rows[valid]  # the misspelt signer's correct row: their only row is misspelt
        for number, row in enumerate(rows):
            row["sheet"], row["line"] = 1 + number // 20, 1 + number % 20
        signatures.check_sheets(candidate, _upload(rows, SHEET_FIELDS), actor)


def _signed(voter: dict, on: date) -> dict:
    return {**{k: voter[k] for k in SHEET_FIELDS if k in voter}, "signed_on": on.isoformat()}
