"""escalations scoped by the citizen's desa; learned FAQ answers need an admin's approval

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03

Existing escalations take the desa of their citizen's latest proposal (none: kecamatan officers
and admins see them). Existing learned FAQ entries were never approved: they stay stored but are
not served until an admin approves them in the console.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("escalations") as batch:
        batch.add_column(sa.Column("village_code", sa.String(13), nullable=True))
        batch.create_index("ix_escalations_village_code", ["village_code"])
    with op.batch_alter_table("faq_entries") as batch:
        batch.add_column(sa.Column("saved_by", sa.String(120), nullable=True))
        batch.add_column(sa.Column("approved_by", sa.String(120), nullable=True))
        batch.add_column(sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE escalations SET village_code = (SELECT p.village_code FROM proposals p "
        "WHERE p.citizen_id = escalations.citizen_id ORDER BY p.id DESC LIMIT 1)"
    )


def downgrade() -> None:
    with op.batch_alter_table("faq_entries") as batch:
        batch.drop_column("approved_at")
        batch.drop_column("approved_by")
        batch.drop_column("saved_by")
    with op.batch_alter_table("escalations") as batch:
        batch.drop_index("ix_escalations_village_code")
        batch.drop_column("village_code")
