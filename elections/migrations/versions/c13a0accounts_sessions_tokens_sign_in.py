"""accounts: server-side sessions, token expiry and revocation, failed sign-ins

Revision ID: c13a0accounts
Revises: c12c0decisions
Create Date: 2026-12-02 01:20:00

- ``user_sessions``: a signed-in browser session, kept by the server so that signing out,
  deactivation and a password change end it (a copied cookie stops working).
- ``api_tokens.expires_at`` / ``last_used_at`` / ``revoked_at``: tokens expire (30 days by
  default), are revoked at once, and are listed with their last use.
- ``sign_in_failures``: failed sign-ins, known names or not, outside the hash chain so that
  a flood of them never queues the protocol writers behind the audit head.
"""

import sqlalchemy as sa
from alembic import op

from elections.core.db import UTCDateTime

# revision identifiers, used by Alembic.
revision = "c13a0accounts"
down_revision = "c12c0decisions"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "user_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", UTCDateTime(), nullable=True),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        sa.Column("address", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key_hash"),
    )
    op.create_index("ix_user_sessions_user_id", "user_sessions", ["user_id"], unique=False)
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("last_used_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("revoked_at", UTCDateTime(), nullable=True))
    op.create_table(
        "sign_in_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("known_user", sa.Boolean(), nullable=False),
        sa.Column("throttled", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_sign_in_failures_at", "sign_in_failures", ["at"], unique=False)
    op.create_index("ix_sign_in_failures_username", "sign_in_failures", ["username"], unique=False)


def downgrade():
    op.drop_index("ix_sign_in_failures_username", table_name="sign_in_failures")
    op.drop_index("ix_sign_in_failures_at", table_name="sign_in_failures")
    op.drop_table("sign_in_failures")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_column("revoked_at")
        batch_op.drop_column("last_used_at")
        batch_op.drop_column("expires_at")
    op.drop_index("ix_user_sessions_user_id", table_name="user_sessions")
    op.drop_table("user_sessions")
