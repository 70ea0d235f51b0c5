"""`bulkhead worker`, `bulkhead jobs list` and `bulkhead jobs retry` against a SQLite file."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import threading
import time
from pathlib import Path

import msgspec
import pytest
from click.testing import CliRunner, Result

from common.clock import SystemClock
from core.ports.jobs import Job
from core.settings import Settings
from infra.db.engine import create_database
from infra.jobs import SqlJobStore
from web.cli.main import bulkhead


@pytest.fixture
def database_file(sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in Settings.__struct_fields__:
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("APP_ENV", "test")
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.setenv("JOB_POLL_MS", "20")
    return Path(sqlite_url.split("///", 1)[1])


def _enqueue(sqlite_url: str, name: str, payload: bytes, *, dead: bool = False) -> Job:
    async def run() -> Job:
        database = create_database(sqlite_url)
        store = SqlJobStore(database, SystemClock())
        try:
            job = await store.enqueue(name, payload, max_attempts=1)
            if dead:
                claim = await store.claim(job.id, "cli-test", 30)
                assert claim is not None
                await store.fail(job.id, claim.token, "Boom: it broke", retry_delay=None)
            return job
        finally:
            await database.dispose()

    return asyncio.run(run())


def _state(path: Path, job_id: str) -> tuple[str, int]:
    with sqlite3.connect(path) as connection:
        row = connection.execute(
            "SELECT state, attempts FROM jobs WHERE id = ?", (job_id,)
        ).fetchone()
    return (str(row[0]), int(row[1]))


def invoke(*args: str) -> Result:
    return CliRunner().invoke(bulkhead, list(args))


def test_list_and_retry_dead_letters(database_file: Path, sqlite_url: str) -> None:
    assert invoke("jobs", "list").output.strip() == "no jobs"
    live = _enqueue(sqlite_url, "email.send", b"{}")
    dead = _enqueue(sqlite_url, "email.send", b"{}", dead=True)
    listed = invoke("jobs", "list")
    assert listed.exit_code == 0, listed.output
    assert live.id in listed.output
    assert dead.id in listed.output
    only_dead = invoke("jobs", "list", "--state", "dead")
    assert dead.id in only_dead.output
    assert live.id not in only_dead.output
    assert "Boom: it broke" in only_dead.output
    retried = invoke("jobs", "retry", dead.id)
    assert retried.exit_code == 0, retried.output
    assert _state(database_file, dead.id) == ("pending", 0)
    again = invoke("jobs", "retry", dead.id)
    assert again.exit_code != 0
    assert "not a dead letter" in again.output


def test_worker_runs_jobs_until_sigterm(database_file: Path, sqlite_url: str) -> None:
    job = _enqueue(sqlite_url, "demo.sleep", msgspec.json.encode({"seconds": 0}))
    seen: list[tuple[str, int]] = []

    def stop_when_done() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            state = _state(database_file, job.id)
            if state[0] == "done":
                seen.append(state)
                break
            time.sleep(0.05)
        os.kill(os.getpid(), signal.SIGTERM)

    watcher = threading.Thread(target=stop_when_done)
    watcher.start()
    result = invoke("worker", "--concurrency", "2", "--drain-seconds", "1")
    watcher.join()
    assert result.exit_code == 0, result.output
    assert seen == [("done", 1)]
