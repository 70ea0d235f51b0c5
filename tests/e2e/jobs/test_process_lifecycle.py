"""Real processes: a worker drains on SIGTERM; queued tasks survive an API crash (SQLite)."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import httpx
import msgspec
import pytest

from background.jobs.demo import DEMO_SLEEP, DemoSleep
from common.clock import SystemClock
from core.ports.jobs import Job, JobStore
from infra.db.engine import create_database
from infra.jobs import SqlJobStore
from tests._jobs_support import eventually
from tests.conftest import issue_access_token
from tests.e2e.jobs._processes import bulkhead_env, bulkhead_process, free_port
from web.features import load_app_settings

pytestmark = pytest.mark.slow


async def _in_state(store: JobStore, job_id: str, state: str) -> Job | None:
    job = await store.get(job_id)
    return job if job is not None and job.state == state else None


async def test_sigterm_drains_in_flight_jobs_then_releases_the_rest(
    sqlite_url: str, tmp_path: Path
) -> None:
    database = create_database(sqlite_url)
    store = SqlJobStore(database, SystemClock())
    env = bulkhead_env(tmp_path, DATABASE_URL=sqlite_url)
    log = tmp_path / "worker.log"
    try:
        short = await store.enqueue(DEMO_SLEEP, msgspec.json.encode(DemoSleep(seconds=1.5)))
        long = await store.enqueue(DEMO_SLEEP, msgspec.json.encode(DemoSleep(seconds=120)))
        args = ["worker", "--concurrency", "2", "--drain-seconds", "5"]
        with bulkhead_process(args, env, log) as worker:

            async def both_running() -> bool:
                return all([await _in_state(store, job.id, "running") for job in (short, long)])

            await eventually(both_running, within=90)
            worker.send_signal(signal.SIGTERM)
            code = await asyncio.to_thread(worker.wait, 30)
        assert code == 0, log.read_text()
        finished = await store.get(short.id)
        released = await store.get(long.id)
        assert finished is not None
        assert released is not None
        assert (finished.state, finished.attempts) == ("done", 1)
        assert (released.state, released.attempts, released.worker_id) == ("pending", 0, None)
        assert "worker.signal" in log.read_text()
    finally:
        await database.dispose()


async def test_tasks_survive_an_api_crash_and_run_after_restart(tmp_path: Path) -> None:
    """Zero-config: SQLite under DATA_DIR, migrated by `bulkhead run`, worker in-process."""
    env = bulkhead_env(tmp_path / "var", APP_ENV="dev")
    settings = load_app_settings(env, env_file=None)
    headers = {"Authorization": f"Bearer {issue_access_token(settings, 'alice')}"}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "api.log"

    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=10) as client:

        async def live() -> bool:
            try:
                return (await client.get("/health/live")).status_code == 200
            except httpx.TransportError:
                return False

        run = ["run", "--port", str(port)]
        with bulkhead_process([*run, "--no-worker"], env, log) as api:
            await eventually(live, within=90, every=0.2)
            accepted = await client.post(
                "/api/v1/tasks", json={"kind": "demo.sleep", "payload": {"seconds": 0.1}}
            )
            assert accepted.status_code == 202, accepted.text
            poll_url = accepted.json()["poll_url"]
            assert (await client.get(poll_url)).json()["status"] == "pending"
            api.send_signal(signal.SIGKILL)
            await asyncio.to_thread(api.wait, 30)

        with bulkhead_process(run, env, log):
            await eventually(live, within=90, every=0.2)

            async def done() -> dict[str, object] | None:
                body: dict[str, object] = (await client.get(poll_url)).json()
                return body if body["status"] == "done" else None

            task = await eventually(done, within=30, every=0.1)
    assert task["attempts"] == 1
    assert task["result"] == {"slept_seconds": 0.1, "attempt": 1}
