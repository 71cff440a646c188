"""Incident sets (uploaded incident tables) and at most one current plan per district.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "incident_sets",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("district_code", sa.String(32),
                  sa.ForeignKey("jurisdictions.code", ondelete="RESTRICT"), nullable=False),
        sa.Column("file_path", sa.Text, nullable=False),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.Column("size_bytes", sa.Integer, nullable=False),
        sa.Column("summary", sa.JSON, nullable=False),
        sa.Column("synthetic", sa.Boolean, nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_index("ix_incident_sets_district_code", "incident_sets", ["district_code"])
    # Two planners promoting proposals at once: the database, not luck, keeps one current plan.
    op.create_index("uq_grid_plans_one_current", "grid_plans", ["district_code"], unique=True,
                    sqlite_where=sa.text("status = 'current'"),
                    postgresql_where=sa.text("status = 'current'"))


def downgrade() -> None:
    op.drop_index("uq_grid_plans_one_current", table_name="grid_plans")
    op.drop_table("incident_sets")
