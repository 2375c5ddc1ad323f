"""audit chains per commission: each territorial commission's election-night events chained
on their own, their heads anchored into the national chain

Revision ID: c17b0chains
Revises: c17a0revisions
Create Date: 2026-12-03 13:00:00

One hash chain for the whole country meant one locked row for every writer in the country
(issue 17). Events now carry the chain they belong to; a sequence number is unique within its
chain; every chain has its head row. The events and the head written so far are the national
chain's, which keeps the head's id 1.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c17b0chains"
down_revision = "c17a0revisions"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("chain", sa.String(length=40), nullable=False, server_default="national")
        )
        batch_op.drop_constraint(batch_op.f("uq_audit_events_seq"), type_="unique")
        batch_op.create_unique_constraint(batch_op.f("uq_audit_events_chain_seq"), ["chain", "seq"])
    with op.batch_alter_table("audit_head", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("chain", sa.String(length=40), nullable=False, server_default="national")
        )
        batch_op.create_unique_constraint(batch_op.f("uq_audit_head_chain"), ["chain"])
        batch_op.add_column(sa.Column("anchored_at", sa.DateTime(timezone=True), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        # The national head was inserted as id 1 by hand: the next head's id comes after it.
        op.execute(
            "SELECT setval(pg_get_serial_sequence('audit_head', 'id'),"
            " (SELECT max(id) FROM audit_head))"
        )


def downgrade():
    # One chain cannot hold the commissions' events without rewriting every hash after them:
    # refuse rather than lose any part of the trail.
    others = op.get_bind().execute(
        sa.text("SELECT count(*) FROM audit_events WHERE chain <> 'national'")
    ).scalar_one()
    if others:
        raise RuntimeError(f"{others} audit events are on commission chains; not downgraded")
    op.execute("DELETE FROM audit_head WHERE chain <> 'national'")
    with op.batch_alter_table("audit_head", schema=None) as batch_op:
        batch_op.drop_column("anchored_at")
        batch_op.drop_constraint(batch_op.f("uq_audit_head_chain"), type_="unique")
        batch_op.drop_column("chain")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_audit_events_chain_seq"), type_="unique")
        batch_op.create_unique_constraint(batch_op.f("uq_audit_events_seq"), ["seq"])
        batch_op.drop_column("chain")
