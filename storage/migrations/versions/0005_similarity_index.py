"""proposals index for the duplicate check: same village and sector, open statuses

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_proposals_village_sector_status", "proposals", ["village_code", "sector", "status"])


def downgrade() -> None:
    op.drop_index("ix_proposals_village_sector_status", table_name="proposals")
