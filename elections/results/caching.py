"""The state a public results page depends on, for the page cache (elections/web/page_cache.py).

One row read by its key: the election's state, its change counter (``election_revisions``,
moved by triggers in every transaction that changes what the page shows), its zone, its end of
voting and its election day. It costs the same at any size of the history.
"""

from __future__ import annotations

from functools import cache

from sqlalchemy import Integer, bindparam, select

from elections.core.reads import read_one
from elections.territory.models import Election, ElectionRevision
from elections.web.page_cache import cached_by


@cache
def _state_statement():
    """The state query, built once: building it on every request cost more than running it,
    and a cached page is served after this one query."""
    election_id = bindparam("election_id", type_=Integer)
    return (
        select(
            Election.state,
            ElectionRevision.revision,
            # Last: whether the count has started is a matter of the clock, the election's
            # zone, its end of voting and election day (views read them as state[-3], [-2],
            # [-1]).
            Election.timezone,
            Election.voting_ends,
            Election.election_day,
        )
        .join_from(Election, ElectionRevision, ElectionRevision.election_id == Election.id)
        .where(Election.id == election_id)
    )


def state_key(election_id: int) -> tuple:
    """What a results page depends on, in one round trip: the election's state first, its
    revision, then its zone, its end of voting and, last, its election day (all None for
    an election that does not exist: the view answers 404)."""
    return read_one(_state_statement(), {"election_id": election_id}) or (None,) * 5


def cached_public(view):
    """Cache an election's public API view under its :func:`state_key`; of the query string
    only ``download`` matters (the language is in the key anyway)."""
    return cached_by(lambda election_id, **_: state_key(election_id), reads=("download",))(view)
