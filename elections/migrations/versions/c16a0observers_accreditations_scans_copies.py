"""observers: accreditations, scans of signed protocols, observers' copies and differences

Revision ID: c16a0observers
Revises: c15a0voters
Create Date: 2026-12-02 20:31:04

Observers accredited per election and precinct (the IIN only as its keyed hash), the scans
attached to protocol versions, observers' copies and the differences between them and the
official figures with the commission's answers; a certified version records the differences
open when it was certified (issue 16).
"""

import sqlalchemy as sa
from alembic import op

from elections.core.db import UTCDateTime


# revision identifiers, used by Alembic.
revision = "c16a0observers"
down_revision = "c15a0voters"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "accreditations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("iin_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("iin_tail", sa.String(length=4), nullable=False),
        sa.Column("sent_by_type", sa.String(length=20), nullable=False),
        sa.Column("sent_by_name", sa.String(length=200), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("accredited_at", UTCDateTime(), nullable=False),
        sa.Column("accredited_by", sa.String(length=80), nullable=False),
        sa.Column("withdrawn_at", UTCDateTime(), nullable=True),
        sa.Column("withdrawn_by", sa.String(length=80), nullable=True),
        sa.Column("withdrawal_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["election_id"], ["elections.id"], name=op.f("fk_accreditations_election_id_elections")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_accreditations_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accreditations")),
        sa.UniqueConstraint("user_id", name=op.f("uq_accreditations_user_id")),
    )
    with op.batch_alter_table("accreditations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_accreditations_election_id"), ["election_id"], unique=False
        )
        batch_op.create_index(
            "uq_accreditations_in_force",
            ["election_id", "iin_hash"],
            unique=True,
            sqlite_where=sa.text("withdrawn_at IS NULL"),
            postgresql_where=sa.text("withdrawn_at IS NULL"),
        )

    op.create_table(
        "accreditation_precincts",
        sa.Column("accreditation_id", sa.Integer(), nullable=False),
        sa.Column("precinct_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["accreditation_id"],
            ["accreditations.id"],
            name=op.f("fk_accreditation_precincts_accreditation_id_accreditations"),
        ),
        sa.ForeignKeyConstraint(
            ["precinct_id"],
            ["precincts.id"],
            name=op.f("fk_accreditation_precincts_precinct_id_precincts"),
        ),
        sa.PrimaryKeyConstraint(
            "accreditation_id", "precinct_id", name=op.f("pk_accreditation_precincts")
        ),
    )
    op.create_table(
        "observer_copies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("accreditation_id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("precinct_id", sa.Integer(), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("photo_sha256", sa.String(length=64), nullable=True),
        sa.Column("photo_media_type", sa.String(length=40), nullable=True),
        sa.Column("entered_at", UTCDateTime(), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["accreditation_id"],
            ["accreditations.id"],
            name=op.f("fk_observer_copies_accreditation_id_accreditations"),
        ),
        sa.ForeignKeyConstraint(
            ["election_id"], ["elections.id"], name=op.f("fk_observer_copies_election_id_elections")
        ),
        sa.ForeignKeyConstraint(
            ["precinct_id"], ["precincts.id"], name=op.f("fk_observer_copies_precinct_id_precincts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_observer_copies")),
        sa.UniqueConstraint(
            "accreditation_id",
            "precinct_id",
            name=op.f("uq_observer_copies_accreditation_id_precinct_id"),
        ),
    )
    with op.batch_alter_table("observer_copies", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_observer_copies_election_id"), ["election_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_observer_copies_photo_sha256"), ["photo_sha256"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_observer_copies_precinct_id"), ["precinct_id"], unique=False
        )

    op.create_table(
        "protocol_scans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("precinct_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("media_type", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("attached_at", UTCDateTime(), nullable=False),
        sa.Column("attached_by", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(
            ["election_id"], ["elections.id"], name=op.f("fk_protocol_scans_election_id_elections")
        ),
        sa.ForeignKeyConstraint(
            ["precinct_id"], ["precincts.id"], name=op.f("fk_protocol_scans_precinct_id_precincts")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["protocol_versions.id"],
            name=op.f("fk_protocol_scans_version_id_protocol_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_protocol_scans")),
        sa.UniqueConstraint(
            "version_id", "sha256", name=op.f("uq_protocol_scans_version_id_sha256")
        ),
    )
    with op.batch_alter_table("protocol_scans", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_protocol_scans_election_id"), ["election_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_protocol_scans_precinct_id"), ["precinct_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_protocol_scans_sha256"), ["sha256"], unique=False)

    op.create_table(
        "differences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("copy_id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("precinct_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.String(length=40), nullable=False),
        sa.Column("official", sa.Integer(), nullable=False),
        sa.Column("copy", sa.Integer(), nullable=False),
        sa.Column("official_version", sa.Integer(), nullable=False),
        sa.Column("since", UTCDateTime(), nullable=False),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("answer", sa.String(length=20), nullable=True),
        sa.Column("answer_note", sa.Text(), nullable=True),
        sa.Column("answered_at", UTCDateTime(), nullable=True),
        sa.Column("answered_by", sa.String(length=80), nullable=True),
        sa.Column("answers", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["copy_id"], ["observer_copies.id"], name=op.f("fk_differences_copy_id_observer_copies")
        ),
        sa.ForeignKeyConstraint(
            ["election_id"], ["elections.id"], name=op.f("fk_differences_election_id_elections")
        ),
        sa.ForeignKeyConstraint(
            ["precinct_id"], ["precincts.id"], name=op.f("fk_differences_precinct_id_precincts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_differences")),
    )
    with op.batch_alter_table("differences", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_differences_copy_id"), ["copy_id"], unique=False)
        batch_op.create_index(
            "ix_differences_election_open", ["election_id", "closed_at"], unique=False
        )

    with op.batch_alter_table("result_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("differences", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("result_versions", schema=None) as batch_op:
        batch_op.drop_column("differences")

    with op.batch_alter_table("differences", schema=None) as batch_op:
        batch_op.drop_index("ix_differences_election_open")
        batch_op.drop_index(batch_op.f("ix_differences_copy_id"))

    op.drop_table("differences")
    with op.batch_alter_table("protocol_scans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_protocol_scans_sha256"))
        batch_op.drop_index(batch_op.f("ix_protocol_scans_precinct_id"))
        batch_op.drop_index(batch_op.f("ix_protocol_scans_election_id"))

    op.drop_table("protocol_scans")
    with op.batch_alter_table("observer_copies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_observer_copies_precinct_id"))
        batch_op.drop_index(batch_op.f("ix_observer_copies_photo_sha256"))
        batch_op.drop_index(batch_op.f("ix_observer_copies_election_id"))

    op.drop_table("observer_copies")
    op.drop_table("accreditation_precincts")
    with op.batch_alter_table("accreditations", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_accreditations_in_force",
            sqlite_where=sa.text("withdrawn_at IS NULL"),
            postgresql_where=sa.text("withdrawn_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_accreditations_election_id"))

    op.drop_table("accreditations")
