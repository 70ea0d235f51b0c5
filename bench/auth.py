"""Login cost, and proof that hashing stays off the event loop: `uv run python -m bench.auth`.

Starts `bulkhead run --no-worker` with zero config (SQLite in a fresh temp DATA_DIR, the
default Argon2id cost m=64 MiB, t=3, p=1) on a free loopback port, registers one user, then:

1. logins: a bounded number of `POST /api/v1/auth/login` at a fixed concurrency;
2. `/health/live` probed one request at a time while 50 logins run at once (if Argon2 ran
   on the event loop, every probe would wait behind a hash);
3. authenticated `GET /api/v1/users/me` throughput.

The load generator shares the 2 cores with the server, so figures are a floor.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx

from bench.health import LoadResult, _free_port, _start, _stop, _wait_ready

PASSWORD = "tangerine orbit cactus 47"
USERS = 50
FAILURES: Counter[str] = Counter()
"""Distinct accounts, each logging in from its own loopback address (127.0.0.2, .3...):
one account or one address hammered 50 times at once is an attack the throttles refuse."""


def _email(index: int) -> str:
    return f"bench{index % USERS}@example.com"


class _Clients:
    """One keep-alive client per simulated user address."""

    def __init__(self, base_url: str) -> None:
        self.clients = [
            httpx.AsyncClient(
                base_url=base_url,
                timeout=120.0,
                # Drop idle connections before uvicorn does (its keep-alive is 5 s, as is
                # httpx's default): reusing one the server is closing fails with ReadError.
                transport=httpx.AsyncHTTPTransport(
                    local_address=f"127.0.0.{2 + index}",
                    limits=httpx.Limits(keepalive_expiry=2.0),
                ),
            )
            for index in range(USERS)
        ]
        self._next = 0

    def login(self) -> Awaitable[httpx.Response]:
        index = self._next % USERS
        self._next += 1
        return self.clients[index].post(
            "/api/v1/auth/login", json={"email": _email(index), "password": PASSWORD}
        )

    async def aclose(self) -> None:
        for client in self.clients:
            await client.aclose()


async def _drive(
    client: httpx.AsyncClient,
    request: Callable[[], Awaitable[httpx.Response]],
    total: int,
    concurrency: int,
) -> LoadResult:
    latencies: list[float] = []
    errors = 0
    remaining = total

    async def worker() -> None:
        nonlocal remaining, errors
        while remaining > 0:
            remaining -= 1
            sent = time.perf_counter()
            try:
                status = (await request()).status_code
            except httpx.HTTPError as exc:
                status = type(exc).__name__
            ok = status in (200, 201)
            if not ok:
                FAILURES[str(status)] += 1
            latencies.append((time.perf_counter() - sent) * 1000)
            errors += not ok

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return LoadResult(total, concurrency, time.perf_counter() - started, latencies, errors)


async def _health_during_logins(
    client: httpx.AsyncClient, users: _Clients, logins: int
) -> tuple[LoadResult, list[float]]:
    """`logins` concurrent logins; meanwhile, /health/live one probe at a time."""
    probes: list[float] = []
    flood = asyncio.create_task(_drive(client, users.login, logins, logins))
    while not flood.done():
        sent = time.perf_counter()
        await client.get("/health/live")
        probes.append((time.perf_counter() - sent) * 1000)
    return await flood, probes


async def _run(base_url: str, logins: int, concurrency: int, reads: int) -> list[tuple[str, str]]:
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
    users = _Clients(base_url)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=120.0) as client:
        created = iter(range(USERS))

        async def register() -> httpx.Response:
            email = _email(next(created))
            return await client.post(
                "/api/v1/auth/register", json={"email": email, "password": PASSWORD}
            )

        registered = await _drive(client, register, USERS, 2)
        assert registered.errors == 0, "registration failed"
        await _drive(client, users.login, 4, 2)  # warm up
        login = await _drive(client, users.login, logins, concurrency)
        flood, probes = await _health_during_logins(client, users, USERS)

        token = (await users.login()).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        await _drive(client, lambda: client.get("/api/v1/users/me", headers=headers), 100, 16)
        me = await _drive(
            client, lambda: client.get("/api/v1/users/me", headers=headers), reads, 16
        )

    await users.aclose()
    probe_p99 = sorted(probes)[min(len(probes) - 1, int(0.99 * len(probes)))]
    return [
        (f"POST /auth/login, {login.requests} x {login.concurrency} concurrent", ""),
        ("  throughput", f"{login.rps:,.1f} req/s"),
        ("  latency p50", f"{login.percentile(0.50):.0f} ms"),
        ("  latency p99", f"{login.percentile(0.99):.0f} ms"),
        ("  errors", str(login.errors)),
        (f"GET /health/live during {flood.requests} concurrent logins", ""),
        ("  probes", str(len(probes))),
        ("  latency p50", f"{statistics.median(probes):.1f} ms"),
        ("  latency p99", f"{probe_p99:.1f} ms"),
        ("  latency max", f"{max(probes):.1f} ms"),
        ("  the 50 logins took", f"{flood.seconds:.1f} s ({flood.errors} errors)"),
        (f"GET /users/me (bearer), {me.requests} x {me.concurrency} concurrent", ""),
        ("  throughput", f"{me.rps:,.0f} req/s"),
        ("  latency p50", f"{me.percentile(0.50):.1f} ms"),
        ("  latency p99", f"{me.percentile(0.99):.1f} ms"),
        ("  errors", str(me.errors)),
        ("failures by status", ", ".join(f"{k}: {v}" for k, v in FAILURES.items()) or "none"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--logins", type=int, default=60)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--reads", type=int, default=3000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bulkhead-bench-auth-") as tmp:
        data_dir = Path(tmp) / "var"
        port = _free_port()
        base_url = f"http://127.0.0.1:{port}"
        server = _start(data_dir, port)
        try:
            _wait_ready(server, base_url, time.perf_counter())
            rows = asyncio.run(_run(base_url, args.logins, args.concurrency, args.reads))
        finally:
            _stop(server)

    width = max(len(label) for label, _ in rows)
    print(f"{'bench.auth':<{width}}  value")
    print(f"{'-' * width}  {'-' * 14}")
    for label, value in rows:
        print(f"{label:<{width}}  {value}")


if __name__ == "__main__":
    main()
