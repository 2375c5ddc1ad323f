"""The organising commission declares an election invalid, with its grounds (art. 113-9).

Grounds are violations that make the voters' will impossible to establish (domain.md,
"Result"). The election's state becomes ``invalid``: nobody is elected, protocols are
locked, there is nothing to certify or correct, and a repeat election follows
(elections/territory/repeat.py). Candidates keep their statuses.

Not before the polls close: the will of the voters is established by the count, so only
once counting has opened (20:00, or the end of changed voting hours) can it be found
impossible to establish; until then a violation is a matter for the candidates' registration.

Not after certification: a certified result (even one reopened by a correction) stands as
certified versions, and a court, not this call, undoes it. So an election is declared
invalid only while it is open and has never been certified.

The figures counted so far stay readable as unofficial: the public result carries
``outcome: "invalid"`` and ``invalid_grounds`` and no winner (services.declared_invalid).
"""

from __future__ import annotations

from flask_babel import gettext as _

from elections.core.clock import now
from elections.core.errors import ErrorItem, conflict, invalid
from elections.results.services import latest_version
from elections.territory.decisions import record_decision
from elections.territory.models import Election
from elections.territory.repeat import LEGAL_BASIS
from elections.territory.services import lock_election

GROUNDS_MAX = 2000


def grounds_errors(grounds: str | None) -> list[ErrorItem]:
    text = (grounds or "").strip()
    if not text:
        return [
            ErrorItem(
                "required",
                _(
                    "State the grounds: the violations that make the voters' will impossible to "
                    "establish."
                ),
                field="grounds",
            )
        ]
    if len(text) > GROUNDS_MAX:
        return [
            ErrorItem(
                "too_long",
                _("At most %(n)d characters.", n=GROUNDS_MAX),
                field="grounds",
            )
        ]
    return []


def voting_ended(election: Election) -> bool:
    """Whether the polls have closed and the count has opened."""
    return now() >= election.calendar().counting_opens


def invalidate(election: Election, grounds: str, actor) -> Election:
    """Declare ``election`` invalid; one decision and its audit event in the caller's
    transaction. The election row is locked first, as certification locks it, so of an
    invalidation and a certification at the same moment exactly one wins."""
    errors = grounds_errors(grounds)
    if errors:
        raise invalid(errors)
    election = lock_election(election.id)
    if election.state == "invalid":
        raise conflict(
            "already_invalid",
            _("The election is already declared invalid."),
            legal_basis=LEGAL_BASIS,
        )
    if election.state != "open" or latest_version(election) is not None:
        raise conflict(
            "already_certified",
            _("The result is certified: the election can no longer be declared invalid."),
        )
    if not voting_ended(election):
        raise conflict(
            "voting_not_ended",
            _(
                "An election is declared invalid only once the polls have closed and the count "
                "has opened."
            ),
            legal_basis=LEGAL_BASIS,
        )
    election.state = "invalid"
    record_decision(
        election,
        "invalidated",
        grounds.strip(),
        {"state": {"old": "open", "new": "invalid"}, "legal_basis": LEGAL_BASIS},
        actor,
    )
    return election
