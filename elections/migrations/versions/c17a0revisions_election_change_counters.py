"""election revisions: a change counter per election, moved by triggers

Revision ID: c17a0revisions
Revises: c16a0observers
Create Date: 2026-12-03 06:55:00

The results pages and the every-result document were keyed by counting whole tables, a scan
of the protocol versions on every hit that grew with history (issue 17). Each election now
has one row whose ``revision`` moves with every change its public pages show and whose
``frame`` moves with its precincts and candidates; triggers move them in the changing
transaction itself, so no write path can forget to, bulk and Core inserts included.
"""

import sqlalchemy as sa
from alembic import op

revision = "c17a0revisions"
down_revision = "c16a0observers"
branch_labels = None
depends_on = None

# Tables with an election_id whose rows a public page shows; True: they make its frame too.
TRACKED = {
    "precincts": True,
    "candidates": True,
    "protocol_versions": False,
    "result_versions": False,
    "corrections": False,
    "election_decisions": False,
    "protocol_scans": False,
    "observer_copies": False,
    "differences": False,
    "accreditations": False,
}
EVENTS = ("INSERT", "UPDATE", "DELETE")


def _bump(frame: bool) -> str:
    return "revision = revision + 1" + (", frame = frame + 1" if frame else "")


def _sqlite_triggers() -> list[str]:
    statements = [
        """CREATE TRIGGER elections_revision_insert AFTER INSERT ON elections BEGIN
        INSERT INTO election_revisions (election_id, revision, frame) VALUES (NEW.id, 1, 1);
        END""",
        """CREATE TRIGGER elections_revision_update AFTER UPDATE ON elections BEGIN
        UPDATE election_revisions SET revision = revision + 1, frame = frame + 1
        WHERE election_id = NEW.id; END""",
        """CREATE TRIGGER elections_revision_delete AFTER DELETE ON elections BEGIN
        DELETE FROM election_revisions WHERE election_id = OLD.id; END""",
        """CREATE TRIGGER candidate_events_revision AFTER INSERT ON candidate_events BEGIN
        UPDATE election_revisions SET revision = revision + 1, frame = frame + 1
        WHERE election_id = (SELECT election_id FROM candidates WHERE id = NEW.candidate_id);
        END""",
    ]
    for table, frame in TRACKED.items():
        for event in EVENTS:
            row = "OLD" if event == "DELETE" else "NEW"
            statements.append(
                f"""CREATE TRIGGER {table}_revision_{event.lower()} AFTER {event} ON {table}
                BEGIN UPDATE election_revisions SET {_bump(frame)}
                WHERE election_id = {row}.election_id; END"""
            )
    return statements


def _postgresql_triggers() -> list[str]:
    statements = [
        """CREATE FUNCTION election_revision_of_election() RETURNS trigger
        LANGUAGE plpgsql AS $$ BEGIN
          IF TG_OP = 'INSERT' THEN
            INSERT INTO election_revisions (election_id, revision, frame) VALUES (NEW.id, 1, 1);
          ELSIF TG_OP = 'UPDATE' THEN
            UPDATE election_revisions SET revision = revision + 1, frame = frame + 1
            WHERE election_id = NEW.id;
          ELSE
            DELETE FROM election_revisions WHERE election_id = OLD.id;
          END IF;
          RETURN NULL;
        END $$""",
        """CREATE TRIGGER elections_revision AFTER INSERT OR UPDATE OR DELETE ON elections
        FOR EACH ROW EXECUTE FUNCTION election_revision_of_election()""",
        """CREATE FUNCTION election_revision_of_row() RETURNS trigger
        LANGUAGE plpgsql AS $$ DECLARE changed integer; BEGIN
          IF TG_OP = 'DELETE' THEN changed := OLD.election_id; ELSE changed := NEW.election_id;
          END IF;
          UPDATE election_revisions SET revision = revision + 1,
            frame = frame + CASE WHEN TG_ARGV[0] = 'frame' THEN 1 ELSE 0 END
          WHERE election_id = changed;
          RETURN NULL;
        END $$""",
        """CREATE FUNCTION election_revision_of_candidate_event() RETURNS trigger
        LANGUAGE plpgsql AS $$ BEGIN
          UPDATE election_revisions SET revision = revision + 1, frame = frame + 1
          WHERE election_id = (SELECT election_id FROM candidates WHERE id = NEW.candidate_id);
          RETURN NULL;
        END $$""",
        """CREATE TRIGGER candidate_events_revision AFTER INSERT ON candidate_events
        FOR EACH ROW EXECUTE FUNCTION election_revision_of_candidate_event()""",
    ]
    for table, frame in TRACKED.items():
        statements.append(
            f"""CREATE TRIGGER {table}_revision AFTER INSERT OR UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION
            election_revision_of_row('{"frame" if frame else "revision"}')"""
        )
    return statements


def upgrade():
    op.create_table(
        "election_revisions",
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("frame", sa.Integer(), nullable=False, server_default="1"),
        sa.PrimaryKeyConstraint("election_id", name=op.f("pk_election_revisions")),
    )
    postgresql = op.get_bind().dialect.name == "postgresql"
    for statement in _postgresql_triggers() if postgresql else _sqlite_triggers():
        op.execute(statement)
    # After the triggers: an election called meanwhile has its row from them already.
    op.execute(
        "INSERT INTO election_revisions (election_id, revision, frame) "
        "SELECT id, 1, 1 FROM elections WHERE NOT EXISTS "
        "(SELECT 1 FROM election_revisions r WHERE r.election_id = elections.id)"
    )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in ("elections", "candidate_events", *TRACKED):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_revision ON {table}")
        for function in ("of_election", "of_row", "of_candidate_event"):
            op.execute(f"DROP FUNCTION IF EXISTS election_revision_{function}()")
    else:
        names = ["elections_revision_insert", "elections_revision_update"]
        names += ["elections_revision_delete", "candidate_events_revision"]
        names += [f"{table}_revision_{e.lower()}" for table in TRACKED for e in EVENTS]
        for name in names:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("election_revisions")
