"""citizen satisfaction: one 1–5 question per citizen and event, its answer and optional comment

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "satisfaction_ratings",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("event_key", sa.String(80), nullable=False),
        sa.Column("event", sa.String(16), nullable=False),
        sa.Column("citizen_id", sa.Integer, sa.ForeignKey("citizens.id"), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("kecamatan_code", sa.String(8), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rating", sa.Integer, nullable=True),
        sa.Column("rated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("comment", sa.Text, nullable=True),
        sa.UniqueConstraint("event_key", name="uq_satisfaction_ratings_event_key"),
    )
    op.create_index("ix_satisfaction_ratings_citizen_id", "satisfaction_ratings", ["citizen_id"])
    op.create_index("ix_satisfaction_ratings_kecamatan_code", "satisfaction_ratings", ["kecamatan_code"])


def downgrade() -> None:
    op.drop_index("ix_satisfaction_ratings_kecamatan_code", "satisfaction_ratings")
    op.drop_index("ix_satisfaction_ratings_citizen_id", "satisfaction_ratings")
    op.drop_table("satisfaction_ratings")
