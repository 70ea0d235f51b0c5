"""Key-value entries (SQL fallback for Redis counters and flags).

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from infra.db.tables._base import UtcDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kv_entries",
        sa.Column("key", sa.String(512), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_kv_entries")),
    )
    op.create_index(op.f("ix_kv_entries_expires_at"), "kv_entries", ["expires_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_kv_entries_expires_at"), table_name="kv_entries")
    op.drop_table("kv_entries")
