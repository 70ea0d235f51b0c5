"""Run as a separate OS process: claim and complete jobs until every queue is empty.

    python -m tests.integration.infra.jobs._claimer WORKER_ID SPECS_JSON

SPECS_JSON is a list of [kind, url, prefix]. Prints one claimed job id per line.
"""

from __future__ import annotations

import asyncio
import json
import sys

from common.clock import SystemClock
from tests.integration.infra.jobs._stores import StoreSpec, close_resource, open_store


async def _drain(spec: StoreSpec, worker_id: str) -> None:
    store, resource = open_store(spec, SystemClock())
    try:
        idle = 0
        while idle < 3:
            claim = await store.claim_next(worker_id, 30)
            if claim is None:
                idle += 1
                continue
            idle = 0
            print(claim.job.id, flush=True)
            assert await store.complete(claim.job.id, claim.token)
    finally:
        await close_resource(resource)


async def _main(worker_id: str, specs: list[StoreSpec]) -> None:
    await asyncio.gather(*(_drain(spec, worker_id) for spec in specs))


if __name__ == "__main__":
    specs = [StoreSpec(*fields) for fields in json.loads(sys.argv[2])]
    asyncio.run(_main(sys.argv[1], specs))
