"""The keys of the results caches cost the same whatever the history stored (issue 17): they
read one row per election (``election_revisions``), never a table that grows with every save,
and the triggers of migration c17a0revisions move them in the changing transaction."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select, text
from sqlalchemy.sql.util import find_tables

from elections.core.extensions import db
from elections.results import national
from elections.results.caching import _state_statement, state_key
from elections.territory.models import ElectionRevision

# Tables of one row per election or less: reading them costs the same at any history.
BOUNDED = {"elections", "election_revisions"}
KEYS = {
    "results page": _state_statement(),
    "every result": national.PUBLISHED_KEY,
    "frames": national.FRAMES_KEY,
    "revisions per election": national.REVISIONS,
}


@pytest.mark.parametrize("name", KEYS)
def test_a_cache_key_reads_no_table_of_history(name):
    tables = {table.name for table in find_tables(KEYS[name], include_joins=True)}
    assert tables and tables <= BOUNDED, f"{name} reads {sorted(tables - BOUNDED)}"


def _plan(statement, election_id: int) -> str:
    """The plan the database itself makes for the statement."""
    sql = statement.params(election_id=election_id).compile(
        db.engine, compile_kwargs={"literal_binds": True}
    )
    if db.engine.dialect.name == "postgresql":
        return json.dumps(db.session.execute(text(f"EXPLAIN (FORMAT JSON) {sql}")).scalar())
    plan = db.session.execute(text(f"EXPLAIN QUERY PLAN {sql}")).all()
    return " | ".join(str(row[-1]) for row in plan)


@pytest.mark.parametrize("name", KEYS)
def test_the_database_plans_no_read_of_history_for_a_cache_key(app, world, save, name):
    for version in range(3):
        save(world.precinct_a, {}, invalid=version)
    with app.app_context():
        plan = _plan(KEYS[name], world.election_id)
    for history in ("protocol_versions", "protocol_votes", "audit_events", "candidate_events"):
        assert history not in plan, plan


def _counters(app, election_id: int) -> tuple[int, int]:
    with app.app_context():
        row = db.session.execute(
            select(ElectionRevision.revision, ElectionRevision.frame).where(
                ElectionRevision.election_id == election_id
            )
        ).one()
        return tuple(row)


def test_a_save_moves_the_revision_and_leaves_the_frame(app, world, save):
    revision, frame = _counters(app, world.election_id)
    key = _key(app, world.election_id)
    save(world.precinct_a, {}, invalid=1)
    after = _counters(app, world.election_id)
    assert after[0] > revision and after[1] == frame
    assert _key(app, world.election_id) != key


def test_a_new_candidate_moves_the_frame_and_the_national_key(app, world, add_candidates):
    with app.app_context():
        published = national.published_key()
    revision, frame = _counters(app, world.election_id)
    add_candidates(world.election_id, 1)
    after = _counters(app, world.election_id)
    assert after[0] > revision and after[1] > frame
    with app.app_context():
        assert national.published_key() != published


def test_another_election_keeps_its_key_when_one_changes(app, world, save, make_election):
    other = make_election(candidates=2, precincts=2)
    kept = _key(app, other.id)
    save(world.precinct_a, {}, invalid=2)
    assert _key(app, other.id) == kept


def _key(app, election_id: int) -> tuple:
    with app.app_context():
        return state_key(election_id)
