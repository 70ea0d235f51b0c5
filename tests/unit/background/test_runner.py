from __future__ import annotations

import asyncio
import random

import msgspec
import pytest
from structlog.testing import capture_logs

from background.jobs import JobContext, JobRegistry, NonRetryableError, RetryableJobRunner
from core.ports.jobs import Claim
from infra.jobs import MemoryJobStore
from policies.retry import BackoffPolicy
from tests.conftest import FakeClock


class Add(msgspec.Struct, frozen=True):
    a: int
    b: int


class Sum(msgspec.Struct, frozen=True):
    total: int


class FlakyError(Exception):
    pass


@pytest.fixture
def store(clock: FakeClock) -> MemoryJobStore:
    return MemoryJobStore(clock)


@pytest.fixture
def registry() -> JobRegistry:
    registry = JobRegistry()

    async def add(payload: Add, context: JobContext) -> Sum:
        return Sum(total=payload.a + payload.b)

    async def flaky(payload: Add, context: JobContext) -> None:
        raise FlakyError(f"attempt {context.attempt}")

    async def refuse(payload: Add, context: JobContext) -> None:
        raise NonRetryableError("bad input forever")

    async def slow(payload: Add, context: JobContext) -> None:
        await asyncio.Event().wait()

    def cpu(payload: Add, context: JobContext) -> Sum:
        return Sum(total=payload.a * payload.b)

    registry.register("add", Add, add)
    registry.register("flaky", Add, flaky, max_attempts=3)
    registry.register("refuse", Add, refuse)
    registry.register("slow", Add, slow, timeout_seconds=0.05)
    registry.register("cpu", Add, cpu)
    return registry


@pytest.fixture
def runner(store: MemoryJobStore, registry: JobRegistry) -> RetryableJobRunner:
    return RetryableJobRunner(store, registry, rng=random.Random(7))


async def _claim(store: MemoryJobStore, registry: JobRegistry, name: str, **payload: int) -> Claim:
    await registry.enqueue(store, name, Add(**{"a": 2, "b": 3, **payload}))
    claim = await store.claim_next("w", 30)
    assert claim is not None
    return claim


async def test_success_completes_with_the_encoded_result(
    store: MemoryJobStore, registry: JobRegistry, runner: RetryableJobRunner
) -> None:
    claim = await _claim(store, registry, "add")
    assert await runner.run(claim) == "done"
    job = await store.get(claim.job.id)
    assert job is not None
    assert (job.state, job.result) == ("done", b'{"total":5}')


async def test_a_sync_handler_runs_in_a_thread(
    store: MemoryJobStore, registry: JobRegistry, runner: RetryableJobRunner
) -> None:
    claim = await _claim(store, registry, "cpu")
    assert await runner.run(claim) == "done"
    job = await store.get(claim.job.id)
    assert job is not None
    assert job.result == b'{"total":6}'


async def test_failure_retries_with_backoff_then_dead_letters(
    store: MemoryJobStore, registry: JobRegistry, runner: RetryableJobRunner, clock: FakeClock
) -> None:
    claim = await _claim(store, registry, "flaky")
    assert await runner.run(claim) == "retry"
    job = await store.get(claim.job.id)
    assert job is not None
    assert job.state == "pending"
    delay = (job.run_at - clock.now()).total_seconds()
    assert 0.2 <= delay <= 0.3
    assert job.last_error == "FlakyError: attempt 1"
    for attempt in (2, 3):
        clock.advance(60)
        claim = await store.claim_next("w", 30)
        assert claim is not None
        assert claim.attempt == attempt
        with capture_logs() as logs:
            outcome = await runner.run(claim)
    assert outcome == "dead"
    dead = [entry for entry in logs if entry["event"] == "job.dead_letter"]
    assert dead == [
        {
            "event": "job.dead_letter",
            "log_level": "error",
            "job_id": claim.job.id,
            "name": "flaky",
            "attempt": 3,
            "reason": "attempts_exhausted",
            "error": "FlakyError: attempt 3",
        }
    ]
    stored = await store.get(claim.job.id)
    assert stored is not None
    assert stored.state == "dead"
    assert await store.retry_dead(claim.job.id)


async def test_non_retryable_error_goes_straight_to_dead(
    store: MemoryJobStore, registry: JobRegistry, runner: RetryableJobRunner
) -> None:
    claim = await _claim(store, registry, "refuse")
    with capture_logs() as logs:
        assert await runner.run(claim) == "dead"
    assert [entry["reason"] for entry in logs if entry["event"] == "job.dead_letter"] == [
        "non_retryable"
    ]
    job = await store.get(claim.job.id)
    assert job is not None
    assert (job.state, job.attempts) == ("dead", 1)


async def test_an_attempt_over_its_timeout_is_retried(
    store: MemoryJobStore, registry: JobRegistry, runner: RetryableJobRunner
) -> None:
    claim = await _claim(store, registry, "slow")
    assert await runner.run(claim) == "retry"
    job = await store.get(claim.job.id)
    assert job is not None
    assert job.last_error == "attempt exceeded 0.05s"


async def test_unknown_job_and_bad_payload_dead_letter(
    store: MemoryJobStore, runner: RetryableJobRunner
) -> None:
    await store.enqueue("nobody.handles.this")
    claim = await store.claim_next("w", 30)
    assert claim is not None
    assert await runner.run(claim) == "dead"
    await store.enqueue("add", b'{"a": "not a number"}')
    claim = await store.claim_next("w", 30)
    assert claim is not None
    with capture_logs() as logs:
        assert await runner.run(claim) == "dead"
    assert logs[-1]["reason"] == "invalid_payload"


async def test_a_fenced_worker_reports_the_lease_lost(
    store: MemoryJobStore, registry: JobRegistry, runner: RetryableJobRunner, clock: FakeClock
) -> None:
    claim = await _claim(store, registry, "add")
    clock.advance(31)
    await store.recover_expired()
    assert await store.claim_next("other", 30) is not None
    assert await runner.run(claim) == "lost"
    flaky = await _claim(store, registry, "flaky")
    clock.advance(31)
    await store.recover_expired()
    assert await runner.run(flaky) == "lost"


async def test_custom_backoff_is_used(store: MemoryJobStore, registry: JobRegistry) -> None:
    runner = RetryableJobRunner(
        store, registry, backoff=BackoffPolicy(base_seconds=2, cap_seconds=4, jitter=0)
    )
    assert [runner.delay_for(attempt) for attempt in (1, 2, 3, 9)] == [2, 4, 4, 4]
