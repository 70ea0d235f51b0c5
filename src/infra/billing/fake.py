"""The zero-config payment gateway: checkout on a small page of ours, completed by signed events.

Its state (customers, sessions, subscriptions) lives in the key-value store, so it survives
restarts and is shared by every process, like the rest of zero-config. Completing a session
emits what Stripe would — `checkout.session.completed`, `customer.subscription.created`,
`invoice.paid` — signed with the webhook secret, for the caller to feed to the same webhook
processing Stripe's deliveries go through. Ids derive from the session, so confirming twice
replays the same events (and the dedup swallows them).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import msgspec

from core.errors import NotFoundError
from core.ports.clock import Clock
from core.ports.kv import KeyValueStore
from modules.billing import (
    PLAN_METADATA_KEY,
    AccountRef,
    CheckoutRequest,
    CheckoutSession,
    GatewaySubscription,
    PlanPriceSpec,
    PlanSyncResult,
    sign_payload,
)
from policies.plans import get_plan

__all__ = ["FakeCheckout", "FakePaymentGateway", "SignedEvent"]

_PREFIX = "billing:fake:"
_SESSION_TTL_SECONDS = 24 * 3600
_PERIOD = timedelta(days=30)
_API_VERSION = "2026-10-28.endive"


class FakeCheckout(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    account: AccountRef
    plan_id: str
    price_id: str
    lookup_key: str
    customer_id: str
    success_url: str
    cancel_url: str


class FakeSubscription(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    customer_id: str
    status: str
    price_id: str
    current_period_end: int
    cancel_at_period_end: bool


class SignedEvent(msgspec.Struct, frozen=True, kw_only=True):
    """One webhook delivery: the raw body and its `Stripe-Signature` header."""

    payload: bytes
    signature: str


def _digest(value: str, size: int = 24) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:size]


class FakePaymentGateway:
    adapter = "fake"

    def __init__(
        self, kv: KeyValueStore, clock: Clock, *, webhook_secret: str, public_url: str
    ) -> None:
        self._kv = kv
        self._clock = clock
        self._secret = webhook_secret
        self._public_url = public_url.rstrip("/")

    async def create_customer(self, account: AccountRef, email: str | None, key: str) -> str:
        customer_id = f"cus_fake_{_digest(key)}"
        await self._kv.set_if_absent(
            f"{_PREFIX}customer:{customer_id}", msgspec.json.encode(account).decode()
        )
        return customer_id

    async def create_checkout_session(self, request: CheckoutRequest) -> CheckoutSession:
        session_id = f"cs_fake_{_digest(request.idempotency_key, 32)}"
        checkout = FakeCheckout(
            id=session_id,
            account=request.account,
            plan_id=request.plan_id,
            price_id=request.price_id or f"price_fake_{request.plan_id}",
            lookup_key=request.price_lookup_key,
            customer_id=request.customer_id,
            success_url=request.success_url,
            cancel_url=request.cancel_url,
        )
        await self._kv.set_if_absent(
            f"{_PREFIX}session:{session_id}",
            msgspec.json.encode(checkout).decode(),
            ttl_seconds=_SESSION_TTL_SECONDS,
        )
        return CheckoutSession(
            id=session_id, url=f"{self._public_url}/billing/fake-checkout/{session_id}"
        )

    async def create_portal_session(self, customer_id: str, return_url: str) -> str:
        return (
            f"{self._public_url}/billing/fake-portal/{quote(customer_id)}"
            f"?return_url={quote(return_url, safe='')}"
        )

    async def retrieve_subscription(self, subscription_id: str) -> GatewaySubscription | None:
        raw = await self._kv.get(f"{_PREFIX}subscription:{subscription_id}")
        if raw is None:
            return None
        stored = msgspec.json.decode(raw, type=FakeSubscription)
        return GatewaySubscription(
            id=stored.id,
            customer_id=stored.customer_id,
            status=stored.status,
            price_id=stored.price_id,
            current_period_end=datetime.fromtimestamp(stored.current_period_end, UTC),
            cancel_at_period_end=stored.cancel_at_period_end,
        )

    async def update_customer_email(self, customer_id: str, email: str, key: str) -> None:
        await self._kv.set(f"{_PREFIX}customer-email:{customer_id}", email)

    async def sync_plans(self, plans: Sequence[PlanPriceSpec]) -> list[PlanSyncResult]:
        return [
            PlanSyncResult(
                plan_id=spec.plan_id,
                price_id=spec.price_id or f"price_fake_{spec.plan_id}",
                product_id=f"prod_fake_{spec.plan_id}",
                action="exists",
                detail="fake gateway: nothing to create",
            )
            for spec in plans
        ]

    async def ping(self) -> None:
        await self._kv.ping()

    async def aclose(self) -> None:
        return None

    async def checkout(self, session_id: str) -> FakeCheckout | None:
        raw = await self._kv.get(f"{_PREFIX}session:{session_id}")
        return None if raw is None else msgspec.json.decode(raw, type=FakeCheckout)

    async def complete_checkout(self, session_id: str) -> list[SignedEvent]:
        """The events Stripe would send once the customer pays; the same ones every time."""
        checkout = await self.checkout(session_id)
        if checkout is None:
            raise NotFoundError("No such checkout session (or it expired)")
        now = int(self._clock.now().timestamp())
        await self._kv.set_if_absent(f"{_PREFIX}completed:{session_id}", str(now))
        completed_at = int(await self._kv.get(f"{_PREFIX}completed:{session_id}") or now)
        suffix = session_id.removeprefix("cs_fake_")
        subscription = FakeSubscription(
            id=f"sub_fake_{suffix}",
            customer_id=checkout.customer_id,
            status="active",
            price_id=checkout.price_id,
            current_period_end=completed_at + int(_PERIOD.total_seconds()),
            cancel_at_period_end=False,
        )
        await self._kv.set_if_absent(
            f"{_PREFIX}subscription:{subscription.id}", msgspec.json.encode(subscription).decode()
        )
        objects = [
            ("checkout.session.completed", self._session_object(checkout, subscription)),
            ("customer.subscription.created", self._subscription_object(checkout, subscription)),
            ("invoice.paid", self._invoice_object(checkout, subscription, suffix, completed_at)),
        ]
        return [
            self._signed(f"evt_fake_{suffix}_{index}", event_type, body, completed_at, now)
            for index, (event_type, body) in enumerate(objects, start=1)
        ]

    def _signed(
        self, event_id: str, event_type: str, body: dict[str, Any], created: int, now: int
    ) -> SignedEvent:
        event = {
            "id": event_id,
            "object": "event",
            "api_version": _API_VERSION,
            "created": created,
            "livemode": False,
            "pending_webhooks": 1,
            "type": event_type,
            "data": {"object": body},
        }
        payload = msgspec.json.encode(event)
        return SignedEvent(payload=payload, signature=sign_payload(payload, self._secret, now))

    @staticmethod
    def _metadata(checkout: FakeCheckout) -> dict[str, str]:
        return {
            "account_type": checkout.account.type,
            "account_id": checkout.account.id,
            "plan": checkout.plan_id,
        }

    def _session_object(
        self, checkout: FakeCheckout, subscription: FakeSubscription
    ) -> dict[str, Any]:
        return {
            "id": checkout.id,
            "object": "checkout.session",
            "mode": "subscription",
            "status": "complete",
            "payment_status": "paid",
            "customer": checkout.customer_id,
            "subscription": subscription.id,
            "client_reference_id": checkout.account.reference,
            "metadata": self._metadata(checkout),
        }

    def _subscription_object(
        self, checkout: FakeCheckout, subscription: FakeSubscription
    ) -> dict[str, Any]:
        return {
            "id": subscription.id,
            "object": "subscription",
            "customer": subscription.customer_id,
            "status": subscription.status,
            "cancel_at_period_end": subscription.cancel_at_period_end,
            "metadata": self._metadata(checkout),
            "items": {
                "object": "list",
                "data": [
                    {
                        "object": "subscription_item",
                        "current_period_end": subscription.current_period_end,
                        "price": {
                            "id": checkout.price_id,
                            "object": "price",
                            "lookup_key": checkout.lookup_key,
                            "metadata": {PLAN_METADATA_KEY: checkout.plan_id},
                        },
                    }
                ],
            },
        }

    def _invoice_object(
        self, checkout: FakeCheckout, subscription: FakeSubscription, suffix: str, paid_at: int
    ) -> dict[str, Any]:
        plan = get_plan(checkout.plan_id)
        return {
            "id": f"in_fake_{suffix}",
            "object": "invoice",
            "customer": checkout.customer_id,
            "status": "paid",
            "currency": plan.currency if plan else "usd",
            "amount_paid": plan.price_cents if plan else 0,
            "amount_due": plan.price_cents if plan else 0,
            "status_transitions": {"paid_at": paid_at},
            "parent": {
                "type": "subscription_details",
                "subscription_details": {
                    "subscription": subscription.id,
                    "metadata": self._metadata(checkout),
                },
            },
        }
