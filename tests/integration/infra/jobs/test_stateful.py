"""Every JobStore adapter against a plain model, driven by a hypothesis state machine."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Coroutine
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from redis.asyncio import Redis
from sqlalchemy import text

from core.ports.jobs import JobStore
from infra.db.engine import Database
from infra.jobs import MemoryJobStore
from tests.conftest import FakeClock, PostgresServer
from tests.integration.infra.jobs._stores import StoreSpec, close_resource, open_store

T = TypeVar("T")


@dataclass
class ModelJob:
    id: str
    priority: int
    run_at: datetime
    max_attempts: int
    dedup_key: str | None
    state: str = "pending"
    attempts: int = 0
    lease_expires_at: datetime | None = None
    token: str | None = None


class JobStoreMachine(RuleBasedStateMachine):
    spec: StoreSpec | None = None

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.clock = FakeClock()
        self.resource: Database | Redis | None = None
        self.prefix = ""
        if self.spec is None:
            self.store: JobStore = MemoryJobStore(self.clock)
        else:
            spec = self.spec
            if spec.kind == "redis":
                self.prefix = f"bulkhead-test:{uuid.uuid4().hex[:12]}:"
                spec = StoreSpec("redis", spec.url, self.prefix)
            self.store, self.resource = open_store(spec, self.clock)
        self.model: dict[str, ModelJob] = {}
        self.stale: list[tuple[str, str]] = []

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(coroutine)

    @initialize()
    def empty_the_store(self) -> None:
        if isinstance(self.resource, Database):
            self.run(self._delete_jobs(self.resource))

    @staticmethod
    async def _delete_jobs(database: Database) -> None:
        async with database.engine.begin() as connection:
            await connection.execute(text("DELETE FROM jobs"))

    def teardown(self) -> None:
        if isinstance(self.resource, Redis):
            self.run(self._delete_keys(self.resource, self.prefix))
        if self.resource is not None:
            self.run(close_resource(self.resource))
        self.loop.close()

    @staticmethod
    async def _delete_keys(client: Redis, prefix: str) -> None:
        async for key in client.scan_iter(match=f"{prefix}*", count=500):
            await client.delete(key)

    # --- helpers --------------------------------------------------------------------------

    def _live(self, dedup_key: str) -> ModelJob | None:
        for job in self.model.values():
            if job.dedup_key == dedup_key and job.state in ("pending", "running"):
                return job
        return None

    def _due(self) -> list[ModelJob]:
        now = self.clock.now()
        return [job for job in self.model.values() if job.state == "pending" and job.run_at <= now]

    def _settle(self, job: ModelJob, state: str) -> None:
        if job.token is not None:
            self.stale.append((job.id, job.token))
        job.state, job.token, job.lease_expires_at = state, None, None

    def _running(self) -> list[ModelJob]:
        return sorted(
            (job for job in self.model.values() if job.state == "running"), key=lambda j: j.id
        )

    # --- rules ----------------------------------------------------------------------------

    @rule(
        priority=st.integers(-2, 2),
        delay=st.sampled_from([0, 0, 5]),
        max_attempts=st.integers(1, 3),
        dedup_key=st.sampled_from([None, None, "a", "b"]),
    )
    def enqueue(self, priority: int, delay: int, max_attempts: int, dedup_key: str | None) -> None:
        run_at = self.clock.now() + timedelta(seconds=delay)
        job = self.run(
            self.store.enqueue(
                "job",
                run_at=run_at,
                priority=priority,
                max_attempts=max_attempts,
                dedup_key=dedup_key,
            )
        )
        holder = self._live(dedup_key) if dedup_key else None
        if holder is not None:
            assert job.id == holder.id
            return
        assert job.id not in self.model
        self.model[job.id] = ModelJob(job.id, priority, run_at, max_attempts, dedup_key)

    @rule(lease=st.sampled_from([5, 10]))
    def claim_next(self, lease: int) -> None:
        claim = self.run(self.store.claim_next("w", lease))
        due = self._due()
        if not due:
            assert claim is None
            return
        expected = min(due, key=lambda job: (-job.priority, job.run_at, job.id))
        assert claim is not None
        assert claim.job.id == expected.id
        self._take(expected, claim.token, lease)
        assert claim.attempt == expected.attempts

    def _take(self, job: ModelJob, token: str, lease: int) -> None:
        job.state, job.token = "running", token
        job.attempts += 1
        job.lease_expires_at = self.clock.now() + timedelta(seconds=lease)

    @precondition(lambda self: self.model)
    @rule(data=st.data())
    def claim_by_id(self, data: st.DataObject) -> None:
        job = self.model[data.draw(st.sampled_from(sorted(self.model)))]
        claim = self.run(self.store.claim(job.id, "w", 10))
        if job.state == "pending" and job.run_at <= self.clock.now():
            assert claim is not None
            self._take(job, claim.token, 10)
        else:
            assert claim is None

    @precondition(lambda self: self._running())
    @rule(data=st.data())
    def complete(self, data: st.DataObject) -> None:
        job = data.draw(st.sampled_from(self._running()))
        assert job.token is not None
        assert self.run(self.store.complete(job.id, job.token, b"1"))
        self._settle(job, "done")

    @precondition(lambda self: self._running())
    @rule(data=st.data(), retry=st.booleans())
    def fail(self, data: st.DataObject, retry: bool) -> None:
        job = data.draw(st.sampled_from(self._running()))
        assert job.token is not None
        state = self.run(self.store.fail(job.id, job.token, "e", retry_delay=3 if retry else None))
        expected = "pending" if retry and job.attempts < job.max_attempts else "dead"
        assert state == expected
        self._settle(job, expected)
        if expected == "pending":
            job.run_at = self.clock.now() + timedelta(seconds=3)

    @precondition(lambda self: self._running())
    @rule(data=st.data())
    def heartbeat(self, data: st.DataObject) -> None:
        job = data.draw(st.sampled_from(self._running()))
        assert job.token is not None
        assert self.run(self.store.heartbeat(job.id, job.token, 10))
        job.lease_expires_at = self.clock.now() + timedelta(seconds=10)

    @precondition(lambda self: self._running())
    @rule(data=st.data())
    def release(self, data: st.DataObject) -> None:
        job = data.draw(st.sampled_from(self._running()))
        assert job.token is not None
        assert self.run(self.store.release(job.id, job.token))
        self._settle(job, "pending")
        job.attempts -= 1
        job.run_at = self.clock.now()

    @precondition(lambda self: self.stale)
    @rule(data=st.data())
    def stale_token_is_fenced(self, data: st.DataObject) -> None:
        job_id, token = data.draw(st.sampled_from(self.stale))
        assert not self.run(self.store.heartbeat(job_id, token, 10))
        assert not self.run(self.store.complete(job_id, token))
        assert self.run(self.store.fail(job_id, token, "late", retry_delay=1)) is None

    @rule(seconds=st.sampled_from([1, 4, 6, 11]))
    def advance(self, seconds: int) -> None:
        self.clock.advance(seconds)

    @rule()
    def recover_expired(self) -> None:
        recovered = self.run(self.store.recover_expired())
        now = self.clock.now()
        requeued, dead = [], []
        for job in self._running():
            assert job.lease_expires_at is not None
            if job.lease_expires_at > now:
                continue
            if job.attempts >= job.max_attempts:
                self._settle(job, "dead")
                dead.append(job.id)
            else:
                self._settle(job, "pending")
                job.run_at = now
                requeued.append(job.id)
        assert recovered.requeued == tuple(sorted(requeued))
        assert recovered.dead == tuple(sorted(dead))

    @precondition(lambda self: self.model)
    @rule(data=st.data())
    def retry_dead(self, data: st.DataObject) -> None:
        job = self.model[data.draw(st.sampled_from(sorted(self.model)))]
        retried = self.run(self.store.retry_dead(job.id))
        holder = self._live(job.dedup_key) if job.dedup_key else None
        if job.state == "dead" and holder is None:
            assert retried
            job.state, job.attempts, job.run_at = "pending", 0, self.clock.now()
        else:
            assert not retried

    @invariant()
    def store_matches_model(self) -> None:
        stored = {job.id: job for job in self.run(self.store.list(limit=1000))}
        assert set(stored) == set(self.model)
        for job_id, expected in self.model.items():
            actual = stored[job_id]
            assert (actual.state, actual.attempts) == (expected.state, expected.attempts), job_id


def _run_machine(spec: StoreSpec | None) -> None:
    machine = type("Machine", (JobStoreMachine,), {"spec": spec})
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=12,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )


def test_memory_store_matches_the_model() -> None:
    _run_machine(None)


def test_sqlite_store_matches_the_model(sqlite_url: str) -> None:
    _run_machine(StoreSpec("sqlite", sqlite_url))


@pytest.mark.postgres
def test_postgres_store_matches_the_model(postgres_server: PostgresServer) -> None:
    _run_machine(StoreSpec("postgres", postgres_server.url))


@pytest.mark.redis
def test_redis_store_matches_the_model(redis_url: str) -> None:
    _run_machine(StoreSpec("redis", redis_url))
