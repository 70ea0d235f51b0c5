"""Billing over HTTP: the billing API, the Stripe webhook, and the fake gateway's pages."""

from web.billing.controller import BillingController
from web.billing.fake_checkout import FakeCheckoutController
from web.billing.webhooks import StripeWebhookController

__all__ = ["BillingController", "FakeCheckoutController", "StripeWebhookController"]
