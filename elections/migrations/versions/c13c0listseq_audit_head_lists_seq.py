"""audit head: the newest event that changed the public lists

Revision ID: c13c0listseq
Revises: c13b0nolockout
Create Date: 2026-12-02 06:00:00

The public lists keyed their cache on the newest audit event of a list kind and on the row
count of three tables: two backward scans of the audit trail past every protocol saved and
three sequential scans, 17-21 ms on the national data set and growing with history
(issue 13). The head row, already locked and updated by every audited write, now also
remembers that event's sequence number, so a list reads one row by its key.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c13c0listseq"
down_revision = "c13b0nolockout"
branch_labels = None
depends_on = None

LIST_ACTIONS = (
    "unit.created",
    "unit.timezone_set",
    "election.called",
    "election.profile_rebound",
    "election.nomination_extended",
    "election.postponed",
    "election.invalidated",
    "election.repeat_called",
    "election.rule_enabled",
    "election.voting_hours_changed",
    "precinct.created",
    "demo.loaded",
    "demo.national_loaded",
    "result.certified",
    "result.correction_opened",
)


def upgrade():
    with op.batch_alter_table("audit_head", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("lists_seq", sa.Integer(), nullable=False, server_default="0")
        )
    events = sa.table("audit_events", sa.column("seq"), sa.column("action"))
    newest = (
        sa.select(sa.func.coalesce(sa.func.max(events.c.seq), 0))
        .where(events.c.action.in_(LIST_ACTIONS))
        .scalar_subquery()
    )
    head = sa.table("audit_head", sa.column("id"), sa.column("lists_seq"))
    op.execute(head.update().where(head.c.id == 1).values(lists_seq=newest))


def downgrade():
    with op.batch_alter_table("audit_head", schema=None) as batch_op:
        batch_op.drop_column("lists_seq")
