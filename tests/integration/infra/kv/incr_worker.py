"""Runs in a separate OS process: its own store and connections, incrementing one shared key.

The processes come from a forkserver that has already imported the adapters, so each one
starts in milliseconds; a barrier makes them all start incrementing together.
"""

from __future__ import annotations

import asyncio
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier

from redis.asyncio import Redis

from common.clock import SystemClock
from core.ports.kv import KeyValueStore
from infra.db.engine import Database, create_database
from infra.kv.redis import RedisKeyValueStore
from infra.kv.sql import SqlKeyValueStore

CONCURRENCY = 2


async def _run(backend: str, url: str, prefix: str, count: int, barrier: Barrier) -> list[int]:
    client: Redis | None = None
    database: Database | None = None
    store: KeyValueStore
    if backend == "redis":
        client = Redis.from_url(url)
        store = RedisKeyValueStore(client, prefix)
    else:
        database = create_database(url)
        store = SqlKeyValueStore(database, SystemClock())
    await store.ping()
    await asyncio.to_thread(barrier.wait, 30)
    totals: list[int] = []

    async def lane(n: int) -> None:
        for _ in range(n):
            totals.append(await store.incr("shared"))

    share, extra = divmod(count, CONCURRENCY)
    try:
        await asyncio.gather(*(lane(share + (i < extra)) for i in range(CONCURRENCY)))
    finally:
        if client is not None:
            await client.aclose()
        if database is not None:
            await database.dispose()
    return totals


def increment_shared_key(
    backend: str, url: str, prefix: str, count: int, barrier: Barrier, results: Queue[list[int]]
) -> None:
    """Process target: put the totals this process saw on `results`."""
    results.put(asyncio.run(_run(backend, url, prefix, count, barrier)))
