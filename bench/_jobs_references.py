"""Reference queues for bench.jobs: SAQ on Redis and procrastinate on PostgreSQL.

The same workload as Bulkhead's rows: worker processes started and ready first, then N
no-op jobs enqueued one by one from the driver, timed until all are done. Claim latency is
not instrumented for these (reported as nan). Skipped when the package is not installed.
"""

from __future__ import annotations

import asyncio
import importlib.util
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.engine import make_url

SAQ_QUEUE = "bulkhead-bench"


def _conninfo(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _procrastinate_app(url: str) -> tuple[Any, Any]:
    import procrastinate

    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=_conninfo(url)))

    @app.task(name="noop")
    async def noop(n: int) -> None:
        return None

    return app, noop


def _saq_queue(url: str, prefix: str) -> Any:
    from saq import Queue

    return Queue.from_url(url, name=f"{prefix}{SAQ_QUEUE}")


async def _serve(kind: str, url: str, prefix: str, concurrency: int) -> None:
    if kind == "redis":
        from saq import Worker

        async def noop(ctx: Any, *, n: int) -> None:
            return None

        queue = _saq_queue(url, prefix)
        worker = Worker(queue, functions=[("noop", noop)], concurrency=concurrency)
        print("ready", flush=True)
        await worker.start()  # returns on SIGTERM (SAQ installs its own handler)
        await queue.disconnect()
    else:
        app, _ = _procrastinate_app(url)
        async with app.open_async():
            print("ready", flush=True)
            await app.run_worker_async(concurrency=concurrency, wait=True)
    print("[]", flush=True)


def _spawn(kind: str, url: str, prefix: str, concurrency: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bench._jobs_references",
            kind,
            url,
            prefix or "-",
            str(concurrency),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


async def _ready(process: subprocess.Popen[str]) -> None:
    assert process.stdout is not None
    line = await asyncio.to_thread(process.stdout.readline)
    if line.strip() != "ready":
        raise RuntimeError(f"reference worker did not start: {line!r}")


async def _stop(processes: list[subprocess.Popen[str]]) -> None:
    for process in processes:
        process.send_signal(signal.SIGTERM)
    for process in processes:
        await asyncio.to_thread(process.communicate, timeout=60)


async def _until(done: Callable[[], Awaitable[bool]]) -> None:
    deadline = time.monotonic() + 600
    while not await done():
        if time.monotonic() > deadline:
            raise TimeoutError("reference jobs did not finish in time")
        await asyncio.sleep(0.05)


async def _saq_idle(queue: Any) -> bool:
    return int(await queue.count("incomplete")) == 0


async def _all_succeeded(connection: Any, query: str, jobs: int) -> bool:
    return int(await connection.fetchval(query)) >= jobs


async def _saq(url: str, prefix: str, workers: int, jobs: int, concurrency: int) -> float:
    processes = [_spawn("redis", url, prefix, concurrency) for _ in range(workers)]
    queue = _saq_queue(url, prefix)
    try:
        await asyncio.gather(*(_ready(process) for process in processes))
        started = time.perf_counter()
        for n in range(jobs):
            await queue.enqueue("noop", n=n)
        await _until(lambda: _saq_idle(queue))
        return time.perf_counter() - started
    finally:
        await _stop(processes)
        await queue.disconnect()


async def _procrastinate(url: str, workers: int, jobs: int, concurrency: int) -> float:
    import asyncpg

    app, noop = _procrastinate_app(url)
    parsed = make_url(url)
    connection = await asyncpg.connect(
        host=parsed.host,
        port=parsed.port or 5432,
        user=parsed.username or "postgres",
        password=parsed.password,
        database=parsed.database,
    )
    try:
        async with app.open_async():
            exists = await connection.fetchval("SELECT to_regclass('procrastinate_jobs')")
            if exists is None:
                await app.schema_manager.apply_schema_async()
            await connection.execute("DELETE FROM procrastinate_jobs")
            processes = [_spawn("postgres", url, "", concurrency) for _ in range(workers)]
            try:
                await asyncio.gather(*(_ready(process) for process in processes))
                started = time.perf_counter()
                for n in range(jobs):
                    await noop.defer_async(n=n)
                query = "SELECT count(*) FROM procrastinate_jobs WHERE status = 'succeeded'"
                await _until(lambda: _all_succeeded(connection, query, jobs))
                return time.perf_counter() - started
            finally:
                await _stop(processes)
    finally:
        await connection.close()


async def run(
    spec: Any, workers: int, jobs: int, concurrency: int
) -> tuple[str, float, list[float]] | None:
    """(system name, seconds, claim latencies) for the reference of `spec.kind`, if any."""
    if spec.kind == "redis" and importlib.util.find_spec("saq"):
        seconds = await _saq(spec.url, spec.prefix, workers, jobs, concurrency)
        return ("saq redis", seconds, [])
    if spec.kind == "postgres" and importlib.util.find_spec("procrastinate"):
        seconds = await _procrastinate(spec.url, workers, jobs, concurrency)
        return ("procrastinate postgres", seconds, [])
    return None


if __name__ == "__main__":
    kind, url, prefix, slots = sys.argv[1:5]
    asyncio.run(_serve(kind, url, "" if prefix == "-" else prefix, int(slots)))
