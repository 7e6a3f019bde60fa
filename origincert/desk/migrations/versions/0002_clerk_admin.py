"""the clerk's and chamber admin's side: revocation requests and corrections, batch settings and
the origin-change four-eyes rule per chamber, each form's template and fee, each user's
language, and the sign-in throttle.

Revision ID: clerk0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "clerk0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("chambers") as t:
        t.add_column(sa.Column("batch_size", sa.Integer(), nullable=True))
        t.add_column(sa.Column("batch_wait_seconds", sa.Integer(), nullable=True))
        t.add_column(
            sa.Column("four_eyes_origin_change", sa.Boolean(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("applications") as t:
        t.add_column(sa.Column("revoke_reason", sa.String(length=40), nullable=True))
        t.add_column(sa.Column("revoke_comment", sa.Text(), nullable=True))
        t.add_column(sa.Column("revoke_requested_by", sa.Integer(), nullable=True))
        t.add_column(sa.Column("revoke_requested_at", sa.DateTime(timezone=True), nullable=True))
        t.add_column(sa.Column("issue_error", sa.Text(), nullable=True))
        t.create_foreign_key(
            "fk_applications_revoke_requested_by", "users", ["revoke_requested_by"], ["id"]
        )
    with op.batch_alter_table("users") as t:
        t.add_column(sa.Column("language", sa.String(length=8), nullable=True))
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("account", sa.String(length=64), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("delay_ms", sa.BigInteger(), nullable=False),
        sa.Column("next_allowed_ms", sa.BigInteger(), nullable=False),
        sa.Column("claimed_at", sa.Integer(), nullable=False),
        sa.Column("updated_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index("ix_login_throttle_account", "login_throttle", ["account"])
    op.create_table(
        "form_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chamber_id", sa.Integer(), nullable=False),
        sa.Column("form", sa.String(length=16), nullable=False),
        sa.Column("fee_cents", sa.Integer(), nullable=True),
        sa.Column("template", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["chamber_id"], ["chambers.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("chamber_id", "form"),
    )


def downgrade() -> None:
    op.drop_table("form_settings")
    op.drop_index("ix_login_throttle_account", table_name="login_throttle")
    op.drop_table("login_throttle")
    with op.batch_alter_table("users") as t:
        t.drop_column("language")
    with op.batch_alter_table("applications") as t:
        t.drop_constraint("fk_applications_revoke_requested_by", type_="foreignkey")
        for name in (
            "issue_error",
            "revoke_requested_at",
            "revoke_requested_by",
            "revoke_comment",
            "revoke_reason",
        ):
            t.drop_column(name)
    with op.batch_alter_table("chambers") as t:
        for name in ("four_eyes_origin_change", "batch_wait_seconds", "batch_size"):
            t.drop_column(name)
