"""Several OS processes increment one key at once: the stores must not lose a single update."""

from __future__ import annotations

import asyncio
import multiprocessing

import pytest
from redis.asyncio import Redis

from core.ports.kv import KeyValueStore
from infra.db.engine import Database
from infra.kv.redis import RedisKeyValueStore
from infra.kv.sql import SqlKeyValueStore
from tests.conftest import FakeClock, PostgresServer
from tests.integration.infra.kv.incr_worker import increment_shared_key

PROCESSES = 3
# SQLite serialises writers through its busy handler, which backs off in sleeps of up to
# 100 ms under contention; fewer increments keep that case fast without weakening it.
PER_PROCESS = {"sqlite": 30, "postgres": 60, "redis": 60}

_CONTEXT = multiprocessing.get_context("forkserver")
_CONTEXT.set_forkserver_preload(["tests.integration.infra.kv.incr_worker"])


async def _run_processes(backend: str, url: str, prefix: str = "") -> list[int]:
    count = PER_PROCESS[backend]
    barrier = _CONTEXT.Barrier(PROCESSES)
    results = _CONTEXT.Queue()
    workers = [
        _CONTEXT.Process(
            target=increment_shared_key,
            args=("redis" if backend == "redis" else "sql", url, prefix, count, barrier, results),
        )
        for _ in range(PROCESSES)
    ]
    for worker in workers:
        worker.start()
    try:
        totals: list[int] = []
        for _ in workers:
            totals.extend(await asyncio.to_thread(results.get, True, 60))
        for worker in workers:
            await asyncio.to_thread(worker.join, 10)
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.kill()
                worker.join()
    assert [worker.exitcode for worker in workers] == [0] * PROCESSES
    return totals


async def _assert_exact(store: KeyValueStore, totals: list[int], backend: str) -> None:
    expected = PROCESSES * PER_PROCESS[backend]
    # Every increment saw a distinct total: none was lost or applied twice.
    assert sorted(totals) == list(range(1, expected + 1))
    assert await store.get("shared") == str(expected)


@pytest.mark.slow
async def test_processes_on_a_sqlite_file(sqlite_url: str, sqlite_database: Database) -> None:
    totals = await _run_processes("sqlite", sqlite_url)

    await _assert_exact(SqlKeyValueStore(sqlite_database, FakeClock()), totals, "sqlite")


@pytest.mark.slow
async def test_processes_on_postgres(
    postgres_server: PostgresServer, postgres_database: Database
) -> None:
    totals = await _run_processes("postgres", postgres_server.url)

    await _assert_exact(SqlKeyValueStore(postgres_database, FakeClock()), totals, "postgres")


@pytest.mark.slow
async def test_processes_on_redis(redis_url: str, redis_client: Redis, redis_prefix: str) -> None:
    totals = await _run_processes("redis", redis_url, redis_prefix)

    await _assert_exact(RedisKeyValueStore(redis_client, redis_prefix), totals, "redis")
