"""Billing adapters: the Stripe SDK gateway, the local fake gateway, and the SQL store."""

from infra.billing.config import billing_return_url, build_payment_gateway, webhook_secret_for
from infra.billing.fake import FakeCheckout, FakePaymentGateway, SignedEvent
from infra.billing.sql import SqlBillingStore
from infra.billing.stripe_gateway import StripePaymentGateway

__all__ = [
    "FakeCheckout",
    "FakePaymentGateway",
    "SignedEvent",
    "SqlBillingStore",
    "StripePaymentGateway",
    "billing_return_url",
    "build_payment_gateway",
    "webhook_secret_for",
]
