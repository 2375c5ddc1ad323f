"""accounts: the lockout is gone, and with it its columns

Revision ID: c13b0nolockout
Revises: c13a0accounts
Create Date: 2026-12-02 01:55:00

Five wrong passwords locked an account for everyone (issue 13). Failed sign-ins now slow
down one name from one address (``sign_in_failures``), so ``users.failed_logins`` and
``users.locked_until`` hold nothing any more.
"""

import sqlalchemy as sa
from alembic import op

from elections.core.db import UTCDateTime

# revision identifiers, used by Alembic.
revision = "c13b0nolockout"
down_revision = "c13a0accounts"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("locked_until")
        batch_op.drop_column("failed_logins")


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("locked_until", UTCDateTime(), nullable=True))
