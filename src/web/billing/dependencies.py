"""Billing use cases assembled from the container (the composition root's job, per request)."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlencode

from litestar.datastructures import State

from core.ports.org_roles import OrgRoles
from infra.billing import billing_return_url, webhook_secret_for
from infra.billing.install import BillingAdapters
from infra.container import Container
from modules.billing import (
    BillingService,
    BillingUrls,
    PlanPrices,
    StripeWebhookProcessor,
)

if TYPE_CHECKING:
    from web.jobs.runtime import JobRuntime

__all__ = [
    "billing_service",
    "billing_urls",
    "build_webhook_processor",
    "webhook_processor",
]

_SQL_JOB_STORES = frozenset({"sqlite", "postgres"})
_PROCESSOR_KEY = "stripe_webhook_processor"


def _with_query(url: str, query: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}{query}"


def billing_urls(container: Container) -> BillingUrls:
    base = billing_return_url(container.settings)
    # `{CHECKOUT_SESSION_ID}` is Stripe's placeholder; it must stay unencoded.
    success = _with_query(base, urlencode({"checkout": "success"}))
    return BillingUrls(
        success_url=f"{success}&session_id={{CHECKOUT_SESSION_ID}}",
        cancel_url=_with_query(base, urlencode({"checkout": "cancelled"})),
        portal_return_url=base,
    )


def billing_service(container: Container) -> BillingService:
    adapters = container.services.get(BillingAdapters)
    return BillingService(
        store=adapters.store,
        gateway=adapters.payments,
        prices=PlanPrices.from_settings(container.settings),
        urls=billing_urls(container),
        org_roles=container.services.find(OrgRoles),
    )


def webhook_processor(state: State) -> StripeWebhookProcessor:
    """The app's one processor (it remembers which events this process saw applied)."""
    processor: StripeWebhookProcessor | None = state.get(_PROCESSOR_KEY)
    if processor is None:
        processor = build_webhook_processor(state.container, state.get("job_runtime"))
        state[_PROCESSOR_KEY] = processor
    return processor


def build_webhook_processor(
    container: Container, runtime: JobRuntime | None
) -> StripeWebhookProcessor:
    """Follow-ups go through the runtime's event bus: in the webhook's own transaction when
    the job store is SQL on the same database, after the commit otherwise (Redis)."""
    return StripeWebhookProcessor(
        secret=webhook_secret_for(container.settings),
        clock=container.clock,
        guard=container.processed_guard,
        store=container.services.get(BillingAdapters).store,
        prices=PlanPrices.from_settings(container.settings),
        events=runtime.events if runtime is not None else None,
        events_in_transaction=container.jobs.adapter in _SQL_JOB_STORES,
    )
