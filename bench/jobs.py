"""No-op jobs per second, enqueue → complete, per adapter: `uv run python -m bench.jobs`.

For each job store (SQLite file, PostgreSQL, Redis) and 1 and 2 worker processes: start the
workers (each the real `Worker` with `--concurrency` slots and a no-op handler), wait until
they are up, then enqueue N jobs from this process and time until all N are done. Each
worker times every successful `claim_next` and reports the latencies on exit (p50/p99).
PostgreSQL and Redis come from TEST_DATABASE_URL / TEST_REDIS_URL (skipped when unset);
the PostgreSQL run uses a scratch database it creates and drops. When installed, SAQ
(Redis) and procrastinate (PostgreSQL) run the same workload as references.

Everything shares one machine (2 cores here): the producer and the workers compete.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.engine import make_url

from background.jobs import JobContext, JobRegistry, RetryableJobRunner, Worker
from common.clock import SystemClock
from core.logging import configure_logging
from core.ports.jobs import Claim, JobStore
from infra.db.engine import create_database
from infra.db.migrate import upgrade
from infra.jobs import RedisJobStore, SqlJobStore

NOOP = "bench.noop"
DEADLINE_SECONDS = float(os.environ.get("BENCH_DEADLINE", "300"))


class Noop(msgspec.Struct, frozen=True):
    n: int


@dataclass(frozen=True)
class Spec:
    kind: str
    url: str
    prefix: str = ""


@dataclass(frozen=True)
class Row:
    system: str
    workers: int
    jobs: int
    seconds: float
    claim_ms: list[float]

    @property
    def rate(self) -> float:
        return self.jobs / self.seconds


def _open(spec: Spec) -> tuple[JobStore, Callable[[], Awaitable[None]]]:
    clock = SystemClock()
    if spec.kind == "redis":
        client = Redis.from_url(spec.url)
        return RedisJobStore(client, clock, spec.prefix), client.aclose
    database = create_database(spec.url)
    return SqlJobStore(database, clock), database.dispose


async def _done_count(spec: Spec) -> Callable[[], Awaitable[int]]:
    if spec.kind == "redis":
        client = Redis.from_url(spec.url)

        async def count_redis() -> int:
            return int(await client.zcard(f"{spec.prefix}jobs:state:done"))

        return count_redis
    database = create_database(spec.url)

    async def count_sql() -> int:
        async with database.engine.connect() as connection:
            query = text("SELECT count(*) FROM jobs WHERE state = 'done'")
            return int((await connection.execute(query)).scalar_one())

    return count_sql


# --- worker process -------------------------------------------------------------------------


class TimedStore:
    """Wraps a store to time successful claims (what a worker waits for a job)."""

    def __init__(self, store: JobStore) -> None:
        self._store = store
        self.claim_ms: list[float] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    async def claim_next(self, worker_id: str, lease_seconds: float) -> Claim | None:
        started = time.perf_counter()
        claim = await self._store.claim_next(worker_id, lease_seconds)
        if claim is not None:
            self.claim_ms.append((time.perf_counter() - started) * 1000)
        return claim


async def _serve(spec: Spec, concurrency: int) -> None:
    configure_logging(level="WARNING")  # stdout carries the protocol: ready, then latencies
    store, close = _open(spec)
    timed = TimedStore(store)
    registry = JobRegistry()

    async def noop(payload: Noop, context: JobContext) -> None:
        return None

    registry.register(NOOP, Noop, noop)
    worker = Worker(
        timed,
        RetryableJobRunner(timed, registry),
        concurrency=concurrency,
        lease_seconds=30,
        poll_seconds=0.01,
        drain_seconds=5,
    )
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    print("ready", flush=True)
    await worker.run(stop)
    await close()
    print(json.dumps(timed.claim_ms), flush=True)


# --- driver ---------------------------------------------------------------------------------


def _spawn(args: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "bench.jobs", *args],
        stdout=subprocess.PIPE,
        stderr=open(os.environ.get("BENCH_WORKER_LOG", os.devnull), "a"),
        text=True,
    )


async def _wait_ready(process: subprocess.Popen[str]) -> None:
    assert process.stdout is not None
    line = await asyncio.to_thread(process.stdout.readline)
    if line.strip() != "ready":
        raise RuntimeError(f"worker did not start: {line!r}")


async def _finish(processes: list[subprocess.Popen[str]]) -> list[float]:
    latencies: list[float] = []
    for process in processes:
        process.send_signal(signal.SIGTERM)
    for process in processes:
        out, _ = await asyncio.to_thread(process.communicate, timeout=60)
        latencies.extend(json.loads(out.strip().splitlines()[-1]))
    return latencies


async def _poll(count: Callable[[], Awaitable[int]], total: int) -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while await count() < total:
        if time.monotonic() > deadline:
            raise TimeoutError("jobs did not finish in time")
        await asyncio.sleep(0.05)


async def bulkhead_run(spec: Spec, workers: int, jobs: int, concurrency: int) -> Row:
    args = ["--serve", spec.kind, spec.url, spec.prefix or "-", str(concurrency)]
    processes = [_spawn(args) for _ in range(workers)]
    store, close = _open(spec)
    count = await _done_count(spec)
    try:
        await asyncio.gather(*(_wait_ready(process) for process in processes))
        started = time.perf_counter()
        for n in range(jobs):
            await store.enqueue(NOOP, msgspec.json.encode(Noop(n)))
        await _poll(count, jobs)
        seconds = time.perf_counter() - started
    finally:
        latencies = await _finish(processes)
        await close()
    return Row(f"bulkhead {spec.kind}", workers, jobs, seconds, latencies)


async def _fresh_specs(workdir: Path) -> tuple[list[Spec], Callable[[], Awaitable[None]]]:
    sqlite = f"sqlite+aiosqlite:///{workdir / 'bench.db'}"
    specs = [Spec("sqlite", sqlite)]
    cleanups: list[Callable[[], Awaitable[None]]] = []
    postgres = os.environ.get("TEST_DATABASE_URL")
    if postgres:
        name = f"bulkhead_bench_{uuid.uuid4().hex[:8]}"
        await _admin(postgres, f'CREATE DATABASE "{name}"')
        url = (
            make_url(postgres)
            .set(drivername="postgresql+asyncpg", database=name)
            .render_as_string(hide_password=False)
        )
        specs.append(Spec("postgres", url))

        async def drop() -> None:
            await _admin(postgres, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        cleanups.append(drop)
    redis = os.environ.get("TEST_REDIS_URL")
    if redis:
        specs.append(Spec("redis", redis, f"bulkhead-bench:{uuid.uuid4().hex[:8]}:"))

    async def cleanup() -> None:
        for step in cleanups:
            await step()

    return specs, cleanup


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


async def _reset(spec: Spec) -> None:
    if spec.kind == "redis":
        client = Redis.from_url(spec.url)
        async for key in client.scan_iter(match=f"{spec.prefix}*", count=1000):
            await client.delete(key)
        await client.aclose()
        return
    database = create_database(spec.url)
    async with database.engine.begin() as connection:
        await connection.execute(text("DELETE FROM jobs"))
    await database.dispose()


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _table(rows: list[Row]) -> str:
    lines = [
        f"{'system':24} {'workers':>7} {'jobs':>6} {'seconds':>8} {'jobs/s':>8} "
        f"{'claim p50 ms':>12} {'claim p99 ms':>12}",
    ]
    for row in rows:
        lines.append(
            f"{row.system:24} {row.workers:>7} {row.jobs:>6} {row.seconds:>8.2f} "
            f"{row.rate:>8.0f} {_pct(row.claim_ms, 0.5):>12.2f} {_pct(row.claim_ms, 0.99):>12.2f}"
        )
    return "\n".join(lines)


async def main(jobs: int, concurrency: int) -> None:
    from bench import _jobs_references as references

    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as workdir:
        specs, cleanup = await _fresh_specs(Path(workdir))
        try:
            for spec in specs:
                if spec.kind != "redis":
                    await asyncio.to_thread(upgrade, spec.url)
                for workers in (1, 2):
                    await _reset(spec)
                    rows.append(await bulkhead_run(spec, workers, jobs, concurrency))
                    print(_table(rows[-1:]).splitlines()[-1], flush=True)
            for spec in specs:
                for workers in (1, 2):
                    row = await references.run(spec, workers, jobs, concurrency)
                    if row is not None:
                        rows.append(Row(row[0], workers, jobs, row[1], row[2]))
                        print(_table(rows[-1:]).splitlines()[-1], flush=True)
        finally:
            await cleanup()
    print()
    print(_table(rows))
    ours = [value for row in rows if row.system.startswith("bulkhead") for value in row.claim_ms]
    print(f"\nmedian claim latency over all bulkhead runs: {statistics.median(ours):.2f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--serve", nargs=4, metavar=("KIND", "URL", "PREFIX", "CONCURRENCY"))
    options = parser.parse_args()
    if options.serve:
        kind, url, prefix, slots = options.serve
        asyncio.run(_serve(Spec(kind, url, "" if prefix == "-" else prefix), int(slots)))
    else:
        asyncio.run(main(options.jobs, options.concurrency))
