"""A job longer than its lease, heartbeating, is never recovered while its worker lives."""

from __future__ import annotations

import asyncio

import msgspec
import pytest

from background.jobs import JobRegistry, RetryableJobRunner, Worker
from background.jobs.demo import DEMO_SLEEP, DemoSleep, demo_sleep
from common.clock import SystemClock
from core.ports.jobs import Job, JobStore
from tests._jobs_support import eventually

LEASE = 0.6


@pytest.fixture
def clock() -> SystemClock:
    """Real time here: heartbeats race real lease expiry."""
    return SystemClock()


async def test_a_heartbeating_job_outlives_its_lease_without_being_recovered(
    store: JobStore,
) -> None:
    registry = JobRegistry()
    registry.register(DEMO_SLEEP, DemoSleep, demo_sleep)
    job = await store.enqueue(DEMO_SLEEP, msgspec.json.encode(DemoSleep(seconds=4 * LEASE)))
    worker = Worker(
        store,
        RetryableJobRunner(store, registry),
        concurrency=1,
        lease_seconds=LEASE,
        poll_seconds=0.02,
    )
    stop = asyncio.Event()
    running = asyncio.create_task(worker.run(stop))
    recovered: list[str] = []

    async def done() -> Job | None:
        # Another worker's maintenance loop, as eager as it gets.
        outcome = await store.recover_expired()
        recovered.extend(outcome.requeued + outcome.dead)
        current = await store.get(job.id)
        return current if current is not None and current.state == "done" else None

    try:
        finished = await eventually(done, within=20, every=0.05)
    finally:
        stop.set()
        await asyncio.wait_for(running, 10)
    assert recovered == []
    assert finished.attempts == 1
    assert finished.result == b'{"slept_seconds":2.4,"attempt":1}'
