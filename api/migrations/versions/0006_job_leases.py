"""Job leases: which process runs a job and until when, so only abandoned jobs are recovered.

Revision ID: 0006_job_leases
Revises: 0005_token_version
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0006_job_leases"
down_revision = "0005_token_version"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("lease_owner", sa.String(128), nullable=True))
        batch.add_column(sa.Column("lease_expires_at", sa.DateTime(timezone=True),
                                   nullable=True))
        batch.add_column(sa.Column("attempts", sa.Integer, nullable=False,
                                   server_default="0"))
    # the recovery sweep looks for unfinished jobs whose lease ran out
    op.create_index("ix_jobs_status_lease", "jobs", ["status", "lease_expires_at"])
    # jobs left unfinished by a version without leases: their lease ends now (then recovered)
    jobs = sa.table("jobs", sa.column("status", sa.String),
                    sa.column("lease_expires_at", sa.DateTime(timezone=True)))
    op.execute(jobs.update().where(jobs.c.status.in_(["queued", "running"]))
               .values(lease_expires_at=datetime.now(UTC)))


def downgrade() -> None:
    op.drop_index("ix_jobs_status_lease", table_name="jobs")
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("attempts")
        batch.drop_column("lease_expires_at")
        batch.drop_column("lease_owner")
