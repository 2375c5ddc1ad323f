"""A protocol for every precinct, consistent and saved as the ballots service saves one."""

from __future__ import annotations

import hashlib
import random
from datetime import UTC, datetime, time, timedelta

from elections.ballots.models import FIGURE_FIELDS
from elections.ballots.paper import print_run
from elections.ballots.services import figures_digest
from elections.ballots.tally import ProtocolFigures, failed_relations
from elections.demo.national.plan import ELECTION_DAY, LOCAL, _BuilderBase, _Election


class Protocols(_BuilderBase):
    """A protocol for every precinct, rows as save_protocol writes them: header, version 1
    (current, with its digest), the votes in ballot order."""

    def protocols(self, elections: list[_Election], users: dict) -> None:
        digests = hashlib.sha256()
        for item in elections:
            member = users[item.organiser["id"]]
            for precinct in item.precincts:
                figures = protocol_figures(
                    self.rng, precinct["voters_on_list"], item.candidates, item.strengths
                )
                saved = datetime.combine(ELECTION_DAY, time(20, 0), tzinfo=LOCAL) + timedelta(
                    minutes=self.rng.randint(60, 11 * 60)
                )
                digest = figures_digest(figures)
                digests.update(f"{precinct['id']}:{digest}\n".encode())
                self.plan.add(
                    "protocols",
                    {
                        "id": self.next_id("protocols"),
                        "precinct_id": precinct["id"],
                        "election_id": item.row["id"],
                        "version": 1,
                    },
                )
                version_id = self.next_id("protocol_versions")
                self.plan.add(
                    "protocol_versions",
                    {
                        "id": version_id,
                        "precinct_id": precinct["id"],
                        "election_id": item.row["id"],
                        "version": 1,
                        "is_current": True,
                        **{name: getattr(figures, name) for name in FIGURE_FIELDS},
                        "digest": digest,
                        "created_at": saved.astimezone(UTC),
                        "created_by_id": member["id"],
                        "created_by": member["username"],
                    },
                )
                for position, (candidate_id, votes) in enumerate(figures.votes.items(), start=1):
                    self.plan.add(
                        "protocol_votes",
                        {
                            "version_id": version_id,
                            "candidate_id": candidate_id,
                            "position": position,
                            "votes": votes,
                        },
                    )
        self.plan.summary["protocols_digest"] = digests.hexdigest()


def protocol_figures(
    rng: random.Random, voters: int, candidates: list[dict], strengths: list[float]
) -> ProtocolFigures:
    """A consistent precinct protocol: every control relation holds (ballots/tally.py).

    ``candidates`` are in ballot order (rows or objects with an ``id``); the votes keep it.
    """
    received = print_run(voters)
    issued = min(voters, round(voters * rng.uniform(0.55, 0.85)))
    in_boxes = max(0, issued - rng.choice((0, 0, 0, 1, 2)))
    invalid = round(in_boxes * rng.uniform(0.004, 0.02))
    against = round(in_boxes * rng.uniform(0.01, 0.04))
    remaining = in_boxes - invalid - against
    weights = [s * rng.uniform(0.75, 1.25) for s in strengths]
    whole = sum(weights)
    exact = [remaining * w / whole for w in weights]
    votes = [int(x) for x in exact]
    for i in sorted(range(len(votes)), key=lambda i: exact[i] - votes[i], reverse=True)[
        : remaining - sum(votes)
    ]:
        votes[i] += 1
    ids = [c["id"] if isinstance(c, dict) else c.id for c in candidates]
    figures = ProtocolFigures(
        voters_on_list=voters,
        ballots_received=received,
        ballots_issued=issued,
        ballots_cancelled=received - issued,
        ballots_in_boxes=in_boxes,
        invalid_ballots=invalid,
        votes=dict(zip(ids, votes, strict=True)),
        against_all=against,
    )
    if failed_relations(figures):  # a bug here would load a country of refused protocols
        raise AssertionError(f"inconsistent protocol generated: {figures}")
    return figures
