"""Claims race for real: many coroutines, and several OS processes, one winner per job."""

from __future__ import annotations

import asyncio
import json
import sys
from collections import Counter
from pathlib import Path

import pytest

from common.clock import SystemClock
from core.ports.jobs import JobStore
from tests.integration.infra.jobs._stores import StoreSpec, close_resource, open_store

ROOT = Path(__file__).resolve().parents[4]


@pytest.mark.parametrize("claimers", [20, 200])
async def test_concurrent_claims_of_one_job_have_one_winner(store: JobStore, claimers: int) -> None:
    job = await store.enqueue("a")
    claims = await asyncio.gather(*(store.claim(job.id, f"w{i}", 30) for i in range(claimers)))
    winners = [claim for claim in claims if claim is not None]
    assert len(winners) == 1
    assert winners[0].job.attempts == 1


@pytest.mark.parametrize("claimers", [20, 200])
async def test_concurrent_claim_next_gives_each_job_to_one_worker(
    store: JobStore, claimers: int
) -> None:
    jobs = {(await store.enqueue("a")).id for _ in range(claimers // 2)}
    claims = await asyncio.gather(*(store.claim_next(f"w{i}", 30) for i in range(claimers)))
    claimed = [claim.job.id for claim in claims if claim is not None]
    assert len(claimed) == len(jobs)
    assert set(claimed) == jobs


@pytest.mark.slow
async def test_processes_claiming_one_queue_take_every_job_once(
    shared_store_specs: list[StoreSpec],
) -> None:
    opened = [open_store(spec, SystemClock()) for spec in shared_store_specs]
    try:
        jobs: set[str] = set()
        for store, _ in opened:
            jobs |= {(await store.enqueue("a")).id for _ in range(40)}
        specs = json.dumps([[spec.kind, spec.url, spec.prefix] for spec in shared_store_specs])
        processes = [
            await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "tests.integration.infra.jobs._claimer",
                f"p{n}",
                specs,
                cwd=ROOT,
                stdout=asyncio.subprocess.PIPE,
            )
            for n in range(3)
        ]
        outputs = await asyncio.wait_for(
            asyncio.gather(*(process.communicate() for process in processes)), 90
        )
        assert [process.returncode for process in processes] == [0, 0, 0]
        claimed = Counter(line for output, _ in outputs for line in output.decode().split())
        assert set(claimed) == jobs
        assert max(claimed.values()) == 1
        for store, _ in opened:
            assert {job.state for job in await store.list(limit=100)} == {"done"}
    finally:
        for _, resource in opened:
            await close_resource(resource)
