"""Typed views of the Stripe webhook events billing handles (only the fields it reads).

Both shapes of the API are read: before 2025-03-31 a subscription carried
`current_period_end` itself and an invoice its `subscription`; since then they sit on the
subscription items and under `invoice.parent.subscription_details`.
"""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec

from core.errors import InputError

__all__ = [
    "CheckoutSessionObject",
    "InvoiceObject",
    "StripeEvent",
    "SubscriptionObject",
    "decode_event",
    "timestamp_to_datetime",
]


class EventData(msgspec.Struct, frozen=True):
    object: msgspec.Raw


class StripeEvent(msgspec.Struct, frozen=True):
    id: str
    type: str
    created: int
    data: EventData


class Price(msgspec.Struct, frozen=True):
    id: str | None = None
    lookup_key: str | None = None
    metadata: dict[str, str] = {}


class SubscriptionItem(msgspec.Struct, frozen=True):
    price: Price | None = None
    current_period_end: int | None = None


class SubscriptionItems(msgspec.Struct, frozen=True):
    data: list[SubscriptionItem] = []


class SubscriptionObject(msgspec.Struct, frozen=True):
    id: str
    customer: str
    status: str
    cancel_at_period_end: bool = False
    current_period_end: int | None = None
    metadata: dict[str, str] = {}
    items: SubscriptionItems = SubscriptionItems()

    @property
    def price(self) -> Price | None:
        return self.items.data[0].price if self.items.data else None

    @property
    def period_end(self) -> int | None:
        if self.current_period_end is not None:
            return self.current_period_end
        ends = [item.current_period_end for item in self.items.data if item.current_period_end]
        return max(ends) if ends else None


class CustomerDetails(msgspec.Struct, frozen=True):
    email: str | None = None


class CheckoutSessionObject(msgspec.Struct, frozen=True):
    id: str
    customer: str | None = None
    subscription: str | None = None
    client_reference_id: str | None = None
    metadata: dict[str, str] = {}
    customer_details: CustomerDetails | None = None


class SubscriptionDetails(msgspec.Struct, frozen=True):
    subscription: str | None = None
    metadata: dict[str, str] | None = None


class InvoiceParent(msgspec.Struct, frozen=True):
    subscription_details: SubscriptionDetails | None = None


class StatusTransitions(msgspec.Struct, frozen=True):
    paid_at: int | None = None


class InvoiceObject(msgspec.Struct, frozen=True):
    id: str
    customer: str
    currency: str = "usd"
    amount_paid: int = 0
    amount_due: int = 0
    subscription: str | None = None
    subscription_details: SubscriptionDetails | None = None
    parent: InvoiceParent | None = None
    status_transitions: StatusTransitions = StatusTransitions()

    @property
    def _details(self) -> SubscriptionDetails | None:
        if self.parent is not None and self.parent.subscription_details is not None:
            return self.parent.subscription_details
        return self.subscription_details

    @property
    def subscription_id(self) -> str | None:
        details = self._details
        return self.subscription or (details.subscription if details else None)

    @property
    def subscription_metadata(self) -> dict[str, str]:
        details = self._details
        return (details.metadata or {}) if details else {}


def decode_event(payload: bytes) -> StripeEvent:
    """Parse the envelope; 400 `malformed-json` or `validation-error` when it is not one."""
    try:
        return msgspec.json.decode(payload, type=StripeEvent)
    except msgspec.ValidationError as exc:
        raise InputError(f"Not a Stripe event: {exc}") from exc
    except msgspec.DecodeError as exc:
        raise InputError("The body is not valid JSON", slug="malformed-json") from exc


def timestamp_to_datetime(timestamp: int | None) -> datetime | None:
    return None if timestamp is None else datetime.fromtimestamp(timestamp, UTC)
