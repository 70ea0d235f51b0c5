"""LLM gateway: budget windows, reservations, holds, and the usage ledger.

Revision ID: llm_0001
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from infra.db.tables._base import UtcDateTime

revision = "llm_0001"
down_revision = "0001"
branch_labels = ("llm",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "llm_budget_windows",
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("used", sa.BigInteger(), nullable=False),
        sa.Column("limit_tokens", sa.BigInteger(), nullable=False),
        sa.Column("resets_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_llm_budget_windows")),
    )
    op.create_index(op.f("ix_llm_budget_windows_resets_at"), "llm_budget_windows", ["resets_at"])
    op.create_table(
        "llm_budget_reservations",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("charged", sa.BigInteger(), nullable=False),
        sa.Column("windows", sa.Text(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_llm_budget_reservations")),
    )
    op.create_index(
        op.f("ix_llm_budget_reservations_created_at"), "llm_budget_reservations", ["created_at"]
    )
    op.create_index(
        "ix_llm_budget_reservations_state", "llm_budget_reservations", ["state", "expires_at"]
    )
    op.create_table(
        "llm_budget_holds",
        sa.Column("window_key", sa.String(255), nullable=False),
        sa.Column("reservation_id", sa.String(64), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("window_key", "reservation_id", name=op.f("pk_llm_budget_holds")),
    )
    op.create_index(
        op.f("ix_llm_budget_holds_reservation_id"), "llm_budget_holds", ["reservation_id"]
    )
    op.create_table(
        "llm_usage",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("org_id", sa.String(64), nullable=True),
        sa.Column("feature", sa.String(64), nullable=False),
        sa.Column("provider", sa.String(32), nullable=False),
        sa.Column("model", sa.String(100), nullable=False),
        sa.Column("input_tokens", sa.Integer(), nullable=False),
        sa.Column("output_tokens", sa.Integer(), nullable=False),
        sa.Column("reserved_tokens", sa.Integer(), nullable=False),
        sa.Column("charged_tokens", sa.Integer(), nullable=False),
        sa.Column("cost_micro_usd", sa.BigInteger(), nullable=False),
        sa.Column("latency_ms", sa.Float(), nullable=False),
        sa.Column("outcome", sa.String(32), nullable=False),
        sa.Column("request_id", sa.String(128), nullable=True),
        sa.Column("job_id", sa.String(64), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_llm_usage")),
    )
    op.create_index("ix_llm_usage_user", "llm_usage", ["user_id", "created_at"])
    op.create_index("ix_llm_usage_org", "llm_usage", ["org_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_llm_usage_org", table_name="llm_usage")
    op.drop_index("ix_llm_usage_user", table_name="llm_usage")
    op.drop_table("llm_usage")
    op.drop_index(op.f("ix_llm_budget_holds_reservation_id"), table_name="llm_budget_holds")
    op.drop_table("llm_budget_holds")
    op.drop_index("ix_llm_budget_reservations_state", table_name="llm_budget_reservations")
    op.drop_index(
        op.f("ix_llm_budget_reservations_created_at"), table_name="llm_budget_reservations"
    )
    op.drop_table("llm_budget_reservations")
    op.drop_index(op.f("ix_llm_budget_windows_resets_at"), table_name="llm_budget_windows")
    op.drop_table("llm_budget_windows")
