"""The sign-in throttle's table (counted in the database, shared by every worker) and the
index QR references are looked up by. Portals made by ``create_all`` just before migrations
began may have them already: each is created only where it is missing.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    if "login_throttle" not in inspector.get_table_names():
        op.create_table(
            "login_throttle",
            sa.Column("key", sa.String(80), primary_key=True),
            sa.Column("account", sa.String(64), nullable=True),
            sa.Column("attempts", sa.Integer(), nullable=False),
            sa.Column("delay_ms", sa.BigInteger(), nullable=False),
            sa.Column("next_allowed_ms", sa.BigInteger(), nullable=False),
            sa.Column("claimed_at", sa.Integer(), nullable=False),
            sa.Column("updated_ms", sa.BigInteger(), nullable=False),
        )
        op.create_index("ix_login_throttle_account", "login_throttle", ["account"])
    indexes = {i["name"] for i in inspector.get_indexes("certificate_index")}
    if "ix_certificate_index_target_hash" not in indexes:
        op.create_index("ix_certificate_index_target_hash", "certificate_index", ["target_hash"])


def downgrade() -> None:
    op.drop_index("ix_certificate_index_target_hash", "certificate_index")
    op.drop_table("login_throttle")
