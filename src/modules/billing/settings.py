"""Billing's settings: the Stripe keys and prices (absent key: the local fake gateway)."""

from __future__ import annotations

from core.errors import ConfigurationError
from core.settings import Settings, SettingsSection, positive

__all__ = ["BillingSettings"]


class BillingSettings(SettingsSection, kw_only=True, frozen=True):
    stripe_secret_key: str | None = None
    stripe_webhook_secret: str | None = None
    stripe_api_base: str | None = None
    stripe_price_pro: str | None = None
    stripe_price_team: str | None = None
    stripe_timeout_seconds: float = 20.0
    stripe_max_network_retries: int = 2
    billing_return_url: str | None = None

    def check(self, settings: Settings) -> None:
        positive(self, "stripe_timeout_seconds")
        if self.stripe_max_network_retries < 0:
            raise ConfigurationError("STRIPE_MAX_NETWORK_RETRIES: must be zero or more")
        if settings.is_prod and self.stripe_secret_key and not self.stripe_webhook_secret:
            raise ConfigurationError(
                "STRIPE_WEBHOOK_SECRET: APP_ENV=prod with STRIPE_SECRET_KEY needs the endpoint's "
                "signing secret (whsec_...)"
            )
