"""Two app processes (uvicorn, loopback) sharing one PostgreSQL: a flood still has one effect."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from infra.db.engine import Database
from infra.db.tables.billing import BillingPayment, BillingSubscription
from infra.db.tables.jobs import JobRow
from tests.conftest import PostgresServer
from tests.e2e.billing import _events as ev
from tests.e2e.billing.conftest import RECEIPT_JOB, WEBHOOK_PATH

PROCESSES = 2
COPIES = 100


def _listening_socket() -> socket.socket:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(256)
    sock.set_inheritable(True)
    return sock


def _wait_live(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"app process exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{url}/health/live", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"app process never became live: {log.read_text()[-2000:]}")


@pytest.fixture
def app_processes(
    postgres_server: PostgresServer, postgres_database: Database, tmp_path: Path
) -> Iterator[list[str]]:
    """Base URLs of `PROCESSES` uvicorn processes, each on its own pre-bound loopback socket."""
    env = {
        **os.environ,
        "APP_ENV": "test",
        "DATA_DIR": str(tmp_path / "var"),
        "DATABASE_URL": postgres_server.url,
        "STRIPE_WEBHOOK_SECRET": ev.WEBHOOK_SECRET,
        "JWT_SECRET": "x" * 48,
        "ARGON2_MEMORY_KIB": "19456",
        "ARGON2_TIME_COST": "1",
        "LOG_LEVEL": "WARNING",
    }
    sockets: list[socket.socket] = []
    processes: list[tuple[subprocess.Popen[bytes], Path]] = []
    try:
        for index in range(PROCESSES):
            sock = _listening_socket()
            sockets.append(sock)
            log = tmp_path / f"app-{index}.log"
            command = [
                sys.executable, "-m", "uvicorn", "--factory", "web.app:create_app",
                "--fd", str(sock.fileno()), "--no-access-log", "--timeout-keep-alive", "120",
            ]  # fmt: skip
            with log.open("wb") as output:
                process = subprocess.Popen(
                    command,
                    env=env,
                    cwd=tmp_path,
                    pass_fds=(sock.fileno(),),
                    stdout=output,
                    stderr=subprocess.STDOUT,
                )
            processes.append((process, log))
        urls = [f"http://127.0.0.1:{sock.getsockname()[1]}" for sock in sockets]
        for url, (process, log) in zip(urls, processes, strict=True):
            _wait_live(url, process, log)
        yield urls
    finally:
        for process, _ in processes:
            process.terminate()
        for process, _ in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for sock in sockets:
            sock.close()


async def _count(database: Database, table: object, *criteria: object) -> int:
    query = select(func.count()).select_from(table).where(*criteria)  # type: ignore[arg-type]
    async with database.session() as session:
        return int((await session.execute(query)).scalar_one())


async def _flood(urls: list[str], payload: bytes) -> list[dict[str, bool]]:
    """`COPIES` deliveries of `payload`, alternating between the processes, all at once."""
    limits = httpx.Limits(max_connections=None)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:

        async def deliver(index: int) -> httpx.Response:
            signature = ev.sign(payload, int(time.time()))
            return await client.post(
                urls[index % len(urls)] + WEBHOOK_PATH,
                content=payload,
                headers={"Stripe-Signature": signature},
            )

        responses = await asyncio.gather(*(deliver(index) for index in range(COPIES)))
    assert [r.status_code for r in responses] == [200] * COPIES, [r.text for r in responses][:3]
    return [r.json() for r in responses]


@pytest.mark.slow
async def test_two_processes_apply_a_flood_once(
    app_processes: list[str], postgres_database: Database
) -> None:
    now = int(time.time())
    paid = ev.event("evt_proc_paid", "invoice.paid", ev.invoice(), now)
    bodies = await _flood(app_processes, paid)
    assert bodies.count({"received": True}) == 1
    assert bodies.count({"received": True, "duplicate": True}) == COPIES - 1
    assert await _count(postgres_database, BillingPayment) == 1
    assert await _count(postgres_database, JobRow, JobRow.name == RECEIPT_JOB) == 1

    created = ev.event("evt_proc_sub", "customer.subscription.created", ev.subscription(), now)
    bodies = await _flood(app_processes, created)
    assert bodies.count({"received": True}) == 1
    assert await _count(postgres_database, BillingSubscription) == 1
    async with postgres_database.session() as session:
        version = (await session.execute(select(BillingSubscription.version))).scalar_one()
    assert version == 1
