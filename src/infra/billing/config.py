"""Which payment gateway serves, and the webhook signing secret both ends agree on."""

from __future__ import annotations

import hashlib
import hmac

from core.ports.clock import Clock
from core.ports.kv import KeyValueStore
from core.settings import Settings
from infra.billing.fake import FakePaymentGateway
from infra.billing.stripe_gateway import StripePaymentGateway
from modules.billing import PaymentGateway
from modules.billing.settings import BillingSettings

__all__ = ["billing_return_url", "build_payment_gateway", "webhook_secret_for"]


def webhook_secret_for(settings: Settings) -> str:
    """`STRIPE_WEBHOOK_SECRET`, else a dev secret derived from the app secret.

    Derived, not random, so every process (and the fake gateway that signs) agrees on it;
    prod with Stripe refuses to boot without the real one (see core.settings).
    """
    configured = settings.section(BillingSettings).stripe_webhook_secret
    if configured:
        return configured
    digest = hmac.new(settings.secret.encode(), b"stripe-webhook-secret", hashlib.sha256)
    return f"whsec_dev_{digest.hexdigest()}"


def billing_return_url(settings: Settings) -> str:
    return (
        settings.section(BillingSettings).billing_return_url
        or f"{settings.public_url.rstrip('/')}/billing/fake-checkout-done"
    )


def build_payment_gateway(settings: Settings, kv: KeyValueStore, clock: Clock) -> PaymentGateway:
    """The Stripe SDK when `STRIPE_SECRET_KEY` is set, else the local fake."""
    billing = settings.section(BillingSettings)
    if billing.stripe_secret_key:
        return StripePaymentGateway(
            billing.stripe_secret_key,
            api_base=billing.stripe_api_base,
            timeout_seconds=billing.stripe_timeout_seconds,
            max_network_retries=billing.stripe_max_network_retries,
        )
    return FakePaymentGateway(
        kv, clock, webhook_secret=webhook_secret_for(settings), public_url=settings.public_url
    )
