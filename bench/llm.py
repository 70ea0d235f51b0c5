"""LLM budgets and gateway overhead: `uv run python -m bench.llm`.

1. Reserve + settle throughput and latency on each budget store: every call holds against
   three windows (user hour, user day, org day), like a real gateway call on an org, spread
   over many users. Run with one caller (pure latency), then with several client processes
   of several concurrent callers each (throughput: the gateway runs in N API processes, and
   one Python process cannot saturate Redis); latencies are per operation (one reserve or
   one settle), measured by the client.
2. Gateway overhead: `LLMClient.complete` against the fake model minus the fake model alone,
   per store (estimate, limits, reserve, call, settle, usage record).

PostgreSQL and Redis come from `--database-url` / `--redis-url` (defaults: TEST_DATABASE_URL
and TEST_REDIS_URL, else the local servers); a scratch database / key prefix is created and
removed. The load generator shares the machine with the servers.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ProcessPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from redis.asyncio import Redis
from sqlalchemy.engine import make_url

from ai import LLMClient, StaticBudgetLimits
from common.clock import SystemClock
from common.ids import new_id
from core.logging import configure_logging
from core.ports.budget import BudgetStore, BudgetWindow
from core.ports.llm import ChatMessage, LLMRequest
from core.ports.llm_usage import LLMUsageLedger
from infra.budget import MemoryBudgetStore, RedisBudgetStore, SqlBudgetStore
from infra.db.engine import Database, create_database
from infra.db.migrate import upgrade
from infra.llm import FakeLLMProvider, MemoryLLMUsageLedger, SqlLLMUsageLedger
from policies.budgets import BudgetLimits, call_windows

USERS = 1000
CLOCK = SystemClock()
PROMPT = [ChatMessage(role="user", content="Summarise the quarter in one sentence.")]


@dataclass(frozen=True)
class Run:
    store: str
    processes: int
    concurrency: int
    pairs: int
    seconds: float
    latencies_ms: list[float]

    @property
    def pairs_per_second(self) -> float:
        return self.pairs / self.seconds

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _windows(user: int) -> list[BudgetWindow]:
    limits = BudgetLimits(
        user_hourly_tokens=10**12, user_daily_tokens=10**12, org_daily_tokens=10**12
    )
    scoped = call_windows(
        limits, user_id=f"bench-{user}", org_id=f"org-{user % 50}", feature="bench", now=CLOCK.now()
    )
    return [s.window for s in scoped]


async def reserve_settle(store: BudgetStore, pairs: int, concurrency: int, name: str) -> Run:
    windows = [_windows(user) for user in range(USERS)]
    latencies: list[float] = []
    remaining = pairs

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            rid = new_id()
            user_windows = random.choice(windows)
            started = time.perf_counter()
            await store.reserve(rid, user_windows, 500, hold_seconds=120)
            reserved = time.perf_counter()
            await store.settle(rid, 321)
            settled = time.perf_counter()
            latencies.extend(((reserved - started) * 1000, (settled - reserved) * 1000))

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return Run(name, 1, concurrency, pairs, time.perf_counter() - started, latencies)


def _client_process(store: str, url: str, prefix: str, pairs: int, concurrency: int) -> Run:
    async def run() -> Run:
        if store == "redis":
            client = Redis.from_url(url, max_connections=concurrency + 4)
            try:
                return await reserve_settle(
                    RedisBudgetStore(client, CLOCK, prefix), pairs, concurrency, store
                )
            finally:
                await client.aclose()
        database = create_database(url, pool_size=concurrency, max_overflow=0)
        try:
            return await reserve_settle(SqlBudgetStore(database, CLOCK), pairs, concurrency, store)
        finally:
            await database.dispose()

    return asyncio.run(run())


def in_processes(
    store: str, url: str, prefix: str, pairs: int, processes: int, concurrency: int
) -> Run:
    """`processes` client processes, each with `concurrency` callers, started together."""
    context = multiprocessing.get_context("spawn")
    share = pairs // processes
    with ProcessPoolExecutor(processes, mp_context=context) as pool:
        list(pool.map(_warm, range(processes)))
        started = time.perf_counter()
        futures = [
            pool.submit(_client_process, store, url, prefix, share, concurrency)
            for _ in range(processes)
        ]
        runs = [future.result() for future in futures]
        seconds = time.perf_counter() - started
    latencies = [latency for run in runs for latency in run.latencies_ms]
    return Run(store, processes, concurrency, share * processes, seconds, latencies)


def _warm(_: int) -> None:
    """Import everything in the worker before the clock starts."""


async def gateway_overhead(
    store: BudgetStore, ledger: LLMUsageLedger, calls: int
) -> tuple[float, float]:
    """(median µs of the fake model alone, median µs of a whole gateway call)."""
    provider = FakeLLMProvider()
    limits = BudgetLimits(
        user_hourly_tokens=10**12, user_daily_tokens=10**12, org_daily_tokens=10**12
    )
    client = LLMClient(
        provider=provider,
        budgets=store,
        ledger=ledger,
        limits=StaticBudgetLimits(limits),
        clock=CLOCK,
    )
    request = LLMRequest(model="fake-1", messages=tuple(PROMPT), max_tokens=64, timeout_seconds=30)

    async def timed(call: Callable[[], Awaitable[object]]) -> float:
        started = time.perf_counter()
        await call()
        return (time.perf_counter() - started) * 1_000_000

    bare = [await timed(lambda: provider.complete(request)) for _ in range(calls)]
    whole = [
        await timed(
            lambda: client.complete(
                user_id=f"bench-{random.randrange(USERS)}",
                feature="bench",
                messages=PROMPT,
                max_tokens=64,
            )
        )
        for _ in range(calls)
    ]
    return statistics.median(bare), statistics.median(whole)


@asynccontextmanager
async def postgres(url: str) -> AsyncIterator[Database]:
    import asyncpg

    parsed = make_url(url)
    name = f"bulkhead_bench_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(
        host=parsed.host,
        port=parsed.port or 5432,
        user=parsed.username or "postgres",
        password=parsed.password,
        database=parsed.database or "postgres",
    )
    await admin.execute(f'CREATE DATABASE "{name}"')
    target = parsed.set(drivername="postgresql+asyncpg", database=name).render_as_string(
        hide_password=False
    )
    try:
        await asyncio.to_thread(upgrade, target)
        database = create_database(target, pool_size=40, max_overflow=10)
        try:
            yield database
        finally:
            await database.dispose()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@asynccontextmanager
async def sqlite() -> AsyncIterator[Database]:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        await asyncio.to_thread(upgrade, url)
        database = create_database(url)
        try:
            yield database
        finally:
            await database.dispose()


@asynccontextmanager
async def redis(url: str) -> AsyncIterator[tuple[Redis, str]]:
    client = Redis.from_url(url, max_connections=200)
    prefix = f"bulkhead-bench:{uuid.uuid4().hex[:8]}:"
    try:
        yield client, prefix
    finally:
        async for key in client.scan_iter(match=f"{prefix}*", count=1000):
            await client.delete(key)
        await client.aclose()


def table(title: str, header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(cell) for cell in column) for column in zip(header, *rows, strict=True)]
    print(f"\n{title}")
    print("  ".join(cell.ljust(width) for cell, width in zip(header, widths, strict=True)))
    print("  ".join("-" * width for width in widths))
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))


async def main(args: argparse.Namespace) -> None:
    runs: list[Run] = []
    overheads: list[tuple[str, float, float]] = []
    memory = MemoryBudgetStore(CLOCK)
    async with redis(args.redis_url) as (client, prefix), postgres(args.database_url) as pg:
        pg_url = pg.engine.url.render_as_string(hide_password=False)
        async with sqlite() as lite:
            stores: list[tuple[str, BudgetStore, LLMUsageLedger, int, str]] = [
                ("memory", memory, MemoryLLMUsageLedger(), args.pairs, ""),
                (
                    "redis",
                    RedisBudgetStore(client, CLOCK, prefix),
                    SqlLLMUsageLedger(pg),
                    args.pairs,
                    args.redis_url,
                ),
                (
                    "postgres",
                    SqlBudgetStore(pg, CLOCK),
                    SqlLLMUsageLedger(pg),
                    args.sql_pairs,
                    pg_url,
                ),
                (
                    "sqlite",
                    SqlBudgetStore(lite, CLOCK),
                    SqlLLMUsageLedger(lite),
                    args.sql_pairs // 4,
                    "",
                ),
            ]
            for name, store, ledger, pairs, url in stores:
                await reserve_settle(store, min(pairs, 200), 8, name)  # warm up
                runs.append(await reserve_settle(store, pairs // 4, 1, name))
                if url:
                    runs.append(
                        await asyncio.to_thread(
                            in_processes, name, url, prefix, pairs, args.processes, args.concurrency
                        )
                    )
                else:
                    runs.append(await reserve_settle(store, pairs, args.concurrency, name))
                overheads.append((name, *await gateway_overhead(store, ledger, args.calls)))

    table(
        f"Reserve + settle, 3 windows per call, {USERS} users (latency per operation, client side)",
        ["store", "processes x callers", "pairs", "pairs/s", "ops/s", "p50 ms", "p99 ms"],
        [
            [
                run.store,
                f"{run.processes} x {run.concurrency}",
                str(run.pairs),
                f"{run.pairs_per_second:,.0f}",
                f"{2 * run.pairs_per_second:,.0f}",
                f"{run.percentile(0.50):.2f}",
                f"{run.percentile(0.99):.2f}",
            ]
            for run in runs
        ],
    )
    table(
        "Gateway overhead per complete() against the fake model (median, one caller)",
        ["budget store", "fake model µs", "gateway call µs", "overhead µs"],
        [
            [name, f"{bare:,.0f}", f"{whole:,.0f}", f"{whole - bare:,.0f}"]
            for name, bare, whole in overheads
        ],
    )
    print(f"\n(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs after the run)")


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--redis-url", default=os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"),
    )
    parser.add_argument("--pairs", type=int, default=20_000, help="pairs per Redis/memory run")
    parser.add_argument("--sql-pairs", type=int, default=4_000, help="pairs per PostgreSQL run")
    parser.add_argument("--processes", type=int, default=2, help="client processes")
    parser.add_argument("--concurrency", type=int, default=8, help="callers per process")
    parser.add_argument("--calls", type=int, default=500, help="gateway calls per store")
    return parser.parse_args()


if __name__ == "__main__":
    configure_logging(level="WARNING")
    asyncio.run(main(parse()))
