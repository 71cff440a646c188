"""Token revocation: a user's tokens carry their token_version; raising it revokes them all.

Revision ID: 0005_token_version
Revises: 0004_network_status
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_token_version"
down_revision = "0004_network_status"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("token_version", sa.Integer, nullable=False,
                                   server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("token_version")
