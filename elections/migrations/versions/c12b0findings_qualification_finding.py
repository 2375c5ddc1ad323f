"""candidates: the commission's qualification finding and its note

Revision ID: c12b0findings
Revises: c12a0profiles
Create Date: 2026-12-01 23:20:00

``qualification_met`` is the commission's finding against the qualification requirements of
the civil-service post (api.md, "Additions of December 2026"); existing candidates have not
been checked yet: null.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c12b0findings"
down_revision = "c12a0profiles"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("qualification_met", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("qualification_note", sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.drop_column("qualification_note")
        batch_op.drop_column("qualification_met")
