"""outbox: the delivery in flight (send_started_at), the parts already out (parts_sent), and the deliveries
cut short by a dead sender (interrupted)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("outbox", sa.Column("send_started_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("outbox", sa.Column("parts_sent", sa.Integer, nullable=False, server_default="0"))
    op.add_column("outbox", sa.Column("interrupted", sa.Integer, nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("interrupted")
        batch.drop_column("parts_sent")
        batch.drop_column("send_started_at")
