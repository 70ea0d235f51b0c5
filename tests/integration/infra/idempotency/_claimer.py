"""Run as a separate OS process: race for one idempotency key.

    python -m tests.integration.infra.idempotency._claimer KIND URL PREFIX KEY CALLERS

Prints `ready` once connected, waits for a line on stdin (so every process starts racing at
once), then fires CALLERS concurrent claims and prints one status per line.
"""

from __future__ import annotations

import asyncio
import sys

from common.clock import SystemClock
from tests.integration.infra.idempotency._stores import StoreSpec, close_resource, open_store


async def _race(spec: StoreSpec, key: str, callers: int) -> None:
    store, resource = open_store(spec, SystemClock())
    try:
        await store.ping()
        await asyncio.gather(*(store.get(f"warm-{n}") for n in range(min(callers, 10))))
        print("ready", flush=True)
        await asyncio.to_thread(sys.stdin.readline)
        claims = await asyncio.gather(
            *(store.try_claim(key, "fp", 3600, 60) for _ in range(callers))
        )
        for claim in claims:
            print(claim.status.value, flush=True)
    finally:
        await close_resource(resource)


if __name__ == "__main__":
    kind, url, prefix, key, callers = sys.argv[1:6]
    asyncio.run(_race(StoreSpec(kind, url, "" if prefix == "-" else prefix), key, int(callers)))
