"""Zone width per neighbour pair, set by an admin for the pair's alliance (default 50 m).

Revision ID: 0003_zone_widths
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_zone_widths"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "zone_widths",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code_a", sa.String(32),
                  sa.ForeignKey("jurisdictions.code", ondelete="CASCADE"), nullable=False),
        sa.Column("code_b", sa.String(32),
                  sa.ForeignKey("jurisdictions.code", ondelete="CASCADE"), nullable=False),
        sa.Column("zone_width_m", sa.Float, nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("code_a", "code_b", name="uq_zone_widths_pair"),
    )


def downgrade() -> None:
    op.drop_table("zone_widths")
