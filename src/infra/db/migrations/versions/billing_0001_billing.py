"""Billing: customers, subscriptions, payments (unique per invoice), webhook events for review.

Revision ID: billing_0001
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from infra.db.tables._base import UtcDateTime

revision = "billing_0001"
down_revision = "0001"
branch_labels = ("billing",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "billing_customers",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("account_type", sa.String(8), nullable=False),
        sa.Column("account_id", sa.String(255), nullable=False),
        sa.Column("stripe_customer_id", sa.String(255), nullable=True),
        sa.Column("email", sa.String(320), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_customers")),
        sa.UniqueConstraint(
            "account_type", "account_id", name=op.f("uq_billing_customers_account_type_account_id")
        ),
        sa.UniqueConstraint(
            "stripe_customer_id", name=op.f("uq_billing_customers_stripe_customer_id")
        ),
    )
    op.create_table(
        "billing_subscriptions",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("stripe_subscription_id", sa.String(255), nullable=False),
        sa.Column("stripe_customer_id", sa.String(255), nullable=False),
        sa.Column("account_type", sa.String(8), nullable=False),
        sa.Column("account_id", sa.String(255), nullable=False),
        sa.Column("plan", sa.String(32), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("current_period_end", UtcDateTime(), nullable=True),
        sa.Column("cancel_at_period_end", sa.Boolean(), nullable=False),
        sa.Column("last_event_created", sa.BigInteger(), nullable=False),
        sa.Column("last_event_rank", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_subscriptions")),
        sa.UniqueConstraint(
            "stripe_subscription_id",
            name=op.f("uq_billing_subscriptions_stripe_subscription_id"),
        ),
    )
    op.create_index(
        "ix_billing_subscriptions_account",
        "billing_subscriptions",
        ["account_type", "account_id"],
    )
    op.create_table(
        "billing_payments",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("stripe_invoice_id", sa.String(255), nullable=False),
        sa.Column("stripe_customer_id", sa.String(255), nullable=False),
        sa.Column("stripe_subscription_id", sa.String(255), nullable=True),
        sa.Column("account_type", sa.String(8), nullable=False),
        sa.Column("account_id", sa.String(255), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(8), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("paid_at", UtcDateTime(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_payments")),
        sa.UniqueConstraint(
            "stripe_invoice_id", name=op.f("uq_billing_payments_stripe_invoice_id")
        ),
    )
    op.create_index(
        "ix_billing_payments_account", "billing_payments", ["account_type", "account_id"]
    )
    op.create_table(
        "billing_webhook_reviews",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("event_id", sa.String(255), nullable=False),
        sa.Column("event_type", sa.String(255), nullable=False),
        sa.Column("reason", sa.String(64), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("received_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_webhook_reviews")),
        sa.UniqueConstraint(
            "event_id", "event_type", name=op.f("uq_billing_webhook_reviews_event_id_event_type")
        ),
    )
    op.create_index(
        op.f("ix_billing_webhook_reviews_received_at"),
        "billing_webhook_reviews",
        ["received_at"],
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_billing_webhook_reviews_received_at"), table_name="billing_webhook_reviews"
    )
    op.drop_table("billing_webhook_reviews")
    op.drop_index("ix_billing_payments_account", table_name="billing_payments")
    op.drop_table("billing_payments")
    op.drop_index("ix_billing_subscriptions_account", table_name="billing_subscriptions")
    op.drop_table("billing_subscriptions")
    op.drop_table("billing_customers")
