"""One harness per KeyValueStore adapter: the store, and how time passes for it.

Memory and SQL stores read the injected FakeClock, so expiry is `clock.advance`. Redis keeps
its own time, so its TTLs are short and real, and expiry is observed by polling to a deadline.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import pytest

from core.ports.kv import KeyValueStore
from infra.kv.memory import MemoryKeyValueStore
from infra.kv.redis import RedisKeyValueStore
from infra.kv.sql import SqlKeyValueStore
from tests.conftest import FakeClock

REDIS_TTL_SECONDS = 0.2
CLOCK_TTL_SECONDS = 60.0


async def eventually(
    condition: Callable[[], Awaitable[bool]], *, within: float = 5.0, what: str = "condition"
) -> None:
    """Poll `condition` until it holds; fail at the deadline."""
    deadline = time.monotonic() + within
    while not await condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {within}s")
        await asyncio.sleep(0.01)


@dataclass
class KvHarness:
    name: str
    store: KeyValueStore
    clock: FakeClock | None
    """None when the store keeps its own time (Redis)."""

    @property
    def ttl(self) -> float:
        return REDIS_TTL_SECONDS if self.clock is None else CLOCK_TTL_SECONDS

    async def let_expire(self, key: str) -> None:
        """Move past `self.ttl` since `key` was written, and check that it is gone."""
        if self.clock is not None:
            self.clock.advance(self.ttl)
            assert await self.store.get(key) is None
            return

        async def gone() -> bool:
            return await self.store.get(key) is None

        await eventually(gone, what=f"expiry of {key!r}")


@pytest.fixture(params=["memory", "sqlite", "postgres", "redis"])
def kv(request: pytest.FixtureRequest, clock: FakeClock) -> KvHarness:
    if request.param == "memory":
        return KvHarness("memory", MemoryKeyValueStore(clock), clock)
    if request.param == "redis":
        client = request.getfixturevalue("redis_client")
        prefix = request.getfixturevalue("redis_prefix")
        return KvHarness("redis", RedisKeyValueStore(client, prefix), None)
    database = request.getfixturevalue(f"{request.param}_database")
    return KvHarness(request.param, SqlKeyValueStore(database, clock), clock)


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def clocked_kv(request: pytest.FixtureRequest, clock: FakeClock) -> KvHarness:
    """The stores whose time the test controls exactly (boundaries, long windows)."""
    if request.param == "memory":
        return KvHarness("memory", MemoryKeyValueStore(clock), clock)
    database = request.getfixturevalue(f"{request.param}_database")
    return KvHarness(request.param, SqlKeyValueStore(database, clock), clock)
