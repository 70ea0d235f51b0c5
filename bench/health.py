"""Cold boot to ready, and /health/live throughput: `uv run python -m bench.health`.

Starts `bulkhead run --no-worker` with zero config (no DATABASE_URL, REDIS_URL...) in a fresh
temp DATA_DIR on a free loopback port, times the first 200 of /health/ready (median of
several boots; each boot migrates a new SQLite file), then drives /health/live with a bounded
async httpx load and prints a table. The load generator shares the machine with the server.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from core.settings import Settings

BOOT_DEADLINE_SECONDS = 60.0


@dataclass(frozen=True)
class LoadResult:
    requests: int
    concurrency: int
    seconds: float
    latencies_ms: list[float]
    errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _zero_config_env(data_dir: Path) -> dict[str, str]:
    """The caller's environment without any Bulkhead setting, plus a private DATA_DIR."""
    fields = {name.upper() for name in Settings.__struct_fields__}
    env = {key: value for key, value in os.environ.items() if key not in fields}
    env["DATA_DIR"] = str(data_dir)
    return env


def _start(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    bulkhead = Path(sys.executable).parent / "bulkhead"
    return subprocess.Popen(
        [str(bulkhead), "run", "--no-worker", "--host", "127.0.0.1", "--port", str(port)],
        cwd=data_dir.parent,
        env=_zero_config_env(data_dir),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _stop(server: subprocess.Popen[bytes]) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def _wait_ready(server: subprocess.Popen[bytes], base_url: str, started: float) -> float:
    """Poll /health/ready until the first 200; seconds since `started`."""
    deadline = started + BOOT_DEADLINE_SECONDS
    with httpx.Client(base_url=base_url, timeout=2.0) as client:
        while time.perf_counter() < deadline:
            if server.poll() is not None:
                raise RuntimeError(f"server exited with {server.returncode} before ready")
            try:
                if client.get("/health/ready").status_code == 200:
                    return time.perf_counter() - started
            except httpx.TransportError:
                pass
            time.sleep(0.005)  # poll interval while the server boots
    raise RuntimeError(f"not ready within {BOOT_DEADLINE_SECONDS}s")


async def _load(base_url: str, total: int, concurrency: int) -> LoadResult:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    latencies: list[float] = []
    errors = 0
    remaining = total

    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=10.0) as client:

        async def worker() -> None:
            nonlocal remaining, errors
            while remaining > 0:
                remaining -= 1
                sent = time.perf_counter()
                try:
                    response = await client.get("/health/live")
                    ok = response.status_code == 200
                except httpx.HTTPError:
                    ok = False
                latencies.append((time.perf_counter() - sent) * 1000)
                errors += not ok

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return LoadResult(total, concurrency, elapsed, latencies, errors)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--boots", type=int, default=3)
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=50)
    args = parser.parse_args()

    boot_seconds: list[float] = []
    load: LoadResult | None = None
    with tempfile.TemporaryDirectory(prefix="bulkhead-bench-") as tmp:
        for boot in range(args.boots):
            data_dir = Path(tmp) / f"boot-{boot}" / "var"
            data_dir.parent.mkdir(parents=True)
            port = _free_port()
            base_url = f"http://127.0.0.1:{port}"
            started = time.perf_counter()
            server = _start(data_dir, port)
            try:
                boot_seconds.append(_wait_ready(server, base_url, started))
                if boot == args.boots - 1:
                    asyncio.run(_load(base_url, min(200, args.requests), args.concurrency))
                    load = asyncio.run(_load(base_url, args.requests, args.concurrency))
            finally:
                _stop(server)

    assert load is not None
    rows = [
        ("cold boot to first 200 /health/ready", f"{statistics.median(boot_seconds):.2f} s"),
        (f"  median of {len(boot_seconds)} boots", ", ".join(f"{s:.2f} s" for s in boot_seconds)),
        (f"/health/live, {load.requests} requests x {load.concurrency} concurrent", ""),
        ("  throughput", f"{load.rps:,.0f} req/s"),
        ("  latency p50", f"{load.percentile(0.50):.1f} ms"),
        ("  latency p99", f"{load.percentile(0.99):.1f} ms"),
        ("  errors", str(load.errors)),
    ]
    width = max(len(label) for label, _ in rows)
    print(f"{'bench.health':<{width}}  value")
    print(f"{'-' * width}  {'-' * 14}")
    for label, value in rows:
        print(f"{label:<{width}}  {value}")


if __name__ == "__main__":
    main()
