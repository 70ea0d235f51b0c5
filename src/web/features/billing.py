"""Stripe billing: plans, checkout, the customer portal, idempotent webhooks, receipts."""

from infra.billing.install import install_billing
from modules.billing.settings import BillingSettings
from web.billing import BillingController, FakeCheckoutController, StripeWebhookController
from web.billing.jobs import register_billing_jobs
from web.features import Feature

FEATURE = Feature(
    name="billing",
    routes=(BillingController, StripeWebhookController, FakeCheckoutController),
    jobs=(register_billing_jobs,),
    commands=("web.cli.billing:billing_group",),
    settings=BillingSettings,
    install=install_billing,
    migrations="billing",
)
