"""Billing use cases for a user or (owner/admin) an organisation: checkout, portal, views, email."""

from __future__ import annotations

import hashlib
from datetime import datetime

import msgspec

from common.ids import new_id
from core.errors import (
    ConflictError,
    FieldError,
    InputError,
    NotFoundError,
    PermissionDeniedError,
)
from modules.billing._models import AccountRef, Customer, Payment, Subscription
from modules.billing.catalog import PlanPrices, lookup_key_for
from modules.billing.ports import (
    BillingStore,
    CheckoutRequest,
    CheckoutSession,
    OrgRoles,
    PaymentGateway,
)
from policies.billing_access import can_manage_billing, can_view_billing
from policies.plans import ENTITLED_STATUSES, Plan, effective_plan, get_plan

__all__ = ["BillingService", "BillingUrls", "SubscriptionView", "current_subscription"]


class BillingUrls(msgspec.Struct, frozen=True, kw_only=True):
    success_url: str
    cancel_url: str
    portal_return_url: str


class SubscriptionView(msgspec.Struct, frozen=True, kw_only=True):
    account: AccountRef
    plan: Plan
    """The plan in force (free unless the subscription is entitled)."""
    status: str
    current_period_end: datetime | None
    cancel_at_period_end: bool
    stripe_subscription_id: str | None


def current_subscription(subscriptions: list[Subscription]) -> Subscription | None:
    """The subscription that decides the plan: the latest entitled one, else the latest."""
    if not subscriptions:
        return None
    entitled = [sub for sub in subscriptions if sub.status in ENTITLED_STATUSES]
    return max(entitled or subscriptions, key=lambda sub: sub.updated_at)


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:32]


class BillingService:
    def __init__(
        self,
        *,
        store: BillingStore,
        gateway: PaymentGateway,
        prices: PlanPrices,
        urls: BillingUrls,
        org_roles: OrgRoles | None,
    ) -> None:
        self._store = store
        self._gateway = gateway
        self._prices = prices
        self._urls = urls
        self._org_roles = org_roles

    async def account_for(self, user_id: str, org_id: str | None, *, manage: bool) -> AccountRef:
        """The paying account: the caller, or an org the caller may see (or manage)."""
        if org_id is None:
            return AccountRef(type="user", id=user_id)
        role = await self._org_roles.role_of(org_id, user_id) if self._org_roles else None
        if not can_view_billing(role):
            raise NotFoundError("No such organisation")
        if manage and not can_manage_billing(role):
            raise PermissionDeniedError("Only owners and admins manage an organisation's billing")
        return AccountRef(type="org", id=org_id)

    async def checkout(
        self, user_id: str, plan_id: str, org_id: str | None, request_key: str | None
    ) -> CheckoutSession:
        plan = get_plan(plan_id)
        if plan is None:
            raise InputError(
                "Unknown plan", errors=[FieldError(field="plan", message="unknown plan")]
            )
        if not plan.is_paid:
            raise InputError(
                "The free plan needs no checkout",
                errors=[FieldError(field="plan", message="not a paid plan")],
            )
        account = await self.account_for(user_id, org_id, manage=True)
        current = current_subscription(await self._store.subscriptions_of(account))
        if current is not None and current.status in ENTITLED_STATUSES:
            raise ConflictError(
                "The account already has a subscription; change it in the billing portal",
                slug="already-subscribed",
            )
        customer_id = await self._ensure_customer(account)
        scope = f"{account.reference}:{plan.id}"
        return await self._gateway.create_checkout_session(
            CheckoutRequest(
                account=account,
                plan_id=plan.id,
                price_id=self._prices.price_id(plan.id),
                price_lookup_key=lookup_key_for(plan),
                customer_id=customer_id,
                success_url=self._urls.success_url,
                cancel_url=self._urls.cancel_url,
                idempotency_key=f"checkout:{_digest(f'{scope}:{request_key}')}"
                if request_key
                else f"checkout:{new_id()}",
            )
        )

    async def portal(self, user_id: str, org_id: str | None) -> str:
        account = await self.account_for(user_id, org_id, manage=True)
        customer = await self._store.get_customer(account)
        if customer is None or customer.stripe_customer_id is None:
            raise NotFoundError(
                "No billing account yet: check out a plan first", slug="no-billing-account"
            )
        return await self._gateway.create_portal_session(
            customer.stripe_customer_id, self._urls.portal_return_url
        )

    async def subscription(self, user_id: str, org_id: str | None) -> SubscriptionView:
        account = await self.account_for(user_id, org_id, manage=False)
        current = current_subscription(await self._store.subscriptions_of(account))
        if current is None:
            return SubscriptionView(
                account=account,
                plan=effective_plan(None, None),
                status="active",
                current_period_end=None,
                cancel_at_period_end=False,
                stripe_subscription_id=None,
            )
        return SubscriptionView(
            account=account,
            plan=effective_plan(current.plan, current.status),
            status=current.status,
            current_period_end=current.current_period_end,
            cancel_at_period_end=current.cancel_at_period_end,
            stripe_subscription_id=current.stripe_subscription_id,
        )

    async def payments(self, user_id: str, org_id: str | None) -> list[Payment]:
        account = await self.account_for(user_id, org_id, manage=True)
        return await self._store.payments_of(account)

    async def change_email(self, user_id: str, org_id: str | None, email: str) -> Customer:
        """Set the billing email; the provider's customer is updated first, then our record."""
        account = await self.account_for(user_id, org_id, manage=True)
        customer = await self._store.get_customer(account)
        if customer is not None and customer.stripe_customer_id is not None:
            await self._gateway.update_customer_email(
                customer.stripe_customer_id,
                email,
                key=f"email:{_digest(f'{customer.stripe_customer_id}:{email}')}",
            )
        return await self._store.set_email(account, email)

    async def _ensure_customer(self, account: AccountRef) -> str:
        customer = await self._store.get_customer(account)
        if customer is not None and customer.stripe_customer_id is not None:
            return customer.stripe_customer_id
        email = customer.email if customer is not None else None
        # The same key for the same account and email: concurrent checkouts get one customer.
        created = await self._gateway.create_customer(
            account, email, key=f"customer:{_digest(f'{account.reference}:{email}')}"
        )
        linked = await self._store.link_customer(account, created)
        assert linked.stripe_customer_id is not None
        return linked.stripe_customer_id
