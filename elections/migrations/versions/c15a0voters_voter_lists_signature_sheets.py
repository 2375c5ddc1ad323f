"""voter lists per precinct and signature sheets checked against them

Revision ID: c15a0voters
Revises: c13c0listseq
Create Date: 2026-12-02 17:00:00

The voters of each precinct's list (the IIN only as its keyed hash), the list's digest and
changes, and a self-nominee's signature rows with their verdicts (issue 15). A candidate says
whether its signature figures were typed or come from the checked sheets.
"""

import sqlalchemy as sa
from alembic import op

from elections.core.db import UTCDateTime

# revision identifiers, used by Alembic.
revision = "c15a0voters"
down_revision = "c13c0listseq"
branch_labels = None
depends_on = None

# The 32 bytes of an HMAC-SHA-256 (elections/voters/models.py).
HASH = sa.LargeBinary(32)


def upgrade():
    op.create_table(
        "voters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("precinct_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("iin_hash", HASH, nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("patronymic", sa.String(length=100), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("address", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(["election_id"], ["elections.id"]),
        sa.ForeignKeyConstraint(["precinct_id"], ["precincts.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("iin_hash", "election_id", name="uq_voters_iin_hash_election"),
    )
    op.create_index("ix_voters_precinct_line", "voters", ["precinct_id", "line"])
    op.create_table(
        "voter_lists",
        sa.Column("precinct_id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("loaded_at", UTCDateTime(), nullable=False),
        sa.Column("loaded_by", sa.String(length=80), nullable=False),
        sa.Column("changes", sa.Integer(), nullable=False),
        sa.Column("next_line", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["election_id"], ["elections.id"]),
        sa.ForeignKeyConstraint(["precinct_id"], ["precincts.id"]),
        sa.PrimaryKeyConstraint("precinct_id"),
    )
    op.create_index("ix_voter_lists_election_id", "voter_lists", ["election_id"])
    op.create_table(
        "signature_checks",
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("valid", sa.Integer(), nullable=False),
        sa.Column("required", sa.Integer(), nullable=False),
        sa.Column("settlements_covered", sa.Integer(), nullable=False),
        sa.Column("lists_loaded", sa.Boolean(), nullable=False),
        sa.Column("checked_at", UTCDateTime(), nullable=False),
        sa.Column("checked_by", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(["candidate_id"], ["candidates.id"]),
        sa.PrimaryKeyConstraint("candidate_id"),
    )
    op.create_table(
        "signature_rows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("sheet", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("iin_hash", HASH, nullable=True),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("patronymic", sa.String(length=100), nullable=True),
        sa.Column("signed_on", sa.Date(), nullable=True),
        sa.Column("verdict", sa.String(length=30), nullable=False),
        sa.ForeignKeyConstraint(["candidate_id"], ["candidates.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_signature_rows_candidate", "signature_rows", ["candidate_id", "sheet", "line"]
    )
    op.create_index("ix_signature_rows_iin_hash", "signature_rows", ["iin_hash"])
    with op.batch_alter_table("candidates") as batch:
        batch.add_column(
            sa.Column(
                "signatures_source", sa.String(length=10), nullable=False, server_default="typed"
            )
        )


def downgrade():
    with op.batch_alter_table("candidates") as batch:
        batch.drop_column("signatures_source")
    op.drop_index("ix_signature_rows_iin_hash", table_name="signature_rows")
    op.drop_index("ix_signature_rows_candidate", table_name="signature_rows")
    op.drop_table("signature_rows")
    op.drop_table("signature_checks")
    op.drop_index("ix_voter_lists_election_id", table_name="voter_lists")
    op.drop_table("voter_lists")
    op.drop_index("ix_voters_precinct_line", table_name="voters")
    op.drop_table("voters")
