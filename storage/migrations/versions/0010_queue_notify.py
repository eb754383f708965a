"""queue wake-ups: NOTIFY when a queue row becomes due (PostgreSQL only)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03

Gateways sleep until there is work (storage/wakeups.py). On PostgreSQL these triggers send
`NOTIFY musrenbang_<queue>` at commit whenever an inbound message is queued, an outbox message is
pending, or an escalation is created, whichever process wrote it, with no extra round trip for the
writer (PostgreSQL folds identical notifications of one transaction into one). SQLite: nothing
(one process, in-process events and a slow safety poll).
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

TRIGGERS = (
    # (trigger, table, events, condition, NOTIFY channel)
    ("inbound_messages_wake", "inbound_messages", "INSERT OR UPDATE OF status, next_attempt_at",
     "NEW.status = 'queued'", "musrenbang_inbound"),
    ("outbox_wake", "outbox", "INSERT OR UPDATE OF status, next_attempt_at",
     "NEW.status = 'pending'", "musrenbang_outbox"),
    ("escalations_wake", "escalations", "INSERT", "NEW.posted_at IS NULL", "musrenbang_escalations"),
)


def upgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE OR REPLACE FUNCTION musrenbang_wake() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN PERFORM pg_notify(TG_ARGV[0], ''); RETURN NULL; END $$"
    )
    for name, table, events, condition, channel in TRIGGERS:
        op.execute(f"CREATE TRIGGER {name} AFTER {events} ON {table} FOR EACH ROW WHEN ({condition}) "
                   f"EXECUTE FUNCTION musrenbang_wake('{channel}')")


def downgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    for name, table, *_ in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
    op.execute("DROP FUNCTION IF EXISTS musrenbang_wake()")
