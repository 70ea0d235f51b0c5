"""A `store` fixture: the same contract runs on every JobStore adapter."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from core.ports.clock import Clock
from core.ports.jobs import JobStore
from infra.db.engine import Database
from infra.jobs import MemoryJobStore, RedisJobStore, SqlJobStore
from tests.integration.infra.jobs._stores import StoreSpec

ADAPTERS = ["memory", "sqlite", "postgres", "redis"]
SHARED_ADAPTERS = ["sqlite", "postgres", "redis"]
"""Adapters whose state several processes can share."""


def _spec(request: pytest.FixtureRequest, kind: str) -> StoreSpec:
    if kind == "sqlite":
        return StoreSpec("sqlite", request.getfixturevalue("sqlite_url"))
    if kind == "postgres":
        request.getfixturevalue("postgres_database")  # emptied for this test
        return StoreSpec("postgres", request.getfixturevalue("postgres_server").url)
    request.getfixturevalue("redis_client")
    return StoreSpec(
        "redis", request.getfixturevalue("redis_url"), request.getfixturevalue("redis_prefix")
    )


@pytest.fixture(params=ADAPTERS)
def store(request: pytest.FixtureRequest, clock: Clock) -> JobStore:
    """A JobStore on the injected FakeClock, one per adapter."""
    kind = request.param
    if kind == "memory":
        return MemoryJobStore(clock)
    if kind == "sqlite":
        return SqlJobStore(request.getfixturevalue("sqlite_database"), clock)
    if kind == "postgres":
        return SqlJobStore(request.getfixturevalue("postgres_database"), clock)
    client: Redis = request.getfixturevalue("wide_redis_client")
    return RedisJobStore(client, clock, request.getfixturevalue("redis_prefix"))


@pytest.fixture
async def wide_redis_client(redis_url: str) -> AsyncIterator[Redis]:
    """A client whose pool admits the 200-claimer races (redis-py caps pools by default)."""
    client = Redis.from_url(redis_url, max_connections=1000)
    yield client
    await client.aclose()


@pytest.fixture(params=SHARED_ADAPTERS)
def shared_store_spec(request: pytest.FixtureRequest) -> StoreSpec:
    """Where a store lives that separate processes can open (not memory)."""
    return _spec(request, request.param)


@pytest.fixture
def shared_store_specs(request: pytest.FixtureRequest) -> list[StoreSpec]:
    """Every shared adapter at once, for tests whose cost is starting processes."""
    return [_spec(request, kind) for kind in SHARED_ADAPTERS]


@pytest.fixture(params=["sqlite", "postgres"])
def sql_database(request: pytest.FixtureRequest) -> Database:
    name = "sqlite_database" if request.param == "sqlite" else "postgres_database"
    database: Database = request.getfixturevalue(name)
    return database
