"""What only one adapter does: SQL purging and key bounds, Redis record parsing."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis

from core.ports.idempotency import ClaimStatus
from infra.db.engine import Database
from infra.idempotency import RedisIdempotencyStore, SqlIdempotencyStore
from tests.conftest import FakeClock


@pytest.fixture(params=["sqlite", "postgres"])
def sql_database(request: pytest.FixtureRequest) -> Database:
    # Sync on purpose: the session fixtures behind it run their own event loops.
    database: Database = request.getfixturevalue(f"{request.param}_database")
    return database


async def test_sql_purge_deletes_only_lapsed_rows(sql_database: Database, clock: FakeClock) -> None:
    store = SqlIdempotencyStore(sql_database, clock)
    short = await store.try_claim("short", "fp", 10, 5)
    await store.try_claim("long", "fp", 10, 500)
    assert short.token is not None
    assert await store.complete("short", b"r", token=short.token)
    clock.advance(10)
    assert await store.purge_expired() == 1
    assert await store.purge_expired() == 0
    assert await store.get("long") is not None
    assert (await store.try_claim("short", "other", 10, 5)).status is ClaimStatus.CLAIMED


async def test_sql_refuses_keys_longer_than_the_column(
    sqlite_database: Database, clock: FakeClock
) -> None:
    store = SqlIdempotencyStore(sqlite_database, clock)
    with pytest.raises(ValueError, match="longer than 512"):
        await store.try_claim("k" * 513, "fp", 10, 5)
    assert (await store.try_claim("k" * 512, "fp", 10, 5)).status is ClaimStatus.CLAIMED


async def test_redis_ignores_a_foreign_value_under_its_prefix(
    redis_client: Redis, redis_prefix: str, clock: FakeClock
) -> None:
    store = RedisIdempotencyStore(redis_client, clock, redis_prefix)
    await redis_client.set(f"{redis_prefix}idem:odd", b"not a record")
    assert await store.get("odd") is None
    assert await store.get("absent") is None
