"""Added latency of the idempotency guard: `uv run python -m bench.idempotency`.

Two measurements per store (memory, SQLite, PostgreSQL, Redis):

- store: one `try_claim` + `complete` cycle on a fresh key (what a first request pays), and
  one `try_claim` of a completed key (what a replay pays), called back to back;
- http: a POST through the full app (ASGI, in process, no network client) with a fresh
  `Idempotency-Key`, minus the same POST without the header (p50 of each, then the gap).

PostgreSQL and Redis come from TEST_DATABASE_URL / TEST_REDIS_URL (a scratch database is
created, migrated and dropped; Redis keys live under a unique prefix and are deleted); a
store whose URL is absent is skipped. Everything runs on one machine over loopback.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from litestar import post
from redis.asyncio import Redis
from sqlalchemy.engine import make_url

from common.clock import SystemClock
from core.ports.idempotency import IdempotencyStore
from infra.db.engine import create_database
from infra.db.migrate import upgrade
from infra.idempotency import MemoryIdempotencyStore, RedisIdempotencyStore, SqlIdempotencyStore
from web.app import create_app
from web.features import build_app_container, load_app_settings


@dataclass(frozen=True)
class Row:
    store: str
    cycle_ms: list[float]
    replay_ms: list[float]
    http_plain_ms: list[float]
    http_keyed_ms: list[float]


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _timed(operation: Callable[[int], Awaitable[object]], n: int) -> list[float]:
    for warm in range(min(100, n)):
        await operation(-warm - 1)
    samples: list[float] = []
    for i in range(n):
        started = time.perf_counter()
        await operation(i)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


async def _store_samples(store: IdempotencyStore, n: int) -> tuple[list[float], list[float]]:
    run = uuid.uuid4().hex[:8]

    async def cycle(i: int) -> None:
        key = f"bench:{run}:{i}"
        claim = await store.try_claim(key, "POST /api/x sha256=0", 86400, 120)
        assert claim.token is not None
        await store.complete(key, b"x" * 200, token=claim.token)

    async def replay(i: int) -> None:
        claim = await store.try_claim(f"bench:{run}:{abs(i) % n}", "POST /api/x sha256=0", 1, 1)
        assert claim.response is not None

    cycles = await _timed(cycle, n)
    return cycles, await _timed(replay, n)


@post("/api/bench/echo", status_code=201)
async def echo(data: dict[str, int]) -> dict[str, int]:
    return data


async def _http_samples(
    store: IdempotencyStore, environment: dict[str, str], n: int
) -> tuple[list[float], list[float]]:
    settings = load_app_settings(environment, env_file=None)
    container = build_app_container(settings)
    container.idempotency = store
    app = create_app(settings, container=container, route_handlers=[echo])
    transport = httpx.ASGITransport(app=app)
    run = uuid.uuid4().hex[:8]
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:

            async def plain(i: int) -> None:
                response = await client.post("/api/bench/echo", json={"i": i})
                assert response.status_code == 201

            async def keyed(i: int) -> None:
                headers = {"Idempotency-Key": f"{run}-{i}"}
                response = await client.post("/api/bench/echo", json={"i": i}, headers=headers)
                assert response.status_code == 201

            return await _timed(plain, n), await _timed(keyed, n)
    finally:
        await container.aclose()


@asynccontextmanager
async def _stores(workdir: Path) -> AsyncIterator[list[tuple[str, IdempotencyStore]]]:
    clock = SystemClock()
    sqlite_url = f"sqlite+aiosqlite:///{workdir / 'bench.db'}"
    await asyncio.to_thread(upgrade, sqlite_url)
    sqlite = create_database(sqlite_url)
    stores: list[tuple[str, IdempotencyStore]] = [
        ("memory", MemoryIdempotencyStore(clock)),
        ("sqlite", SqlIdempotencyStore(sqlite, clock)),
    ]
    postgres_admin = os.environ.get("TEST_DATABASE_URL")
    name = f"bulkhead_bench_{uuid.uuid4().hex[:8]}"
    postgres = None
    if postgres_admin:
        await _admin(postgres_admin, f'CREATE DATABASE "{name}"')
        url = (
            make_url(postgres_admin)
            .set(drivername="postgresql+asyncpg", database=name)
            .render_as_string(hide_password=False)
        )
        await asyncio.to_thread(upgrade, url)
        postgres = create_database(url)
        stores.append(("postgres", SqlIdempotencyStore(postgres, clock)))
    redis_url = os.environ.get("TEST_REDIS_URL")
    prefix = f"bulkhead-bench:{uuid.uuid4().hex[:8]}:"
    redis = Redis.from_url(redis_url) if redis_url else None
    if redis is not None:
        stores.append(("redis", RedisIdempotencyStore(redis, clock, prefix)))
    try:
        yield stores
    finally:
        await sqlite.dispose()
        if postgres is not None and postgres_admin:
            await postgres.dispose()
            await _admin(postgres_admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if redis is not None:
            async for key in redis.scan_iter(match=f"{prefix}*", count=1000):
                await redis.delete(key)
            await redis.aclose()


async def _admin(url: str, statement: str) -> None:
    import asyncpg

    parsed = make_url(url)
    connection = await asyncpg.connect(
        host=parsed.host,
        port=parsed.port or 5432,
        user=parsed.username or "postgres",
        password=parsed.password,
        database=parsed.database or "postgres",
    )
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def _print(rows: list[Row]) -> None:
    print(
        f"{'store':<9} {'claim+complete p50':>19} {'p99':>7} {'replay p50':>11} {'p99':>7}"
        f" {'http plain p50':>15} {'keyed p50':>10} {'added p50':>10} {'keyed p99':>10}"
    )
    for row in rows:
        added = statistics.median(row.http_keyed_ms) - statistics.median(row.http_plain_ms)
        print(
            f"{row.store:<9} {_pct(row.cycle_ms, 0.5):>19.3f} {_pct(row.cycle_ms, 0.99):>7.3f}"
            f" {_pct(row.replay_ms, 0.5):>11.3f} {_pct(row.replay_ms, 0.99):>7.3f}"
            f" {_pct(row.http_plain_ms, 0.5):>15.3f} {_pct(row.http_keyed_ms, 0.5):>10.3f}"
            f" {added:>10.3f} {_pct(row.http_keyed_ms, 0.99):>10.3f}"
        )
    print("(milliseconds; http = in-process ASGI POST through the whole middleware stack)")


async def main(n: int, http_n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        environment = {
            "APP_ENV": "test",
            "DATA_DIR": str(workdir / "var"),
            "DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'bench.db'}",
            "LOG_LEVEL": "WARNING",
            "ARGON2_MEMORY_KIB": "19456",
        }
        rows: list[Row] = []
        async with _stores(workdir) as stores:
            for name, store in stores:
                cycles, replays = await _store_samples(store, n)
                plain, keyed = await _http_samples(store, environment, http_n)
                rows.append(Row(name, cycles, replays, plain, keyed))
        _print(rows)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("-n", type=int, default=2000, help="store cycles per store")
    parser.add_argument("--http", type=int, default=1000, help="HTTP requests per store and mode")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.n, arguments.http))
