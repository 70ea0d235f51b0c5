"""`bulkhead run` on a fresh machine: zero config, migrated SQLite, ready, JSON logs, clean stop."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sqlite3
import sys
import time
from pathlib import Path

import httpx
import pytest

from core.settings import Settings

BOOT_DEADLINE_SECONDS = 90.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _wait_ready(server: asyncio.subprocess.Process, url: str) -> httpx.Response:
    deadline = time.monotonic() + BOOT_DEADLINE_SECONDS
    async with httpx.AsyncClient(timeout=5) as client:
        while time.monotonic() < deadline:
            assert server.returncode is None, "the server exited during boot"
            try:
                response = await client.get(url)
            except httpx.TransportError:
                response = None
            if response is not None and response.status_code == 200:
                return response
            await asyncio.sleep(0.05)
    raise AssertionError(f"{url} not ready within {BOOT_DEADLINE_SECONDS}s")


@pytest.mark.slow
async def test_zero_config_run_serves_ready_and_stops_cleanly(tmp_path: Path) -> None:
    fields = {name.upper() for name in Settings.__struct_fields__}
    env = {key: value for key, value in os.environ.items() if key not in fields}
    port = _free_port()
    log_path = tmp_path / "server.log"
    bulkhead = Path(sys.executable).parent / "bulkhead"
    with log_path.open("wb") as log:
        server = await asyncio.create_subprocess_exec(
            str(bulkhead),
            "run",
            "--no-worker",
            "--port",
            str(port),
            cwd=tmp_path,
            env=env,
            stdout=log,
            stderr=asyncio.subprocess.STDOUT,
        )
        try:
            ready = await _wait_ready(server, f"http://127.0.0.1:{port}/health/ready")
            async with httpx.AsyncClient() as client:
                live = await client.get(
                    f"http://127.0.0.1:{port}/health/live", headers={"X-Request-ID": "e2e-run-1"}
                )
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                exit_code = await asyncio.wait_for(server.wait(), timeout=20)
            except TimeoutError:
                server.kill()
                await server.wait()
                raise

    services = ready.json()["services"]
    assert {name: services[name]["adapter"] for name in ("database", "cache", "email")} == {
        "database": "sqlite",
        "cache": "sqlite",
        "email": "console",
    }
    assert live.headers["x-request-id"] == "e2e-run-1"
    # uvicorn re-raises SIGTERM once it has shut down gracefully, so the parent sees it.
    assert exit_code in (0, -signal.SIGTERM)
    # Zero config means var/ in the working directory, migrated on start.
    with sqlite3.connect(tmp_path / "var" / "bulkhead.db") as connection:
        assert connection.execute("SELECT count(*) FROM alembic_version").fetchone()[0] >= 1
    assert (tmp_path / "var" / "jwt_secret").is_file()
    lines = [json.loads(line) for line in log_path.read_text().splitlines() if line.startswith("{")]
    access = [line for line in lines if line.get("request_id") == "e2e-run-1"]
    assert [line["event"] for line in access] == ["http.request"]
    assert access[0]["status"] == 200
    assert "Application shutdown complete." in [line["event"] for line in lines]
