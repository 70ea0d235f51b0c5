"""The webhook processor's follow-ups: in the transaction, after it, and when publishing fails."""

from __future__ import annotations

import asyncio

import msgspec
import pytest
from sqlalchemy import func, select

from common.events import PaymentReceived
from core.ports.unit_of_work import UnitOfWork
from infra.billing import SqlBillingStore
from infra.db.engine import Database
from infra.db.tables.billing import BillingPayment
from infra.db.tables.idempotency import IdempotencyKey
from infra.idempotency import SqlProcessedGuard
from modules.billing import PlanPrices, StripeWebhookProcessor, payment_event_id, sign_payload
from tests.conftest import FakeClock
from tests.e2e.billing import _events as ev

SECRET = "whsec_processor"


class Publisher:
    """An `EventPublisher` that records what it is given, and can be told to fail."""

    def __init__(self, database: Database, *, fail: bool = False, failures: int = 0) -> None:
        self.database = database
        self.fail = fail
        self.failures = failures
        self.published: list[tuple[PaymentReceived, UnitOfWork | None, int]] = []

    async def publish(self, event: msgspec.Struct, *, uow: UnitOfWork | None = None) -> None:
        if self.fail or self.failures > 0:
            self.failures -= 1
            raise ConnectionError("job store down")
        assert isinstance(event, PaymentReceived)
        # After the commit, what another connection sees then (inside the transaction another
        # connection would wait on SQLite's write lock, so it is not asked).
        committed = -1 if uow is not None else await _count(self.database, BillingPayment)
        self.published.append((event, uow, committed))


async def _count(database: Database, table: object) -> int:
    async with database.session() as session:
        query = select(func.count()).select_from(table)  # type: ignore[arg-type]
        return int((await session.execute(query)).scalar_one())


def _processor(
    database: Database, clock: FakeClock, publisher: Publisher | None, *, in_transaction: bool
) -> StripeWebhookProcessor:
    return StripeWebhookProcessor(
        secret=SECRET,
        clock=clock,
        guard=SqlProcessedGuard(database, clock, retention=3600),
        store=SqlBillingStore(database, clock),
        prices=PlanPrices({}),
        events=publisher,
        events_in_transaction=in_transaction,
    )


def _paid(clock: FakeClock) -> tuple[bytes, str]:
    now = int(clock.now().timestamp())
    payload = ev.event("evt_1", "invoice.paid", ev.invoice(), now)
    return payload, sign_payload(payload, SECRET, now)


async def test_without_sql_jobs_the_event_is_published_after_the_commit(
    sqlite_database: Database, clock: FakeClock
) -> None:
    publisher = Publisher(sqlite_database)
    processor = _processor(sqlite_database, clock, publisher, in_transaction=False)
    result = await processor.handle(*_paid(clock))
    assert not result.duplicate
    ((event, uow, committed_payments),) = publisher.published
    assert uow is None
    assert committed_payments == 1
    assert event.event_id == payment_event_id("in_1")
    assert (event.user_id, event.org_id, event.amount_cents) == ("user-1", None, 1900)
    assert (await processor.handle(*_paid(clock))).duplicate
    assert len(publisher.published) == 1


async def test_a_failed_publish_after_commit_is_kept_for_review(
    sqlite_database: Database, clock: FakeClock
) -> None:
    processor = _processor(
        sqlite_database, clock, Publisher(sqlite_database, fail=True), in_transaction=False
    )
    result = await processor.handle(*_paid(clock))
    assert not result.duplicate
    store = SqlBillingStore(sqlite_database, clock)
    (held,) = await store.held_for_review()
    assert (held.reason, held.event_type) == ("follow-up-not-published", "follow-up:invoice.paid")
    assert msgspec.json.decode(held.payload)["payment_id"]
    assert await _count(sqlite_database, BillingPayment) == 1


async def test_a_failed_publish_in_the_transaction_rolls_everything_back(
    sqlite_database: Database, clock: FakeClock
) -> None:
    failing = _processor(
        sqlite_database, clock, Publisher(sqlite_database, fail=True), in_transaction=True
    )
    with pytest.raises(ConnectionError):
        await failing.handle(*_paid(clock))
    assert await _count(sqlite_database, BillingPayment) == 0
    assert await _count(sqlite_database, IdempotencyKey) == 0

    # Stripe retries; this time the job store answers, and the event applies once.
    publisher = Publisher(sqlite_database)
    working = _processor(sqlite_database, clock, publisher, in_transaction=True)
    assert not (await working.handle(*_paid(clock))).duplicate
    ((_, uow, _),) = publisher.published
    assert uow is not None
    assert await _count(sqlite_database, BillingPayment) == 1


async def test_without_a_publisher_effects_still_apply(
    sqlite_database: Database, clock: FakeClock
) -> None:
    processor = _processor(sqlite_database, clock, None, in_transaction=True)
    assert not (await processor.handle(*_paid(clock))).duplicate
    assert await _count(sqlite_database, BillingPayment) == 1


async def test_many_processors_race_through_the_guard_and_apply_once(
    db: Database, clock: FakeClock
) -> None:
    """As many processes would: separate processors (no shared memory), one database."""
    publisher = Publisher(db)
    processors = [_processor(db, clock, publisher, in_transaction=True) for _ in range(30)]
    payload, signature = _paid(clock)
    results = await asyncio.gather(*(p.handle(payload, signature) for p in processors))
    assert [r.duplicate for r in results].count(False) == 1
    assert await _count(db, BillingPayment) == 1
    assert len(publisher.published) == 1


async def test_one_processor_coalesces_a_flood_and_survives_a_failed_first(
    sqlite_database: Database, clock: FakeClock
) -> None:
    publisher = Publisher(sqlite_database, failures=1)
    processor = _processor(sqlite_database, clock, publisher, in_transaction=True)
    payload, signature = _paid(clock)
    results = await asyncio.gather(
        *(processor.handle(payload, signature) for _ in range(40)), return_exceptions=True
    )
    failures = [r for r in results if isinstance(r, BaseException)]
    assert len(failures) == 1
    assert isinstance(failures[0], ConnectionError)
    applied = [r for r in results if not isinstance(r, BaseException) and not r.duplicate]
    assert len(applied) == 1
    assert await _count(sqlite_database, BillingPayment) == 1
    assert len(publisher.published) == 1
