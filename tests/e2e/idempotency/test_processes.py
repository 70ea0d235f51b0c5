"""Two API processes behind one store: a key still runs its handler once.

Each process is the test app under uvicorn on a loopback port; they share PostgreSQL (SQL
store) or Redis (Redis store), exactly as N API replicas would in production.
"""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.idempotency.conftest import KEY, store_environment

ROOT = Path(__file__).resolve().parents[3]
CALLERS = 40


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(params=["postgres", "redis"])
def shared_environment(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        **store_environment(request, request.param),
        "APP_ENV": "test",
        "DATA_DIR": str(tmp_path / "var"),
        "JWT_SECRET": "e2e-idempotency-secret-" + "x" * 20,
        "ARGON2_MEMORY_KIB": "19456",
        "LOG_LEVEL": "WARNING",
    }


@pytest.fixture
async def servers(shared_environment: dict[str, str]) -> AsyncIterator[list[str]]:
    ports = [_free_port(), _free_port()]
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.e2e.idempotency._app",
            str(port),
            cwd=ROOT,
            env=shared_environment,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        for port in ports
    ]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        async with httpx.AsyncClient() as client:
            for url, process in zip(urls, processes, strict=True):
                await _until_live(client, url, process)
        yield urls
    finally:
        for process in processes:
            if process.returncode is None:
                process.terminate()
            await process.wait()


async def _until_live(
    client: httpx.AsyncClient, url: str, process: asyncio.subprocess.Process
) -> None:
    deadline = asyncio.get_running_loop().time() + 60
    while True:
        assert process.returncode is None, "the server process exited"
        try:
            if (await client.get(f"{url}/health/live")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert asyncio.get_running_loop().time() < deadline, "the server never came up"
        await asyncio.sleep(0.05)


@pytest.mark.slow
async def test_two_processes_run_a_keyed_request_once(servers: list[str]) -> None:
    async with httpx.AsyncClient(timeout=30) as client:

        async def attempt(n: int) -> httpx.Response:
            url = servers[n % len(servers)]
            return await client.post(f"{url}/api/test/gated", headers={KEY: "cross-process"})

        tasks = [asyncio.create_task(attempt(n)) for n in range(CALLERS)]
        deadline = asyncio.get_running_loop().time() + 30
        while sum(task.done() for task in tasks) < CALLERS - 1:
            assert asyncio.get_running_loop().time() < deadline, "repeats were not answered"
            await asyncio.sleep(0.02)
        await client.post(f"{servers[0]}/api/test/gate")
        responses = await asyncio.gather(*tasks)
        assert Counter(response.status_code for response in responses) == {
            409: CALLERS - 1,
            201: 1,
        }
        (winner,) = (response for response in responses if response.status_code == 201)

        replays = await asyncio.gather(*(attempt(n) for n in range(4)))
        assert {response.status_code for response in replays} == {201}
        assert {response.headers["idempotent-replayed"] for response in replays} == {"true"}
        assert {response.content for response in replays} == {winner.content}
        for url in servers:
            assert (await client.get(f"{url}/api/test/orders")).json() == {"effects": 1}
