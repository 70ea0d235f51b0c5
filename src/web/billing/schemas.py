"""Request and response bodies of the billing API (field names fixed by api.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from modules.billing import Payment, SubscriptionView
from policies.plans import Entitlements, Plan

__all__ = [
    "BillingEmail",
    "BillingEmailUpdate",
    "CheckoutCreate",
    "CheckoutSessionOut",
    "PaymentList",
    "PaymentOut",
    "PlanList",
    "PlanOut",
    "PortalSessionOut",
    "SubscriptionOut",
    "WebhookAck",
]

OrgId = Annotated[str, msgspec.Meta(min_length=1, max_length=255)]
Email = Annotated[
    str, msgspec.Meta(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
]


class PlanOut(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    name: str
    price_cents: int
    currency: str
    interval: str
    entitlements: Entitlements

    @classmethod
    def of(cls, plan: Plan) -> PlanOut:
        return cls(
            id=plan.id,
            name=plan.name,
            price_cents=plan.price_cents,
            currency=plan.currency,
            interval=plan.interval,
            entitlements=plan.entitlements,
        )


class PlanList(msgspec.Struct, frozen=True):
    items: list[PlanOut]


class CheckoutCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    plan: Annotated[str, msgspec.Meta(min_length=1, max_length=32)]
    org_id: OrgId | None = None


class CheckoutSessionOut(msgspec.Struct, frozen=True, kw_only=True):
    checkout_url: str
    session_id: str


class PortalSessionOut(msgspec.Struct, frozen=True, kw_only=True):
    portal_url: str


class SubscriptionOut(msgspec.Struct, frozen=True, kw_only=True):
    plan: str
    status: str
    current_period_end: datetime | None
    cancel_at_period_end: bool
    account_type: str
    account_id: str
    entitlements: Entitlements

    @classmethod
    def of(cls, view: SubscriptionView) -> SubscriptionOut:
        return cls(
            plan=view.plan.id,
            status=view.status,
            current_period_end=view.current_period_end,
            cancel_at_period_end=view.cancel_at_period_end,
            account_type=view.account.type,
            account_id=view.account.id,
            entitlements=view.plan.entitlements,
        )


class PaymentOut(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    stripe_invoice_id: str
    amount_cents: int
    currency: str
    status: str
    paid_at: datetime | None

    @classmethod
    def of(cls, payment: Payment) -> PaymentOut:
        return cls(
            id=payment.id,
            stripe_invoice_id=payment.stripe_invoice_id,
            amount_cents=payment.amount_cents,
            currency=payment.currency,
            status=payment.status,
            paid_at=payment.paid_at,
        )


class PaymentList(msgspec.Struct, frozen=True):
    items: list[PaymentOut]


class BillingEmailUpdate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    email: Email
    org_id: OrgId | None = None


class BillingEmail(msgspec.Struct, frozen=True, kw_only=True):
    email: str
    account_type: str
    account_id: str


class WebhookAck(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    received: bool
    duplicate: bool = False
    """Only present (true) for an event already processed."""
