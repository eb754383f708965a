"""escalation posts in the officers' Telegram chat, and who answered outside the console

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("escalations") as batch:
        batch.add_column(sa.Column("posted_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("post_chat_id", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("post_message_id", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("answered_by", sa.String(length=120), nullable=True))
        batch.create_index("ix_escalations_post", ["post_chat_id", "post_message_id"])


def downgrade() -> None:
    with op.batch_alter_table("escalations") as batch:
        batch.drop_index("ix_escalations_post")
        batch.drop_column("answered_by")
        batch.drop_column("post_message_id")
        batch.drop_column("post_chat_id")
        batch.drop_column("posted_at")
