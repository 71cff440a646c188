"""Initial schema: jurisdictions, networks, plans, grids, users, API keys, audit log, jobs.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from api.db.geometry import Geometry

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def _spatial_index(table: str, column: str) -> None:
    # GiST on PostGIS; plain SQLite has no spatial index (queries prefilter in Python there).
    if op.get_bind().dialect.name == "postgresql":
        op.create_index(f"ix_{table}_{column}_gist", table, [column], postgresql_using="gist")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.create_table(
        "jurisdictions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(32), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("level", sa.Integer, nullable=False),
        sa.Column("parent_code", sa.String(32),
                  sa.ForeignKey("jurisdictions.code", ondelete="RESTRICT"), nullable=True),
        sa.Column("geometry", Geometry(), nullable=False),
    )
    op.create_index("ix_jurisdictions_parent_code", "jurisdictions", ["parent_code"])
    _spatial_index("jurisdictions", "geometry")

    op.create_table(
        "street_networks",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("mode", sa.String(8), nullable=False),
        sa.Column("jurisdiction_code", sa.String(32),
                  sa.ForeignKey("jurisdictions.code", ondelete="RESTRICT"), nullable=True),
        sa.Column("file_path", sa.Text, nullable=False),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.Column("size_bytes", sa.Integer, nullable=False),
        sa.Column("summary", sa.JSON, nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_index("ix_street_networks_jurisdiction_code", "street_networks",
                    ["jurisdiction_code"])

    op.create_table(
        "grid_plans",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("district_code", sa.String(32),
                  sa.ForeignKey("jurisdictions.code", ondelete="RESTRICT"), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("notes", sa.Text, nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_index("ix_grid_plans_district_code", "grid_plans", ["district_code"])

    op.create_table(
        "grids",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("plan_id", sa.Integer, sa.ForeignKey("grid_plans.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("jurisdiction_code", sa.String(32),
                  sa.ForeignKey("jurisdictions.code", ondelete="RESTRICT"), nullable=False),
        sa.Column("district_code", sa.String(32), nullable=False),
        sa.Column("geometry", Geometry(), nullable=False),
        sa.Column("station", Geometry(), nullable=True),
        sa.Column("staff", sa.JSON, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.UniqueConstraint("plan_id", "code", name="uq_grids_plan_code"),
    )
    for column in ("plan_id", "code", "jurisdiction_code", "district_code"):
        op.create_index(f"ix_grids_{column}", "grids", [column])
    _spatial_index("grids", "geometry")

    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("scope", sa.JSON, nullable=False),
        sa.Column("is_active", sa.Boolean, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("revoked", sa.Boolean, nullable=False),
    )
    op.create_index("ix_api_keys_user_id", "api_keys", ["user_id"])
    op.create_index("ix_api_keys_prefix", "api_keys", ["prefix"])

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", TZ, nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("entity", sa.String(32), nullable=False),
        sa.Column("entity_id", sa.String(64), nullable=False),
        sa.Column("before", sa.JSON, nullable=True),
        sa.Column("after", sa.JSON, nullable=True),
    )
    for column in ("at", "actor", "entity_id"):
        op.create_index(f"ix_audit_log_{column}", "audit_log", [column])

    op.create_table(
        "jobs",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("params", sa.JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("progress", sa.Float, nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("result", sa.JSON, nullable=True),
        sa.Column("error", sa.JSON, nullable=True),
        sa.Column("cancel_requested", sa.Boolean, nullable=False),
        sa.Column("owner", sa.String(64), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("started_at", TZ, nullable=True),
        sa.Column("finished_at", TZ, nullable=True),
    )
    op.create_index("ix_jobs_status", "jobs", ["status"])
    op.create_index("ix_jobs_owner", "jobs", ["owner"])


def downgrade() -> None:
    for table in ("jobs", "audit_log", "api_keys", "users", "grids", "grid_plans",
                  "street_networks", "jurisdictions"):
        op.drop_table(table)
