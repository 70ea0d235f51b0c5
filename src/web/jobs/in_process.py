"""The in-process worker: `bulkhead run` in dev serves the API and runs jobs in one process."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from web.jobs.runtime import JobRuntime

__all__ = ["in_process_worker"]


@asynccontextmanager
async def in_process_worker(runtime: JobRuntime, *, enabled: bool) -> AsyncIterator[None]:
    """Run a worker for the lifetime of the block; on exit it drains like on SIGTERM."""
    if not enabled:
        yield
        return
    stop = asyncio.Event()
    task = asyncio.create_task(runtime.worker().run(stop))
    try:
        yield
    finally:
        stop.set()
        await task
