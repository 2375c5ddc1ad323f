"""The demo's registered candidates meet every rule, the qualification finding and the new
documents included (issue 12, item 3)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from elections.candidates.models import ON_BALLOT, Candidate
from elections.candidates.services import eligibility
from elections.core.extensions import db
from elections.demo.region import load_demo

pytestmark = pytest.mark.committing


def test_every_demo_candidate_on_the_ballot_is_eligible(committed_app):
    with committed_app.app_context():
        load_demo()
        db.session.commit()
        candidates = db.session.scalars(
            select(Candidate).where(Candidate.status.in_(ON_BALLOT))
        ).all()
        assert candidates
        for candidate in candidates:
            assert candidate.qualification_met is True
            assert candidate.qualification_note
            assert candidate.documents["tax_certificate"] is True
            if candidate.nomination_type == "self":
                assert candidate.documents["signature_check_protocol"] is True
            assert eligibility(candidate).violations == [], candidate.full_name
