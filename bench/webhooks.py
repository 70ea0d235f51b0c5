"""Stripe webhook ingestion under a duplicate flood: `uv run python -m bench.webhooks`.

Starts `bulkhead run --no-worker` (zero config: SQLite in a fresh temp DATA_DIR; or the
PostgreSQL of `--database-url`) on a free loopback port, then:

1. baseline: unique signed `invoice.paid` events, as fast as `--concurrency` workers go;
2. flood: the same, while every second a new event is delivered `--flood-rate` times
   (spread over the second), as Stripe's retries and a replaying attacker would.

It counts non-200 answers (errors), events applied more than once (a "received" without
"duplicate" twice for one event id, or more payment rows than events), and checks the
database afterwards: one payment row and one receipt job per distinct event. The load
generator shares the 2 cores with the server, so figures are a floor.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx
from stripe import WebhookSignature

from bench.health import _free_port, _stop, _wait_ready
from core.settings import Settings

SECRET = "whsec_bench_webhooks"
RECEIPT_JOB = "event.payment.received.billing_receipt"


@dataclass
class Tally:
    sent: int = 0
    errors: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    first_time: Counter[str] = field(default_factory=Counter)
    """Per event id, how many answers said "received" without "duplicate"."""

    def p(self, q: float) -> float:
        ordered = sorted(self.latencies_ms) or [0.0]
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _event(event_id: str, invoice_id: str, account: str) -> bytes:
    metadata = {"account_type": "user", "account_id": account, "plan": "pro"}
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "created": int(time.time()),
            "type": "invoice.paid",
            "data": {
                "object": {
                    "id": invoice_id,
                    "object": "invoice",
                    "customer": f"cus_{account}",
                    "currency": "usd",
                    "amount_paid": 1900,
                    "status_transitions": {"paid_at": int(time.time())},
                    "parent": {"subscription_details": {"metadata": metadata}},
                }
            },
        }
    ).encode()


async def _deliver(client: httpx.AsyncClient, event_id: str, payload: bytes, tally: Tally) -> None:
    signature = WebhookSignature.generate_signature_header(
        payload.decode(), SECRET, int(time.time())
    )
    sent = time.perf_counter()
    tally.sent += 1
    try:
        response = await client.post(
            "/webhooks/stripe", content=payload, headers={"Stripe-Signature": signature}
        )
    except httpx.HTTPError:
        tally.errors += 1
        return
    tally.latencies_ms.append((time.perf_counter() - sent) * 1000)
    if response.status_code != 200:
        tally.errors += 1
        return
    if not response.json().get("duplicate"):
        tally.first_time[event_id] += 1


async def _unique_stream(
    client: httpx.AsyncClient, tag: str, concurrency: int, until: float, tally: Tally
) -> None:
    counter = 0

    async def worker() -> None:
        nonlocal counter
        while time.perf_counter() < until:
            counter += 1
            index = counter
            await _deliver(
                client,
                f"evt_{tag}_{index}",
                _event(f"evt_{tag}_{index}", f"in_{tag}_{index}", f"u{index % 50}"),
                tally,
            )

    await asyncio.gather(*(worker() for _ in range(concurrency)))


async def _flood(client: httpx.AsyncClient, seconds: int, rate: int, tally: Tally) -> None:
    tasks: list[asyncio.Task[None]] = []
    start = time.perf_counter()
    for second in range(seconds):
        event_id = f"evt_flood_{second}"
        payload = _event(event_id, f"in_flood_{second}", "flooded")
        for copy in range(rate):
            # Pace the copies evenly over the second (open loop: never waits for answers).
            delay = start + second + copy / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(_deliver(client, event_id, payload, tally)))
    await asyncio.gather(*tasks)


async def _run(base_url: str, seconds: int, rate: int, concurrency: int) -> dict[str, Tally]:
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=200)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60.0) as client:
        baseline = Tally()
        await _unique_stream(client, "base", concurrency, time.perf_counter() + seconds, baseline)
        unique, flood = Tally(), Tally()
        started = time.perf_counter()
        await asyncio.gather(
            _unique_stream(client, "live", concurrency, started + seconds, unique),
            _flood(client, seconds, rate, flood),
        )
    return {"baseline": baseline, "unique": unique, "flood": flood}


async def _counts(database_url: str | None, data_dir: Path) -> tuple[int, int, int]:
    """Payment rows, distinct invoices among them, receipt jobs."""
    queries = (
        "SELECT count(*) FROM billing_payments",
        "SELECT count(DISTINCT stripe_invoice_id) FROM billing_payments",
        f"SELECT count(*) FROM jobs WHERE name = '{RECEIPT_JOB}'",
    )
    if database_url is None:
        with sqlite3.connect(data_dir / "bulkhead.db") as connection:
            rows = [connection.execute(query).fetchone()[0] for query in queries]
        return rows[0], rows[1], rows[2]
    connection = await asyncpg.connect(database_url.replace("+asyncpg", ""))
    try:
        rows = [await connection.fetchval(query) for query in queries]
    finally:
        await connection.close()
    return rows[0], rows[1], rows[2]


def _environment(data_dir: Path, database_url: str | None) -> dict[str, str]:
    fields = {name.upper() for name in Settings.__struct_fields__}
    env = {key: value for key, value in os.environ.items() if key not in fields}
    env.update(DATA_DIR=str(data_dir), STRIPE_WEBHOOK_SECRET=SECRET, LOG_LEVEL="WARNING")
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--flood-rate", type=int, default=100, help="identical copies per second")
    parser.add_argument("--concurrency", type=int, default=8, help="unique-event workers")
    parser.add_argument("--database-url", default=None, help="PostgreSQL (default: SQLite)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bulkhead-bench-") as tmp:
        data_dir = Path(tmp) / "var"
        data_dir.mkdir()
        port = _free_port()
        base_url = f"http://127.0.0.1:{port}"
        bulkhead = Path(sys.executable).parent / "bulkhead"
        server = subprocess.Popen(
            [str(bulkhead), "run", "--no-worker", "--host", "127.0.0.1", "--port", str(port)],
            cwd=tmp,
            env=_environment(data_dir, args.database_url),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_ready(server, base_url, time.perf_counter())
            tallies = asyncio.run(_run(base_url, args.seconds, args.flood_rate, args.concurrency))
        finally:
            _stop(server)
        rows, distinct, receipts = asyncio.run(_counts(args.database_url, data_dir))

    applied = sum(len(t.first_time) for t in tallies.values())
    applied_twice = sum(1 for t in tallies.values() for count in t.first_time.values() if count > 1)
    backend = "postgres" if args.database_url else "sqlite"
    print(f"\nbench.webhooks  backend={backend}  {args.seconds}s per phase")
    header = ("sent", "errors", "err %", "events/s", "p50 ms", "p99 ms")
    print(f"{'phase':34} " + " ".join(f"{name:>8}" for name in header))
    for name, label in (
        ("baseline", "unique events, no flood"),
        ("unique", "unique events, during flood"),
        ("flood", f"flood ({args.flood_rate} identical/s)"),
    ):
        tally = tallies[name]
        rate = len(tally.first_time) / args.seconds
        error_rate = 100 * tally.errors / max(tally.sent, 1)
        print(
            f"{label:34} {tally.sent:8d} {tally.errors:8d} {error_rate:8.2f} {rate:8.1f} "
            f"{tally.p(0.5):8.1f} {tally.p(0.99):8.1f}"
        )
    print(
        f"\nevents applied: {applied}   applied twice: {applied_twice}   "
        f"payment rows: {rows} (distinct invoices {distinct})   receipt jobs: {receipts}"
    )
    duplicates = applied_twice + (rows - distinct) + max(0, receipts - rows)
    print(f"duplicates: {duplicates}   missing: {max(0, applied - rows)}   (target 0 and 0)")


if __name__ == "__main__":
    main()
