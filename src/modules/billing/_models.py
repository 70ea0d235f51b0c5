"""Billing records as the use cases see them; the SQL adapter maps its rows to these."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec

__all__ = [
    "AccountRef",
    "AccountType",
    "Customer",
    "Payment",
    "PaymentRecord",
    "PaymentStatus",
    "ReviewItem",
    "Subscription",
    "SubscriptionChange",
]

AccountType = Literal["user", "org"]
PaymentStatus = Literal["paid", "failed"]


class AccountRef(msgspec.Struct, frozen=True):
    """Who pays: a user or an organisation, by id (no foreign key: those tables are not ours)."""

    type: AccountType
    id: str

    @property
    def reference(self) -> str:
        """`user:<id>` / `org:<id>`, the Checkout `client_reference_id`."""
        return f"{self.type}:{self.id}"

    @classmethod
    def parse(cls, account_type: str | None, account_id: str | None) -> AccountRef | None:
        if not account_id:
            return None
        if account_type == "user":
            return cls(type="user", id=account_id)
        if account_type == "org":
            return cls(type="org", id=account_id)
        return None

    @classmethod
    def from_reference(cls, reference: str | None) -> AccountRef | None:
        account_type, _, account_id = (reference or "").partition(":")
        return cls.parse(account_type, account_id)


class Customer(msgspec.Struct, frozen=True, kw_only=True):
    account: AccountRef
    stripe_customer_id: str | None
    email: str | None


class Subscription(msgspec.Struct, frozen=True, kw_only=True):
    stripe_subscription_id: str
    account: AccountRef
    plan: str
    status: str
    current_period_end: datetime | None
    cancel_at_period_end: bool
    version: int
    """How many changes were applied; a duplicate delivery must not move it."""
    updated_at: datetime


class SubscriptionChange(msgspec.Struct, frozen=True, kw_only=True):
    """A subscription's state as one event describes it, with that event's ordering marker."""

    stripe_subscription_id: str
    stripe_customer_id: str
    account: AccountRef
    plan: str
    status: str
    current_period_end: datetime | None
    cancel_at_period_end: bool
    event_created: datetime
    event_rank: int
    """Breaks ties between events of the same second: created < updated < deleted."""


class PaymentRecord(msgspec.Struct, frozen=True, kw_only=True):
    stripe_invoice_id: str
    stripe_customer_id: str
    stripe_subscription_id: str | None
    account: AccountRef
    amount_cents: int
    currency: str
    status: PaymentStatus
    paid_at: datetime | None


class Payment(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    stripe_invoice_id: str
    account: AccountRef
    amount_cents: int
    currency: str
    status: PaymentStatus
    paid_at: datetime | None
    created_at: datetime


class ReviewItem(msgspec.Struct, frozen=True, kw_only=True):
    """A verified event we could not apply (unknown customer, unreadable object): kept, not lost."""

    event_id: str
    event_type: str
    reason: str
    payload: bytes
    received_at: datetime
