"""Crash drill: `kill -9` a worker mid-job; another worker finishes it, exactly once.

Runs against every shared adapter (SQLite file, PostgreSQL, Redis) with real processes.
"""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import msgspec
import pytest

from background.jobs.demo import DEMO_SLEEP, DemoSleep
from common.clock import SystemClock
from core.ports.jobs import Job, JobStore
from tests._jobs_support import eventually
from tests.e2e.jobs._processes import bulkhead_env, bulkhead_process
from tests.integration.infra.jobs._stores import StoreSpec, close_resource, open_store

pytestmark = pytest.mark.slow


@pytest.fixture(params=["sqlite", "postgres", "redis"])
def drill(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[StoreSpec, dict[str, str]]:
    """Where the queue lives, and the environment that points a worker at it."""
    sqlite_url: str = request.getfixturevalue("sqlite_url")
    if request.param == "sqlite":
        return StoreSpec("sqlite", sqlite_url), bulkhead_env(tmp_path, DATABASE_URL=sqlite_url)
    if request.param == "postgres":
        request.getfixturevalue("postgres_database")
        url = request.getfixturevalue("postgres_server").url
        return StoreSpec("postgres", url), bulkhead_env(tmp_path, DATABASE_URL=url)
    request.getfixturevalue("redis_client")
    redis_url, prefix = (
        request.getfixturevalue("redis_url"),
        request.getfixturevalue("redis_prefix"),
    )
    env = bulkhead_env(
        tmp_path, DATABASE_URL=sqlite_url, REDIS_URL=redis_url, REDIS_KEY_PREFIX=prefix
    )
    return StoreSpec("redis", redis_url, prefix), env


async def _in_state(store: JobStore, job_id: str, state: str) -> Job | None:
    job = await store.get(job_id)
    return job if job is not None and job.state == state else None


def _started(log: Path) -> bool:
    return log.exists() and "worker.start" in log.read_text()


async def test_a_killed_workers_job_completes_once_on_another_worker(
    drill: tuple[StoreSpec, dict[str, str]], tmp_path: Path
) -> None:
    """Two workers wait on the queue; whichever claims the slow job is killed with -9."""
    spec, env = drill
    store, resource = open_store(spec, SystemClock())
    logs = [tmp_path / "worker-a.log", tmp_path / "worker-b.log"]
    try:
        with (
            bulkhead_process(["worker"], env, logs[0]) as first,
            bulkhead_process(["worker"], env, logs[1]) as second,
        ):

            async def both_started() -> bool:
                return all(_started(log) for log in logs)

            await eventually(both_started, within=90)
            job = await store.enqueue(DEMO_SLEEP, msgspec.json.encode(DemoSleep(seconds=2)))
            running = await eventually(lambda: _in_state(store, job.id, "running"), within=30)
            assert running.attempts == 1
            assert running.worker_id is not None
            victim_pid = int(running.worker_id.split(":")[1])
            victim, survivor = (first, second) if first.pid == victim_pid else (second, first)
            assert victim.pid == victim_pid
            victim.send_signal(signal.SIGKILL)
            await asyncio.to_thread(victim.wait, 30)
            done = await eventually(lambda: _in_state(store, job.id, "done"), within=60)
            assert survivor.poll() is None
        text = "\n".join(log.read_text() for log in logs)
        assert done.attempts == 2, text
        assert msgspec.json.decode(done.result or b"null") == {"slept_seconds": 2, "attempt": 2}
        recovered = [line for line in text.splitlines() if "job.recovered" in line]
        assert any(job.id in line for line in recovered), text
        finished = [line for line in text.splitlines() if '"job.done"' in line and job.id in line]
        assert len(finished) == 1, text
    finally:
        await close_resource(resource)
