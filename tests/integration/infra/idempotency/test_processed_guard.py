"""The processed guard: effects happen once per (scope, key), and only if they commit."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial

import pytest
from redis.asyncio import Redis
from sqlalchemy import func, select, text

from common.ids import new_id
from core.errors import ConflictError
from core.ports.idempotency import Claim, IdempotencyRecord, IdempotencyStore
from core.ports.processed_guard import GuardContext, ProcessedGuard
from infra.db.engine import Database
from infra.db.tables.idempotency import IdempotencyKey
from infra.db.tables.kv import KvEntry
from infra.db.unit_of_work import joined_session, sql_unit_of_work
from infra.idempotency import (
    MemoryIdempotencyStore,
    RedisIdempotencyStore,
    SqlProcessedGuard,
    StoreProcessedGuard,
)
from tests.conftest import FakeClock

RETENTION = 30 * 24 * 3600.0
LEASE = 60.0


class CrashError(Exception):
    pass


@dataclass
class Setup:
    guard: ProcessedGuard
    database: Database
    duplicate_waiting: Callable[[], Awaitable[bool]]
    """True once a second delivery of a key is blocked behind the first."""


class CountingStore:
    """Counts claims, so a test can tell when a duplicate is polling."""

    def __init__(self, store: IdempotencyStore) -> None:
        self.store = store
        self.claims = 0
        self.adapter = store.adapter

    async def try_claim(self, key: str, fingerprint: str, ttl: float, lease: float) -> Claim:
        self.claims += 1
        return await self.store.try_claim(key, fingerprint, ttl, lease)

    async def complete(self, key: str, response: bytes, *, token: str) -> bool:
        return await self.store.complete(key, response, token=token)

    async def release(self, key: str, *, token: str) -> bool:
        return await self.store.release(key, token=token)

    async def get(self, key: str) -> IdempotencyRecord | None:
        return await self.store.get(key)

    async def ping(self) -> None:
        await self.store.ping()


def _postgres_lock_waiter(database: Database) -> Callable[[], Awaitable[bool]]:
    async def waiting() -> bool:
        query = text(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        async with database.engine.connect() as connection:
            return int((await connection.execute(query)).scalar_one()) >= 1

    return waiting


def _sqlite_writer_queued(database: Database) -> Callable[[], Awaitable[bool]]:
    async def waiting() -> bool:
        # The duplicate has its own connection and is queued on BEGIN IMMEDIATE.
        return int(database.engine.pool.checkedout()) >= 2  # type: ignore[attr-defined]

    return waiting


@pytest.fixture(params=["sqlite", "postgres", "redis", "memory"])
def setup(request: pytest.FixtureRequest, clock: FakeClock) -> Setup:
    kind = request.param
    if kind in ("sqlite", "postgres"):
        database: Database = request.getfixturevalue(f"{kind}_database")
        waiting = (_sqlite_writer_queued if kind == "sqlite" else _postgres_lock_waiter)(database)
        return Setup(SqlProcessedGuard(database, clock, retention=RETENTION), database, waiting)
    database = request.getfixturevalue("sqlite_database")
    if kind == "redis":
        client: Redis = request.getfixturevalue("wide_redis_client")
        prefix = request.getfixturevalue("redis_prefix")
        store = CountingStore(RedisIdempotencyStore(client, clock, prefix))
    else:
        store = CountingStore(MemoryIdempotencyStore(clock))

    async def polling() -> bool:
        return store.claims >= 2

    guard = StoreProcessedGuard(
        store,
        partial(sql_unit_of_work, database),
        retention=RETENTION,
        lease=LEASE,
        max_wait=30,
        poll_interval=0.01,
    )
    return Setup(guard, database, polling)


async def _effect(setup: Setup, ctx: GuardContext) -> None:
    async with joined_session(setup.database, ctx.unit_of_work) as session:
        session.add(KvEntry(key=f"effect:{new_id()}", value="done", expires_at=None))
        await session.flush()


async def _effects(database: Database) -> int:
    async with database.session() as session:
        query = select(func.count()).select_from(KvEntry).where(KvEntry.key.like("effect:%"))
        return int((await session.execute(query)).scalar_one())


async def _crash(setup: Setup, key: str) -> None:
    async with setup.guard.guard("stripe", key) as ctx:
        assert not ctx.already_processed
        await _effect(setup, ctx)
        raise CrashError


async def _until(condition: Callable[[], Awaitable[bool]]) -> None:
    deadline = asyncio.get_running_loop().time() + 10
    while not await condition():
        assert asyncio.get_running_loop().time() < deadline, "condition never held"
        await asyncio.sleep(0.01)


async def _deliver(setup: Setup, key: str = "evt_1:invoice.paid") -> bool:
    """Handle one delivery; True when this one did the work."""
    async with setup.guard.guard("stripe", key) as ctx:
        if ctx.already_processed:
            return False
        await _effect(setup, ctx)
        return True


async def test_the_first_delivery_does_the_work_and_repeats_do_not(setup: Setup) -> None:
    assert await _deliver(setup)
    assert not await _deliver(setup)
    assert not await _deliver(setup)
    assert await _effects(setup.database) == 1


async def test_scopes_and_keys_are_independent(setup: Setup) -> None:
    assert await _deliver(setup, "evt_1:invoice.paid")
    assert await _deliver(setup, "evt_1:invoice.payment_failed")
    async with setup.guard.guard("jobs", "evt_1:invoice.paid") as ctx:
        assert not ctx.already_processed
    assert await _effects(setup.database) == 2


async def test_a_crash_inside_the_block_leaves_nothing_processed(setup: Setup) -> None:
    with pytest.raises(CrashError):
        await _crash(setup, "evt_1")
    assert await _effects(setup.database) == 0
    assert await _deliver(setup, "evt_1")
    assert await _effects(setup.database) == 1


async def test_concurrent_duplicates_do_the_work_once(setup: Setup) -> None:
    results = await asyncio.gather(*(_deliver(setup) for _ in range(12)))
    assert sorted(results) == [False] * 11 + [True]
    assert await _effects(setup.database) == 1


async def test_a_concurrent_duplicate_of_a_failing_delivery_does_the_work(setup: Setup) -> None:
    entered = asyncio.Event()
    fail = asyncio.Event()

    async def failing() -> None:
        async with setup.guard.guard("stripe", "evt_9") as ctx:
            assert not ctx.already_processed
            await _effect(setup, ctx)
            entered.set()
            await fail.wait()
            raise CrashError

    first = asyncio.create_task(failing())
    await entered.wait()
    second = asyncio.create_task(_deliver(setup, "evt_9"))
    await _until(setup.duplicate_waiting)
    assert not second.done()
    fail.set()
    with pytest.raises(CrashError):
        await first
    assert await second
    assert await _effects(setup.database) == 1


async def test_markers_are_kept_for_the_retention_then_forgotten(
    setup: Setup, clock: FakeClock
) -> None:
    assert await _deliver(setup)
    clock.advance(RETENTION - 1)
    assert not await _deliver(setup)
    clock.advance(1)
    assert await _deliver(setup)
    assert await _effects(setup.database) == 2


async def test_sql_marker_commits_in_the_same_transaction(sqlite_database: Database) -> None:
    guard = SqlProcessedGuard(sqlite_database, FakeClock(), retention=RETENTION)

    async def crash_after_claim() -> None:
        async with guard.guard("stripe", "evt_1") as ctx:
            async with joined_session(sqlite_database, ctx.unit_of_work) as session:
                assert await session.get(IdempotencyKey, "guard:stripe:evt_1") is not None
            raise CrashError

    with pytest.raises(CrashError):
        await crash_after_claim()
    async with sqlite_database.session() as session:
        assert await session.get(IdempotencyKey, "guard:stripe:evt_1") is None


async def test_store_guard_gives_up_on_a_long_in_flight_duplicate(
    sqlite_database: Database, clock: FakeClock
) -> None:
    store = MemoryIdempotencyStore(clock)
    guard = StoreProcessedGuard(
        store,
        partial(sql_unit_of_work, sqlite_database),
        retention=RETENTION,
        lease=LEASE,
        max_wait=0.05,
        poll_interval=0.01,
    )
    async with guard.guard("stripe", "evt_1") as ctx:
        assert not ctx.already_processed
        with pytest.raises(ConflictError) as caught:
            async with guard.guard("stripe", "evt_1"):
                pytest.fail("a duplicate ran while the first delivery was in flight")
        assert caught.value.slug == "idempotency-key-in-flight"
        assert caught.value.retry_after == LEASE
    async with guard.guard("stripe", "evt_1") as ctx:
        assert ctx.already_processed
