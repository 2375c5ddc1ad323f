"""The people of the round: parties, the commissions' accounts and the candidates."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta

from elections.ballots.paper import BallotCandidate, ballot_order
from elections.candidates.iin import make_iin
from elections.candidates.services import APPLICATION_ALPHABET
from elections.demo.names import person
from elections.demo.national.plan import CALLED_ON, ELECTION_DAY, LOCAL, _BuilderBase, _Election
from elections.demo.region import PARTIES, complete_documents

# Marks an account that signs in with API tokens only: no argon2 hash ever matches it.
API_ONLY_PASSWORD = "!api-only"  # noqa: S105 (not a password: a marker that none matches)

EDUCATION = [("higher", 70), ("postgraduate", 8), ("post_secondary", 10),
             ("technical_vocational", 12)]  # fmt: skip
# How often each party puts up a candidate in a rural election (AMANAT almost everywhere).
PARTY_REACH = {"AMANAT": 0.8, "Auyl": 0.35, "Ak Zhol": 0.18, "Respublica": 0.12,
               "QHP": 0.12, "JSDP": 0.08}  # fmt: skip

# How the electorate leans: a party's nominee (AMANAT above all) starts ahead.
LEAN = {"AMANAT": 2.2, "Auyl": 1.3, "Ak Zhol": 1.1}


class People(_BuilderBase):
    """Parties, one account per organising commission, and the candidates on every ballot."""

    def parties(self) -> dict[str, dict]:
        return {
            short: self.plan.add(
                "parties",
                {"id": self.next_id("parties"), "short_name": short, "name_kk": kk, "name_ru": ru},
            )
            for short, kk, ru in PARTIES
        }

    def users(self, organisers: list[dict]) -> dict[int, dict]:
        created = datetime.combine(CALLED_ON, time(9, 0), tzinfo=LOCAL).astimezone(UTC)
        return {
            u["id"]: self.plan.add(
                "users",
                {
                    "id": self.next_id("users"),
                    "username": f"tec-{u['kato']}",
                    "role": "territorial_member",
                    "commission_unit_id": u["id"],
                    "precinct_id": None,
                    "password_hash": API_ONLY_PASSWORD,
                    "active": True,
                    "created_at": created,
                },
            )
            for u in organisers
        }

    def application_number(self) -> str:
        while True:
            raw = "".join(self.rng.choice(APPLICATION_ALPHABET) for _ in range(8))
            number = f"{raw[:4]}-{raw[4:]}"
            if number not in self.used_names:
                self.used_names.add(number)
                return number

    def candidates(self, elections: list[_Election], parties: dict, users: dict) -> None:
        serials: dict[date, int] = {}
        opens = datetime.combine(CALLED_ON + timedelta(days=1), time(10, 0), tzinfo=LOCAL)
        short_names = {p["id"]: short for short, p in parties.items()}
        for item in elections:
            standing = self.rng.choices([2, 3, 4, 5, 6], weights=[22, 30, 24, 14, 10])[0]
            nominating = [p for p, reach in PARTY_REACH.items() if self.rng.random() < reach]
            nominating = nominating[: standing - 1] if standing > 1 else []
            nominations = nominating + [None] * (standing - len(nominating))
            voters = sum(p["voters_on_list"] for p in item.precincts)
            member = users[item.organiser["id"]]
            rows = []
            for party in nominations:
                last, first, patronymic, sex = person(self.rng)
                born = ELECTION_DAY - timedelta(days=self.rng.randint(27 * 365, 63 * 365))
                serial = serials.get(born, 0)
                iin = make_iin(born, sex, serial)
                serials[born] = int(iin[7:11]) + 1
                submitted = opens + timedelta(
                    days=self.rng.randint(0, 25), minutes=self.rng.randint(0, 480)
                )
                registered = submitted + timedelta(days=self.rng.randint(2, 9))
                row = {
                    "id": self.next_id("candidates"),
                    "election_id": item.row["id"],
                    "application_number": self.application_number(),
                    "iin": iin,
                    "last_name": last,
                    "first_name": first,
                    "patronymic": patronymic,
                    "birth_date": born,
                    "citizenship": "KZ",
                    "education": self.rng.choices(
                        [e for e, _w in EDUCATION], weights=[w for _e, w in EDUCATION]
                    )[0],
                    "work_experience_years": round(self.rng.uniform(3, 30), 1),
                    "nomination_type": "party" if party else "self",
                    "party_id": parties[party]["id"] if party else None,
                    "party_member": True if party else None,
                    "signatures_valid": None
                    if party
                    else math.ceil(voters / 100) + self.rng.randint(5, 120),
                    "settlements_covered": None
                    if party
                    else max(1, math.ceil(len(item.places) / 2))
                    + self.rng.randint(0, len(item.places) // 2),
                    "deposit_paid": True,
                    "documents": complete_documents(party),
                    "legal_capacity": True,
                    "serving_sentence": False,
                    "unexpunged_conviction": False,
                    "corruption_offence": False,
                    "special_check": "passed",
                    "consecutive_terms_in_post": self.rng.choice([0, 0, 0, 1]),
                    "qualification_met": True,
                    "qualification_note": "Білім туралы диплом мен еңбек кітапшасы тексерілді",
                    "status": "registered",
                    "grounds": [],
                    "created_at": submitted.astimezone(UTC),
                }
                rows.append(row)
                for status, at in (("submitted", submitted), ("registered", registered)):
                    self.plan.add(
                        "candidate_events",
                        {
                            "id": self.next_id("candidate_events"),
                            "candidate_id": row["id"],
                            "status": status,
                            "at": at.astimezone(UTC),
                            "actor_id": member["id"],
                            "actor": member["username"],
                            "reason": None,
                            "grounds": [],
                        },
                    )
            by_id = {row["id"]: row for row in rows}
            order = ballot_order(
                BallotCandidate(r["id"], r["last_name"], r["first_name"], r["patronymic"], {})
                for r in rows
            )
            item.candidates = [by_id[line.candidate_id] for line in order]
            for row in rows:
                self.plan.add("candidates", row)
            item.strengths = [
                self.rng.gammavariate(2.0, 1.0) * LEAN.get(short_names.get(c["party_id"]), 1.0)
                for c in item.candidates
            ]
