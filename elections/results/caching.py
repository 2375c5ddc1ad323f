"""The state a public results page depends on, for the page cache (elections/web/page_cache.py).

The key counts rows rather than taking the newest id. Protocol versions, result versions,
corrections and candidate events are only ever inserted, so their count grows with every
commit; the newest id does not: of two concurrent saves, the one that drew the lower id
may commit second, and a page rendered in between would keep its key.
"""

from __future__ import annotations

from functools import cache

from sqlalchemy import Integer, bindparam, func, select

from elections.ballots.models import ProtocolVersion
from elections.candidates.models import Candidate, CandidateEvent
from elections.observers.models import Accreditation, Difference, ObserverCopy, ProtocolScan
from elections.results.models import Correction, ResultVersion
from elections.territory.models import Election, ElectionDecision, Precinct
from elections.web.page_cache import cached_by, read_one


@cache
def _state_statement():
    """The state query, built once from the tables: building it on every request cost more
    than running it, and a cached page is served after this one query."""
    election_id = bindparam("election_id", type_=Integer)
    versions, results = ProtocolVersion.__table__, ResultVersion.__table__
    corrections, precincts = Correction.__table__, Precinct.__table__
    candidates, events = Candidate.__table__, CandidateEvent.__table__
    decisions = ElectionDecision.__table__
    scans, copies = ProtocolScan.__table__, ObserverCopy.__table__
    differences, accreditations = Difference.__table__, Accreditation.__table__

    def count(column, *where):
        return select(func.count(column)).where(*where).scalar_subquery()

    def total(column, *where):
        return select(func.coalesce(func.sum(column), 0)).where(*where).scalar_subquery()

    return select(
        select(Election.__table__.c.state)
        .where(Election.__table__.c.id == election_id)
        .scalar_subquery(),
        count(versions.c.id, versions.c.election_id == election_id),
        count(results.c.id, results.c.election_id == election_id),
        count(corrections.c.id, corrections.c.election_id == election_id),
        count(precincts.c.id, precincts.c.election_id == election_id),
        select(func.count(events.c.id))
        .join(candidates, candidates.c.id == events.c.candidate_id)
        .where(candidates.c.election_id == election_id)
        .scalar_subquery(),
        # A commission's decision (an extension, invalidity, new hours) changes the pages.
        count(decisions.c.id, decisions.c.election_id == election_id),
        # The paper beside the figures: scans, observers' copies (each entry counted: a copy
        # is entered again in place), their differences (opened, closed, each answer
        # counted) and accreditations (withdrawn too). Every one only grows.
        count(scans.c.id, scans.c.election_id == election_id),
        total(copies.c.entries, copies.c.election_id == election_id),
        count(differences.c.id, differences.c.election_id == election_id),
        count(differences.c.closed_at, differences.c.election_id == election_id),
        total(differences.c.answers, differences.c.election_id == election_id),
        count(accreditations.c.id, accreditations.c.election_id == election_id),
        count(accreditations.c.withdrawn_at, accreditations.c.election_id == election_id),
        # Last: whether the count has started is a matter of the clock, the election's zone,
        # its end of voting and election day (views read them as state[-3], [-2], [-1]).
        select(Election.__table__.c.timezone)
        .where(Election.__table__.c.id == election_id)
        .scalar_subquery(),
        select(Election.__table__.c.voting_ends)
        .where(Election.__table__.c.id == election_id)
        .scalar_subquery(),
        select(Election.__table__.c.election_day)
        .where(Election.__table__.c.id == election_id)
        .scalar_subquery(),
    )


def state_key(election_id: int) -> tuple:
    """What a results page depends on, in one round trip: the election's state first, row
    counts between, then its zone, its end of voting and, last, its election day."""
    return read_one(_state_statement(), {"election_id": election_id})


def cached_public(view):
    """Cache an election's public API view under its :func:`state_key`; of the query string
    only ``download`` matters (the language is in the key anyway)."""
    return cached_by(lambda election_id, **_: state_key(election_id), reads=("download",))(view)
