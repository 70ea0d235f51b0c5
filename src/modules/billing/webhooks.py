"""Stripe webhook ingestion: verify, dedup, apply, exactly once however often it is delivered.

Three walls stand between a redelivered event and a second effect:
1. the processed guard claims `(event id, event type)` in the same transaction as the effects;
2. payments are unique per Stripe invoice id, and `PaymentReceived` (whose subscribers run as
   jobs: receipt email, license delivery) is published only when a payment row actually
   turned paid, so a replay long after the claim expired adds nothing;
3. subscription state carries the ordering marker of the event that set it, and only a newer
   event (by `created`, ties broken created < updated < deleted) may replace it.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Literal

import msgspec

from common.events import PaymentReceived
from core.logging import get_logger
from core.ports.clock import Clock
from core.ports.events import EventPublisher
from core.ports.processed_guard import ProcessedGuard
from core.ports.unit_of_work import UnitOfWork
from modules.billing._events import (
    CheckoutSessionObject,
    InvoiceObject,
    StripeEvent,
    SubscriptionObject,
    decode_event,
    timestamp_to_datetime,
)
from modules.billing._models import AccountRef, PaymentRecord, ReviewItem, SubscriptionChange
from modules.billing._seen import RecentlyProcessed
from modules.billing._signature import DEFAULT_TOLERANCE_SECONDS, verify_signature
from modules.billing.catalog import PLAN_METADATA_KEY, PlanPrices
from modules.billing.ports import BillingStore

__all__ = [
    "GUARD_SCOPE",
    "HANDLED_EVENT_TYPES",
    "StripeWebhookProcessor",
    "WebhookResult",
    "payment_event_id",
]

GUARD_SCOPE = "stripe"
_SUBSCRIPTION_RANK = {
    "customer.subscription.created": 0,
    "customer.subscription.updated": 1,
    "customer.subscription.deleted": 2,
}
_INVOICE_STATUS: dict[str, Literal["paid", "failed"]] = {
    "invoice.paid": "paid",
    "invoice.payment_failed": "failed",
}
HANDLED_EVENT_TYPES = frozenset(
    {"checkout.session.completed", *_SUBSCRIPTION_RANK, *_INVOICE_STATUS}
)
_log = get_logger(__name__)


class WebhookResult(msgspec.Struct, frozen=True, kw_only=True):
    event_id: str
    event_type: str
    duplicate: bool = False
    ignored: bool = False


def payment_event_id(stripe_invoice_id: str) -> str:
    """The `PaymentReceived` event id of an invoice: a re-publish is deduplicated by it."""
    return f"stripe-invoice:{stripe_invoice_id}"


class _HeldError(Exception):
    """The event cannot be applied; it is kept for review instead (and acknowledged)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class StripeWebhookProcessor:
    def __init__(
        self,
        *,
        secret: str,
        clock: Clock,
        guard: ProcessedGuard,
        store: BillingStore,
        prices: PlanPrices,
        events: EventPublisher | None = None,
        events_in_transaction: bool = True,
        tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
    ) -> None:
        """`events_in_transaction`: whether the publisher's jobs join the unit of work (a SQL
        job store on the same database: transactional outbox). Otherwise they are published
        after the commit, deduplicated by event id."""
        self._secret = secret
        self._clock = clock
        self._guard = guard
        self._store = store
        self._prices = prices
        self._events = events
        self._events_in_transaction = events_in_transaction
        self._tolerance = tolerance_seconds
        # Process-local shortcuts for floods of one event; the guard stays the authority.
        self._seen = RecentlyProcessed(clock)
        self._in_flight: dict[str, asyncio.Event] = {}

    async def handle(self, payload: bytes, signature: str | None) -> WebhookResult:
        """Verify and apply one delivery; raises `InvalidSignatureError`/`InputError` (400)."""
        verify_signature(
            payload,
            signature,
            self._secret,
            now=self._clock.now().timestamp(),
            tolerance=self._tolerance,
        )
        event = decode_event(payload)
        if event.type not in HANDLED_EVENT_TYPES:
            _log.info("billing.webhook.ignored", event_id=event.id, event_type=event.type)
            return WebhookResult(event_id=event.id, event_type=event.type, ignored=True)
        key = f"{event.id}:{event.type}"
        while True:
            if key in self._seen:
                return self._duplicate(event)
            running = self._in_flight.get(key)
            if running is None:
                break
            # The same event is being applied by this process: its outcome decides (if it
            # fails, this delivery goes to the guard itself).
            await running.wait()
        done = asyncio.Event()
        self._in_flight[key] = done
        try:
            return await self._process(event, payload, key)
        finally:
            del self._in_flight[key]
            done.set()

    async def _process(self, event: StripeEvent, payload: bytes, key: str) -> WebhookResult:
        follow_ups: list[PaymentReceived] = []
        async with self._guard.guard(GUARD_SCOPE, key) as ctx:
            if ctx.already_processed:
                self._seen.add(key)
                return self._duplicate(event)
            uow = ctx.unit_of_work
            try:
                follow_ups = await self._apply(event, uow)
            except _HeldError as held:
                await self._hold(event, payload, held.reason, uow)
            if self._events is not None and self._events_in_transaction:
                for follow_up in follow_ups:
                    await self._events.publish(follow_up, uow=uow)
        if self._events is not None and not self._events_in_transaction:
            for follow_up in follow_ups:
                await self._publish_after_commit(self._events, event, follow_up)
        self._seen.add(key)
        _log.info("billing.webhook.applied", event_id=event.id, event_type=event.type)
        return WebhookResult(event_id=event.id, event_type=event.type)

    @staticmethod
    def _duplicate(event: StripeEvent) -> WebhookResult:
        _log.info("billing.webhook.duplicate", event_id=event.id, event_type=event.type)
        return WebhookResult(event_id=event.id, event_type=event.type, duplicate=True)

    async def _apply(self, event: StripeEvent, uow: UnitOfWork) -> list[PaymentReceived]:
        raw = event.data.object
        try:
            if event.type == "checkout.session.completed":
                await self._checkout_completed(
                    msgspec.json.decode(raw, type=CheckoutSessionObject), uow
                )
                return []
            if event.type in _SUBSCRIPTION_RANK:
                subscription = msgspec.json.decode(raw, type=SubscriptionObject)
                await self._subscription_changed(event, subscription, uow)
                return []
            invoice = msgspec.json.decode(raw, type=InvoiceObject)
        except msgspec.DecodeError as exc:
            raise _HeldError("unreadable-object") from exc
        return await self._invoice(event, invoice, uow)

    async def _account_for(
        self, customer_id: str, metadata: dict[str, str], uow: UnitOfWork
    ) -> AccountRef:
        known = await self._store.customer_by_stripe_id(customer_id, uow=uow)
        if known is not None:
            return known.account
        account = AccountRef.parse(metadata.get("account_type"), metadata.get("account_id"))
        if account is None:
            raise _HeldError("unknown-customer")
        await self._store.link_customer(account, customer_id, uow=uow)
        return account

    async def _checkout_completed(self, session: CheckoutSessionObject, uow: UnitOfWork) -> None:
        if not session.customer:
            raise _HeldError("no-customer")
        account = AccountRef.parse(
            session.metadata.get("account_type"), session.metadata.get("account_id")
        ) or AccountRef.from_reference(session.client_reference_id)
        if account is None:
            await self._account_for(session.customer, {}, uow)
            return
        linked = await self._store.link_customer(account, session.customer, uow=uow)
        if linked.account != account:
            raise _HeldError("account-mismatch")

    async def _subscription_changed(
        self, event: StripeEvent, subscription: SubscriptionObject, uow: UnitOfWork
    ) -> None:
        account = await self._account_for(subscription.customer, subscription.metadata, uow)
        price = subscription.price
        plan = self._prices.plan_for_price(
            price.id if price else None,
            lookup_key=price.lookup_key if price else None,
            metadata_plan=price.metadata.get(PLAN_METADATA_KEY) if price else None,
        ) or self._prices.plan_for_price(None, metadata_plan=subscription.metadata.get("plan"))
        if plan is None:
            raise _HeldError("unknown-price")
        change = SubscriptionChange(
            stripe_subscription_id=subscription.id,
            stripe_customer_id=subscription.customer,
            account=account,
            plan=plan,
            status="canceled"
            if event.type == "customer.subscription.deleted"
            else subscription.status,
            current_period_end=timestamp_to_datetime(subscription.period_end),
            cancel_at_period_end=subscription.cancel_at_period_end,
            event_created=_event_time(event),
            event_rank=_SUBSCRIPTION_RANK[event.type],
        )
        applied = await self._store.apply_subscription(change, uow=uow)
        _log.info(
            "billing.subscription.applied" if applied else "billing.subscription.stale",
            event_id=event.id,
            subscription_id=subscription.id,
            status=change.status,
            plan=plan,
        )

    async def _invoice(
        self, event: StripeEvent, invoice: InvoiceObject, uow: UnitOfWork
    ) -> list[PaymentReceived]:
        account = await self._account_for(invoice.customer, invoice.subscription_metadata, uow)
        status = _INVOICE_STATUS[event.type]
        paid = status == "paid"
        record = PaymentRecord(
            stripe_invoice_id=invoice.id,
            stripe_customer_id=invoice.customer,
            stripe_subscription_id=invoice.subscription_id,
            account=account,
            amount_cents=invoice.amount_paid if paid else invoice.amount_due,
            currency=invoice.currency,
            status=status,
            paid_at=(
                timestamp_to_datetime(invoice.status_transitions.paid_at) or _event_time(event)
                if paid
                else None
            ),
        )
        payment_id = await self._store.record_payment(record, uow=uow)
        if payment_id is None or not paid:
            return []
        return [
            PaymentReceived(
                event_id=payment_event_id(invoice.id),
                payment_id=payment_id,
                amount_cents=record.amount_cents,
                currency=record.currency,
                user_id=account.id if account.type == "user" else None,
                org_id=account.id if account.type == "org" else None,
            )
        ]

    async def _hold(self, event: StripeEvent, payload: bytes, reason: str, uow: UnitOfWork) -> None:
        item = ReviewItem(
            event_id=event.id,
            event_type=event.type,
            reason=reason,
            payload=payload,
            received_at=self._clock.now(),
        )
        await self._store.hold_for_review(item, uow=uow)
        _log.warning(
            "billing.webhook.held", event_id=event.id, event_type=event.type, reason=reason
        )

    async def _publish_after_commit(
        self, events: EventPublisher, event: StripeEvent, follow_up: PaymentReceived
    ) -> None:
        try:
            await events.publish(follow_up)
        except Exception as exc:
            # The effects are committed and the event claimed: keep the follow-up for review
            # rather than lose it silently.
            _log.error(
                "billing.follow_up.not_published",
                event_id=event.id,
                error_type=type(exc).__name__,
            )
            await self._store.hold_for_review(
                ReviewItem(
                    event_id=event.id,
                    event_type=f"follow-up:{event.type}",
                    reason="follow-up-not-published",
                    payload=msgspec.json.encode(follow_up),
                    received_at=self._clock.now(),
                )
            )


def _event_time(event: StripeEvent) -> datetime:
    return datetime.fromtimestamp(event.created, UTC)
