"""The container's Redis pool is bounded and blocking: a burst beyond it waits, never fails."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from redis.asyncio import BlockingConnectionPool, Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from core.settings import Settings
from infra.container import connect_redis


async def test_a_burst_past_the_pool_waits_for_a_connection(
    make_settings: Callable[..., Settings], redis_url: str, redis_prefix: str
) -> None:
    settings = make_settings(REDIS_URL=redis_url, REDIS_MAX_CONNECTIONS="2")
    redis = connect_redis(settings)
    assert redis is not None
    try:
        pool = redis.connection_pool
        assert isinstance(pool, BlockingConnectionPool)
        assert pool.max_connections == 2

        async def bump(n: int) -> int:
            # BLPOP with a short timeout holds its connection while it waits.
            await redis.blpop([f"{redis_prefix}never-{n}"], timeout=0.05)
            return int(await redis.incr(f"{redis_prefix}counter"))

        results = await asyncio.gather(*(bump(n) for n in range(20)))

        assert sorted(results) == list(range(1, 21))
    finally:
        await redis.aclose()


async def _blocked_clients(observer: Redis) -> int:
    return int((await observer.info("clients"))["blocked_clients"])


async def test_a_pool_that_stays_full_fails_after_its_timeout(
    make_settings: Callable[..., Settings], redis_url: str, redis_prefix: str, redis_client: Redis
) -> None:
    settings = make_settings(
        REDIS_URL=redis_url, REDIS_MAX_CONNECTIONS="1", REDIS_POOL_TIMEOUT_SECONDS="0.1"
    )
    redis = connect_redis(settings)
    assert redis is not None
    try:
        blocked_before = await _blocked_clients(redis_client)
        holder = asyncio.create_task(redis.blpop([f"{redis_prefix}never"], timeout=2))
        deadline = asyncio.get_running_loop().time() + 2
        while await _blocked_clients(redis_client) <= blocked_before:  # the holder has it
            assert asyncio.get_running_loop().time() < deadline, "BLPOP never started"
        with pytest.raises(RedisConnectionError):
            await redis.get(f"{redis_prefix}other")
        holder.cancel()
    finally:
        await redis.aclose()


def test_no_redis_url_means_no_client(make_settings: Callable[..., Settings]) -> None:
    assert connect_redis(make_settings()) is None
