"""Fixtures of the voter-list tests: the organising commission's member and a self-nominee."""

from __future__ import annotations

import pytest

from tests.voters.support import self_nominee


@pytest.fixture
def member(world, token_for):
    """Bearer headers of a member of the commission organising the world's election."""
    return token_for(world.users["territorial_member"])


@pytest.fixture
def candidate(app, world) -> int:
    return self_nominee(app, world.election_id)
