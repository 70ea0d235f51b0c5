"""Domain events: facts a use case publishes so other features can react without importing it.

Each event is a frozen msgspec Struct with a stable `tag` (its wire name). Subscribers run as
jobs (see background.events), so a slow or failing subscriber never fails the publisher and
is retried on its own.
"""

from __future__ import annotations

import msgspec

from common.ids import new_id

__all__ = ["DomainEvent", "PaymentReceived", "UserRegistered", "event_name"]


class DomainEvent(msgspec.Struct, frozen=True, kw_only=True, tag_field="event"):
    event_id: str = msgspec.field(default_factory=new_id)
    """Unique per occurrence: re-publishing the same event does not run subscribers twice."""


class UserRegistered(DomainEvent, frozen=True, kw_only=True, tag="user.registered"):
    user_id: str
    email: str
    name: str | None = None


class PaymentReceived(DomainEvent, frozen=True, kw_only=True, tag="payment.received"):
    payment_id: str
    amount_cents: int
    currency: str
    user_id: str | None = None
    org_id: str | None = None


def event_name(event_type: type[DomainEvent]) -> str:
    """The event's wire name: its `tag` (the class name when none was given)."""
    return str(event_type.__struct_config__.tag)
