"""Street networks are parsed in a background job: their status (parsing, ready, failed).

Revision ID: 0004_network_status
Revises: 0003_zone_widths
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_network_status"
down_revision = "0003_zone_widths"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("street_networks") as batch:
        batch.add_column(sa.Column("status", sa.String(16), nullable=False,
                                   server_default="ready"))


def downgrade() -> None:
    with op.batch_alter_table("street_networks") as batch:
        batch.drop_column("status")
