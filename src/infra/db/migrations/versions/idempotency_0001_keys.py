"""Idempotency keys: HTTP claims with stored responses, and processed markers.

Revision ID: idempotency_0001
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from infra.db.tables._base import UtcDateTime

revision = "idempotency_0001"
down_revision = "0001"
branch_labels = ("idempotency",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column("key", sa.String(512), nullable=False),
        sa.Column("fingerprint", sa.Text(), nullable=False),
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("completed", sa.Boolean(), nullable=False),
        sa.Column("response", sa.LargeBinary(), nullable=True),
        sa.Column("ttl_seconds", sa.Float(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_idempotency_keys")),
    )
    op.create_index(op.f("ix_idempotency_keys_expires_at"), "idempotency_keys", ["expires_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_idempotency_keys_expires_at"), table_name="idempotency_keys")
    op.drop_table("idempotency_keys")
