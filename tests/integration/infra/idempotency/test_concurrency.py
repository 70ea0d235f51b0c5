"""Claims race for real: many coroutines, and several OS processes, exactly one winner."""

from __future__ import annotations

import asyncio
import sys
from collections import Counter
from pathlib import Path

import pytest

from core.ports.idempotency import ClaimStatus, IdempotencyStore
from tests.conftest import FakeClock
from tests.integration.infra.idempotency._stores import StoreSpec

ROOT = Path(__file__).resolve().parents[4]
PROCESSES = 2


@pytest.mark.parametrize("callers", [20, 100])
async def test_concurrent_claims_of_one_key_have_one_winner(
    store: IdempotencyStore, callers: int
) -> None:
    claims = await asyncio.gather(
        *(store.try_claim("race", "fp", 3600, 60) for _ in range(callers))
    )
    statuses = Counter(claim.status for claim in claims)
    assert statuses == {ClaimStatus.CLAIMED: 1, ClaimStatus.IN_FLIGHT: callers - 1}


async def test_concurrent_takeover_of_a_lapsed_lease_has_one_winner(
    store: IdempotencyStore, clock: FakeClock
) -> None:
    first = await store.try_claim("race", "fp", 3600, 60)
    clock.advance(61)
    claims = await asyncio.gather(*(store.try_claim("race", "fp", 3600, 60) for _ in range(30)))
    winners = [claim.token for claim in claims if claim.status is ClaimStatus.CLAIMED]
    assert len(winners) == 1
    assert winners[0] != first.token


async def test_racing_complete_and_takeover_never_both_succeed(
    store: IdempotencyStore, clock: FakeClock
) -> None:
    for round_ in range(10):
        key = f"k{round_}"
        stale = await store.try_claim(key, "fp", 3600, 60)
        assert stale.token is not None
        clock.advance(61)
        completed, takeover = await asyncio.gather(
            store.complete(key, b"late", token=stale.token),
            store.try_claim(key, "fp", 3600, 60),
        )
        if takeover.status is ClaimStatus.CLAIMED:
            assert not completed
        else:
            assert completed
            assert takeover.status is ClaimStatus.COMPLETED


async def _spawn(spec: StoreSpec, key: str, callers: int) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "tests.integration.infra.idempotency._claimer"),
        *(spec.kind, spec.url, spec.prefix or "-", key, str(callers)),
        cwd=ROOT,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )


@pytest.mark.slow
async def test_processes_racing_for_one_key_have_one_winner(
    shared_store_spec: StoreSpec,
) -> None:
    callers = 15
    processes = [await _spawn(shared_store_spec, "mp-race", callers) for _ in range(PROCESSES)]
    try:
        for process in processes:
            assert process.stdout is not None
            ready = await asyncio.wait_for(process.stdout.readline(), 60)
            assert ready.strip() == b"ready"
        outputs = await asyncio.wait_for(
            asyncio.gather(*(process.communicate(b"go\n") for process in processes)), 60
        )
    finally:
        for process in processes:
            if process.returncode is None:
                process.kill()
                await process.wait()
    assert [process.returncode for process in processes] == [0] * PROCESSES
    statuses = Counter(line for stdout, _ in outputs for line in stdout.decode().split())
    assert statuses == {"claimed": 1, "in_flight": PROCESSES * callers - 1}
