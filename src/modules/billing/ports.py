"""The ports billing needs: a payment gateway, a billing store, and org roles.

Adapters live in `infra.billing` (Stripe SDK, local fake, SQL); the org-roles adapter is wired
by the composition root from whatever owns organisations.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from datetime import datetime
from typing import Literal, Protocol

import msgspec

from core.ports.org_roles import OrgRoles
from core.ports.unit_of_work import UnitOfWork
from core.ports.user_emails import UserEmails
from modules.billing._models import (
    AccountRef,
    Customer,
    Payment,
    PaymentRecord,
    ReviewItem,
    Subscription,
    SubscriptionChange,
)

__all__ = [
    "BillingStore",
    "CheckoutRequest",
    "CheckoutSession",
    "GatewaySubscription",
    "OrgRoles",
    "PaymentGateway",
    "PlanPriceSpec",
    "PlanSyncResult",
    "SyncAction",
    "UserEmails",
]

SyncAction = Literal["created", "exists", "mismatch"]


class CheckoutRequest(msgspec.Struct, frozen=True, kw_only=True):
    account: AccountRef
    plan_id: str
    price_id: str | None
    """The configured Stripe price; None lets the adapter find it by lookup key."""
    price_lookup_key: str
    customer_id: str
    success_url: str
    cancel_url: str
    idempotency_key: str


class CheckoutSession(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    url: str


class GatewaySubscription(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    customer_id: str
    status: str
    price_id: str | None
    current_period_end: datetime | None
    cancel_at_period_end: bool


class PlanPriceSpec(msgspec.Struct, frozen=True, kw_only=True):
    """What `sync-plans` makes sure exists at the provider for one paid plan."""

    plan_id: str
    name: str
    price_cents: int
    currency: str
    interval: str
    lookup_key: str
    price_id: str | None
    """The configured price id (settings), checked rather than created when set."""


class PlanSyncResult(msgspec.Struct, frozen=True, kw_only=True):
    plan_id: str
    price_id: str
    product_id: str | None
    action: SyncAction
    detail: str | None = None


class PaymentGateway(Protocol):
    @property
    def adapter(self) -> str:
        """`stripe` or `fake`, as `/health/ready` reports it."""
        ...

    async def create_customer(self, account: AccountRef, email: str | None, key: str) -> str:
        """Create the provider customer for `account`; the same `key` yields the same one."""
        ...

    async def create_checkout_session(self, request: CheckoutRequest) -> CheckoutSession: ...

    async def create_portal_session(self, customer_id: str, return_url: str) -> str:
        """The URL of a self-service portal for `customer_id`."""
        ...

    async def retrieve_subscription(self, subscription_id: str) -> GatewaySubscription | None: ...

    async def update_customer_email(self, customer_id: str, email: str, key: str) -> None: ...

    async def sync_plans(self, plans: Sequence[PlanPriceSpec]) -> list[PlanSyncResult]: ...

    async def ping(self) -> None: ...

    async def aclose(self) -> None: ...


class BillingStore(Protocol):
    """Customers, subscriptions, payments and held events.

    Every write takes an optional unit of work so a webhook's dedup claim and its effects
    commit together; without one the write commits on its own.
    """

    async def get_customer(
        self, account: AccountRef, *, uow: UnitOfWork | None = None
    ) -> Customer | None: ...

    async def customer_by_stripe_id(
        self, stripe_customer_id: str, *, uow: UnitOfWork | None = None
    ) -> Customer | None: ...

    async def link_customer(
        self, account: AccountRef, stripe_customer_id: str, *, uow: UnitOfWork | None = None
    ) -> Customer:
        """Record the provider customer of `account` (the first link wins).

        Returns the customer holding `stripe_customer_id` (another account's, if it was
        already linked elsewhere: never stolen), else `account`'s own with its earlier id.
        """
        ...

    async def set_email(
        self, account: AccountRef, email: str, *, uow: UnitOfWork | None = None
    ) -> Customer: ...

    async def apply_subscription(
        self, change: SubscriptionChange, *, uow: UnitOfWork | None = None
    ) -> bool:
        """Apply `change` only if it is newer than what is stored (and the stored state is not
        terminal); True when it was applied."""
        ...

    async def subscriptions_of(self, account: AccountRef) -> builtins.list[Subscription]: ...

    async def record_payment(
        self, payment: PaymentRecord, *, uow: UnitOfWork | None = None
    ) -> str | None:
        """Insert the payment once per invoice (a failed one may later turn paid, never back).

        Returns the payment's id when a row was inserted or changed, else None.
        """
        ...

    async def payments_of(self, account: AccountRef, limit: int = 100) -> builtins.list[Payment]:
        """Newest first."""
        ...

    async def hold_for_review(self, item: ReviewItem, *, uow: UnitOfWork | None = None) -> bool:
        """Keep an event we could not apply; once per (event id, type). True when new."""
        ...

    async def held_for_review(self, limit: int = 100) -> builtins.list[ReviewItem]: ...
