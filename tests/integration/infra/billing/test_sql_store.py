"""The SQL billing store on SQLite and PostgreSQL: walls that hold without the dedup guard."""

from __future__ import annotations

import asyncio
import itertools
import random
from datetime import UTC, datetime, timedelta

import msgspec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from infra.billing import SqlBillingStore
from infra.db.engine import Database
from infra.db.tables.billing import BillingPayment
from modules.billing import AccountRef, PaymentRecord, ReviewItem, SubscriptionChange
from tests.conftest import FakeClock

USER = AccountRef(type="user", id="u1")
ORG = AccountRef(type="org", id="o1")
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _change(
    *,
    created: datetime = T0,
    rank: int = 1,
    status: str = "active",
    plan: str = "pro",
    cancel: bool = False,
    subscription_id: str = "sub_1",
) -> SubscriptionChange:
    return SubscriptionChange(
        stripe_subscription_id=subscription_id,
        stripe_customer_id="cus_1",
        account=USER,
        plan=plan,
        status=status,
        current_period_end=created + timedelta(days=30),
        cancel_at_period_end=cancel,
        event_created=created,
        event_rank=rank,
    )


def _payment(invoice: str = "in_1", status: str = "paid", amount: int = 1900) -> PaymentRecord:
    return PaymentRecord(
        stripe_invoice_id=invoice,
        stripe_customer_id="cus_1",
        stripe_subscription_id="sub_1",
        account=USER,
        amount_cents=amount,
        currency="usd",
        status="paid" if status == "paid" else "failed",
        paid_at=T0 if status == "paid" else None,
    )


async def _payment_rows(db: Database) -> int:
    async with db.session() as session:
        return int(
            (await session.execute(select(func.count()).select_from(BillingPayment))).scalar_one()
        )


async def test_customer_link_first_wins_and_email_is_kept(db: Database, clock: FakeClock) -> None:
    store = SqlBillingStore(db, clock)
    assert await store.get_customer(USER) is None
    with_email = await store.set_email(USER, "a@x.test")
    assert (with_email.email, with_email.stripe_customer_id) == ("a@x.test", None)

    linked = await store.link_customer(USER, "cus_1")
    assert (linked.stripe_customer_id, linked.email) == ("cus_1", "a@x.test")
    again = await store.link_customer(USER, "cus_2")
    assert again.stripe_customer_id == "cus_1"
    found = await store.customer_by_stripe_id("cus_1")
    assert found is not None
    assert found.account == USER
    assert await store.customer_by_stripe_id("cus_2") is None

    # A customer id already linked to another account is never stolen.
    holder = await store.link_customer(ORG, "cus_1")
    assert holder.account == USER
    assert await store.get_customer(ORG) is None
    assert (await store.set_email(USER, "b@x.test")).email == "b@x.test"


async def test_concurrent_links_of_one_account_agree(db: Database, clock: FakeClock) -> None:
    store = SqlBillingStore(db, clock)
    results = await asyncio.gather(*(store.link_customer(USER, f"cus_{i}") for i in range(20)))
    assert len({result.stripe_customer_id for result in results}) == 1


async def test_a_payment_is_recorded_once_per_invoice_even_concurrently(
    db: Database, clock: FakeClock
) -> None:
    store = SqlBillingStore(db, clock)
    outcomes = await asyncio.gather(*(store.record_payment(_payment()) for _ in range(50)))
    winners = [outcome for outcome in outcomes if outcome is not None]
    assert len(winners) == 1
    assert await _payment_rows(db) == 1
    (payment,) = await store.payments_of(USER)
    assert (payment.stripe_invoice_id, payment.amount_cents, payment.status) == (
        "in_1",
        1900,
        "paid",
    )


