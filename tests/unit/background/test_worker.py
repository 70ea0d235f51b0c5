from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import msgspec
import pytest
from structlog.testing import capture_logs

from background.jobs import JobContext, JobRegistry, RetryableJobRunner, Worker
from background.jobs.demo import DEMO_SLEEP, DemoSleep, demo_sleep
from common.clock import SystemClock
from core.ports.jobs import Job
from infra.jobs import MemoryJobStore
from tests._jobs_support import eventually


@pytest.fixture
def store() -> MemoryJobStore:
    return MemoryJobStore(SystemClock())


@pytest.fixture
def registry() -> JobRegistry:
    registry = JobRegistry()
    registry.register(DEMO_SLEEP, DemoSleep, demo_sleep)
    return registry


def _worker(store: MemoryJobStore, registry: JobRegistry, **options: float) -> Worker:
    settings: dict[str, float] = {
        "concurrency": 3,
        "lease_seconds": 0.3,
        "poll_seconds": 0.02,
        "drain_seconds": 5,
        **options,
    }
    return Worker(
        store,
        RetryableJobRunner(store, registry),
        concurrency=int(settings.pop("concurrency")),
        **settings,
    )


@asynccontextmanager
async def running(worker: Worker) -> AsyncIterator[asyncio.Event]:
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    try:
        yield stop
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)


async def _sleep_job(store: MemoryJobStore, seconds: float) -> Job:
    return await store.enqueue(DEMO_SLEEP, msgspec.json.encode(DemoSleep(seconds=seconds)))


async def _state(store: MemoryJobStore, job_id: str, state: str) -> Job | None:
    job = await store.get(job_id)
    return job if job is not None and job.state == state else None


async def test_slots_run_jobs_concurrently(store: MemoryJobStore, registry: JobRegistry) -> None:
    worker = _worker(store, registry, concurrency=3)
    jobs = [await _sleep_job(store, 0.2) for _ in range(6)]
    peak = 0
    async with running(worker):

        async def all_done() -> bool:
            nonlocal peak
            peak = max(peak, len(worker.in_flight))
            states = [(await store.get(job.id)) for job in jobs]
            return all(job is not None and job.state == "done" for job in states)

        await eventually(all_done)
    assert peak >= 2
    assert peak <= 3


async def test_stop_drains_in_flight_jobs(store: MemoryJobStore, registry: JobRegistry) -> None:
    job = await _sleep_job(store, 0.4)
    worker = _worker(store, registry)
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    await eventually(lambda: _state(store, job.id, "running"))
    stop.set()
    await asyncio.wait_for(task, 5)
    done = await store.get(job.id)
    assert done is not None
    assert (done.state, done.attempts) == ("done", 1)


async def test_jobs_still_running_after_the_grace_are_released(
    store: MemoryJobStore, registry: JobRegistry
) -> None:
    job = await _sleep_job(store, 60)
    worker = _worker(store, registry, drain_seconds=0.1)
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    await eventually(lambda: _state(store, job.id, "running"))
    with capture_logs() as logs:
        stop.set()
        await asyncio.wait_for(task, 5)
    released = await store.get(job.id)
    assert released is not None
    assert (released.state, released.attempts) == ("pending", 0)
    assert any(entry["event"] == "job.released" for entry in logs)


async def test_a_lost_lease_cancels_the_run(store: MemoryJobStore, registry: JobRegistry) -> None:
    job = await _sleep_job(store, 60)
    worker = _worker(store, registry)
    with capture_logs() as logs:
        async with running(worker):
            await eventually(lambda: _state(store, job.id, "running"))
            token = worker.in_flight[job.id].token
            assert await store.release(job.id, token)
            thief = await store.claim(job.id, "thief", 60)
            assert thief is not None

            async def cancelled() -> bool:
                return job.id not in worker.in_flight

            await eventually(cancelled)
    stolen = await store.get(job.id)
    assert stolen is not None
    assert (stolen.state, stolen.worker_id) == ("running", "thief")
    assert any(entry["event"] == "job.lease_lost" for entry in logs)


async def test_jobs_of_a_dead_worker_are_recovered_and_finished(
    store: MemoryJobStore, registry: JobRegistry
) -> None:
    job = await _sleep_job(store, 0)
    crashed = await store.claim_next("crashed-worker", 0.05)
    assert crashed is not None
    ticks = 0

    async def maintenance() -> None:
        nonlocal ticks
        ticks += 1

    worker = Worker(
        store,
        RetryableJobRunner(store, registry),
        lease_seconds=0.3,
        poll_seconds=0.02,
        maintenance_seconds=0.05,
        on_maintenance=maintenance,
    )
    async with running(worker):
        finished = await eventually(lambda: _state(store, job.id, "done"))
    assert finished.attempts == 2
    assert ticks >= 1


async def test_handler_errors_do_not_kill_the_slot(store: MemoryJobStore) -> None:
    registry = JobRegistry()

    async def broken(payload: DemoSleep, context: JobContext) -> None:
        raise RuntimeError("boom")

    registry.register("broken", DemoSleep, broken, max_attempts=1)
    registry.register(DEMO_SLEEP, DemoSleep, demo_sleep)
    bad = await registry.enqueue(store, "broken", DemoSleep(seconds=0))
    good = await _sleep_job(store, 0)
    async with running(_worker(store, registry, concurrency=1)):
        await eventually(lambda: _state(store, good.id, "done"))
    assert await _state(store, bad.id, "dead") is not None


def test_concurrency_must_be_positive(store: MemoryJobStore, registry: JobRegistry) -> None:
    with pytest.raises(ValueError, match="concurrency"):
        Worker(store, RetryableJobRunner(store, registry), concurrency=0)
