"""Install billing's adapters on a container (the billing feature's `install`)."""

from __future__ import annotations

from dataclasses import dataclass

from core.ports.plans import PlanLookup
from infra.billing.config import build_payment_gateway
from infra.billing.sql import SqlBillingStore
from infra.container import Container
from modules.billing.plan_lookup import SubscriptionPlans
from modules.billing.ports import BillingStore, PaymentGateway

__all__ = ["BillingAdapters", "install_billing"]


@dataclass(slots=True)
class BillingAdapters:
    payments: PaymentGateway
    """Stripe when `STRIPE_SECRET_KEY` is set, else the local fake."""
    store: BillingStore


def install_billing(container: Container) -> None:
    adapters = BillingAdapters(
        payments=build_payment_gateway(container.settings, container.kv, container.clock),
        store=SqlBillingStore(container.database, container.clock),
    )
    container.services.provide(BillingAdapters, adapters)
    container.services.provide(PlanLookup, SubscriptionPlans(adapters.store))
    container.probes["billing"] = adapters.payments
    container.closers.append(adapters.payments.aclose)