async def test_failed_then_paid_upgrades_once_and_paid_is_final(
    db: Database, clock: FakeClock
) -> None:
    store = SqlBillingStore(db, clock)
    payment_id = await store.record_payment(_payment(status="failed"))
    assert payment_id is not None
    assert await store.record_payment(_payment(status="failed")) is None
    assert (await store.payments_of(USER))[0].status == "failed"
    assert await store.record_payment(_payment(status="paid")) == payment_id
    assert await store.record_payment(_payment(status="paid")) is None
    assert await store.record_payment(_payment(status="failed")) is None
    (payment,) = await store.payments_of(USER)
    assert payment.id == payment_id
    assert payment.status == "paid"
    assert payment.paid_at == T0


async def test_payments_are_listed_newest_first_per_account(db: Database, clock: FakeClock) -> None:
    store = SqlBillingStore(db, clock)
    for index in range(3):
        record = msgspec.structs.replace(
            _payment(invoice=f"in_{index}"), paid_at=T0 + timedelta(days=index)
        )
        await store.record_payment(record)
    assert [p.stripe_invoice_id for p in await store.payments_of(USER)] == ["in_2", "in_1", "in_0"]
    assert [p.stripe_invoice_id for p in await store.payments_of(USER, limit=1)] == ["in_2"]
    assert await store.payments_of(ORG) == []


async def test_a_subscription_only_moves_forward(db: Database, clock: FakeClock) -> None:
    store = SqlBillingStore(db, clock)
    assert await store.apply_subscription(_change(created=T0, rank=0)) is True
    assert await store.apply_subscription(_change(created=T0, rank=0)) is False
    newer = _change(created=T0 + timedelta(seconds=10), cancel=True)
    assert await store.apply_subscription(newer) is True
    stale = _change(created=T0 + timedelta(seconds=5), status="past_due")
    assert await store.apply_subscription(stale) is False
    (subscription,) = await store.subscriptions_of(USER)
    assert (subscription.status, subscription.cancel_at_period_end) == ("active", True)
    assert subscription.version == 2

    deleted = _change(created=T0 + timedelta(seconds=20), rank=2, status="canceled")
    assert await store.apply_subscription(deleted) is True
    revived = _change(created=T0 + timedelta(seconds=30), status="active")
    assert await store.apply_subscription(revived) is False
    (subscription,) = await store.subscriptions_of(USER)
    assert (subscription.status, subscription.version) == ("canceled", 3)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    st.lists(
        st.tuples(st.integers(0, 5), st.integers(0, 2), st.sampled_from(["active", "past_due"])),
        min_size=1,
        max_size=6,
    ),
    st.randoms(use_true_random=False),
)
async def test_any_delivery_order_ends_in_the_newest_state(
    db: Database,
    clock: FakeClock,
    events: list[tuple[int, int, str]],
    shuffler: random.Random,
) -> None:
    """Whatever order the events arrive in, the stored state is the newest event's."""
    store = SqlBillingStore(db, clock)
    subscription_id = f"sub_{next(_ids)}"
    unique = {(created, rank): status for created, rank, status in events}
    arrivals = list(unique.items())
    shuffler.shuffle(arrivals)
    for (created, rank), status in arrivals:
        await store.apply_subscription(
            _change(
                created=T0 + timedelta(seconds=created),
                rank=rank,
                status=status,
                subscription_id=subscription_id,
            )
        )
    newest = max(unique)
    stored = next(
        s for s in await store.subscriptions_of(USER) if s.stripe_subscription_id == subscription_id
    )
    assert stored.status == unique[newest]


_ids = itertools.count()


async def test_events_are_held_for_review_once(db: Database, clock: FakeClock) -> None:
    store = SqlBillingStore(db, clock)
    item = ReviewItem(
        event_id="evt_1",
        event_type="invoice.paid",
        reason="unknown-customer",
        payload=b'{"id": "evt_1"}',
        received_at=T0,
    )
    assert await store.hold_for_review(item) is True
    assert await store.hold_for_review(item) is False
    (held,) = await store.held_for_review()
    assert held == item
