"""elections: time zones, voting hours, the commission's decisions, repeat elections

Revision ID: c12c0decisions
Revises: c12b0findings
Create Date: 2026-12-02 01:10:00

- ``units.timezone``: the IANA zone a region names (domain.md, "Time zones"); units below
  inherit it, and ``elections.timezone`` holds the zone the election's unit resolves to.
- ``elections.voting_starts`` / ``voting_ends``: voting hours the commission changed
  (art. 43); null is 07:00-20:00.
- ``elections.nomination_extension_days``: the days nomination was extended in all.
- ``elections.repeat_of_id``: the election this one repeats (art. 113-9).
- ``election_decisions``: each decision of a commission about an election (extension,
  postponement, invalidity, re-binding, a rule turned on, voting hours), with its reason.
"""

import sqlalchemy as sa
from alembic import op

from elections.core.db import UTCDateTime

# revision identifiers, used by Alembic.
revision = "c12c0decisions"
down_revision = "c12b0findings"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.add_column(sa.Column("timezone", sa.String(length=40), nullable=True))
    with op.batch_alter_table("elections", schema=None) as batch_op:
        batch_op.add_column(sa.Column("timezone", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("voting_starts", sa.Time(), nullable=True))
        batch_op.add_column(sa.Column("voting_ends", sa.Time(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "nomination_extension_days", sa.Integer(), nullable=False, server_default="0"
            )
        )
        batch_op.add_column(sa.Column("repeat_of_id", sa.Integer(), nullable=True))
        batch_op.create_index("ix_elections_repeat_of_id", ["repeat_of_id"], unique=False)
        batch_op.create_foreign_key(
            "fk_elections_repeat_of_id_elections", "elections", ["repeat_of_id"], ["id"]
        )
    op.create_table(
        "election_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["election_id"], ["elections.id"]),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_election_decisions_election_id", "election_decisions", ["election_id"], unique=False
    )


def downgrade():
    op.drop_index("ix_election_decisions_election_id", table_name="election_decisions")
    op.drop_table("election_decisions")
    with op.batch_alter_table("elections", schema=None) as batch_op:
        batch_op.drop_constraint("fk_elections_repeat_of_id_elections", type_="foreignkey")
        batch_op.drop_index("ix_elections_repeat_of_id")
        batch_op.drop_column("repeat_of_id")
        batch_op.drop_column("nomination_extension_days")
        batch_op.drop_column("voting_ends")
        batch_op.drop_column("voting_starts")
        batch_op.drop_column("timezone")
    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.drop_column("timezone")
