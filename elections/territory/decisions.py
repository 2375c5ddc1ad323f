"""A commission's decisions about an election: kept with their reasons, audited, public.

Each decision (an extension, a postponement, invalidity, a re-binding, a rule turned on,
changed voting hours) is one ``ElectionDecision`` row and one audit event, written in the
caller's transaction. Pages list them so that anyone reads why a date or a rule moved.
"""

from __future__ import annotations

from elections.core import audit
from elections.core.audit import Action
from elections.core.extensions import db
from elections.territory.models import Election, ElectionDecision

ACTIONS = {
    "nomination_extended": Action.ELECTION_NOMINATION_EXTENDED,
    "postponed": Action.ELECTION_POSTPONED,
    "invalidated": Action.ELECTION_INVALIDATED,
    "repeat_called": Action.ELECTION_REPEAT_CALLED,
    "profile_rebound": Action.ELECTION_PROFILE_REBOUND,
    "rule_enabled": Action.ELECTION_RULE_ENABLED,
    "voting_hours_changed": Action.ELECTION_VOTING_HOURS_CHANGED,
}


def record_decision(
    election: Election, kind: str, reason: str, data: dict, actor
) -> ElectionDecision:
    """Keep the decision and append its audit event (``data``: what changed, old and new)."""
    decision = ElectionDecision(
        election=election,
        kind=kind,
        reason=reason,
        data=data,
        actor_id=getattr(actor, "id", None),
        actor=getattr(actor, "username", None) or "system",
    )
    db.session.add(decision)
    db.session.flush()
    audit.record(
        ACTIONS[kind],
        "election",
        election.id,
        {"decision": decision.id, "reason": reason, **data},
        actor,
    )
    return decision
