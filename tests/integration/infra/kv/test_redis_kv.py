"""Redis-only checks of what the port cannot show without waiting: the TTLs themselves."""

from __future__ import annotations

from redis.asyncio import Redis

from infra.kv.redis import RedisKeyValueStore


async def test_keys_live_under_the_prefix(redis_client: Redis, redis_prefix: str) -> None:
    store = RedisKeyValueStore(redis_client, redis_prefix)

    await store.set("k", "v")

    assert await redis_client.get(f"{redis_prefix}kv:k") == b"v"


async def test_incr_sets_the_window_once(redis_client: Redis, redis_prefix: str) -> None:
    store = RedisKeyValueStore(redis_client, redis_prefix)
    key = f"{redis_prefix}kv:hits"

    await store.incr("hits", ttl_seconds=60)
    first = await redis_client.pttl(key)
    await store.incr("hits", ttl_seconds=600)

    assert 0 < await redis_client.pttl(key) <= first <= 60_000


async def test_incr_keeps_a_key_without_expiry_without_expiry(
    redis_client: Redis, redis_prefix: str
) -> None:
    store = RedisKeyValueStore(redis_client, redis_prefix)
    await store.set("n", "5")

    assert await store.incr("n", ttl_seconds=60) == 6
    assert await redis_client.pttl(f"{redis_prefix}kv:n") == -1


async def test_set_without_ttl_clears_an_earlier_ttl(
    redis_client: Redis, redis_prefix: str
) -> None:
    store = RedisKeyValueStore(redis_client, redis_prefix)
    await store.set("k", "temp", ttl_seconds=60)
    await store.set("k", "kept")

    assert await redis_client.pttl(f"{redis_prefix}kv:k") == -1
