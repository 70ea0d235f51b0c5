"""A `store` fixture: the same contract runs on every IdempotencyStore adapter."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from core.ports.clock import Clock
from core.ports.idempotency import IdempotencyStore
from infra.idempotency import MemoryIdempotencyStore, RedisIdempotencyStore, SqlIdempotencyStore
from tests.integration.infra.idempotency._stores import StoreSpec

ADAPTERS = ["memory", "sqlite", "postgres", "redis"]
SHARED_ADAPTERS = ["sqlite", "postgres", "redis"]
"""Adapters whose state several processes can share."""


def spec_for(request: pytest.FixtureRequest, kind: str) -> StoreSpec:
    if kind == "sqlite":
        return StoreSpec("sqlite", request.getfixturevalue("sqlite_url"))
    if kind == "postgres":
        request.getfixturevalue("postgres_database")  # emptied for this test
        return StoreSpec("postgres", request.getfixturevalue("postgres_server").url)
    request.getfixturevalue("redis_client")
    return StoreSpec(
        "redis", request.getfixturevalue("redis_url"), request.getfixturevalue("redis_prefix")
    )


@pytest.fixture
async def wide_redis_client(redis_url: str) -> AsyncIterator[Redis]:
    """A client whose pool admits the many-caller races."""
    client = Redis.from_url(redis_url, max_connections=1000)
    yield client
    await client.aclose()


@pytest.fixture(params=ADAPTERS)
def store(request: pytest.FixtureRequest, clock: Clock) -> IdempotencyStore:
    """An IdempotencyStore on the injected FakeClock, one per adapter."""
    kind = request.param
    if kind == "memory":
        return MemoryIdempotencyStore(clock)
    if kind == "sqlite":
        return SqlIdempotencyStore(request.getfixturevalue("sqlite_database"), clock)
    if kind == "postgres":
        return SqlIdempotencyStore(request.getfixturevalue("postgres_database"), clock)
    client: Redis = request.getfixturevalue("wide_redis_client")
    return RedisIdempotencyStore(client, clock, request.getfixturevalue("redis_prefix"))


@pytest.fixture(params=SHARED_ADAPTERS)
def shared_store_spec(request: pytest.FixtureRequest) -> StoreSpec:
    """Where a store lives that separate processes can open (not memory)."""
    return spec_for(request, request.param)
