"""Many identical requests at once with one key: the handler runs once, on every store."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable

import httpx

from tests.e2e.idempotency.conftest import KEY, Harness

CALLERS = 50


async def _until(condition_met: Callable[[], bool], what: str) -> None:
    deadline = asyncio.get_running_loop().time() + 20
    while not condition_met():
        assert asyncio.get_running_loop().time() < deadline, what
        await asyncio.sleep(0.01)


async def test_concurrent_identical_requests_run_the_handler_once(any_harness: Harness) -> None:
    harness = any_harness

    async def attempt() -> httpx.Response:
        return await harness.client.post("/api/test/gated", headers={KEY: "same-key"})

    tasks = [asyncio.create_task(attempt()) for _ in range(CALLERS)]
    # The winner waits at the gate; every other request must be answered meanwhile.
    await _until(
        lambda: sum(task.done() for task in tasks) == CALLERS - 1,
        "the repeats were not all answered while the first ran",
    )
    early = [task.result() for task in tasks if task.done()]
    assert {response.status_code for response in early} == {409}
    assert all(response.json()["type"].endswith("/idempotency-key-in-flight") for response in early)
    await harness.client.post("/api/test/gate")
    responses = await asyncio.gather(*tasks)
    assert Counter(response.status_code for response in responses) == {409: CALLERS - 1, 201: 1}
    (winner,) = (response for response in responses if response.status_code == 201)

    replays = await asyncio.gather(*(attempt() for _ in range(CALLERS)))
    assert {response.status_code for response in replays} == {201}
    assert {response.headers["idempotent-replayed"] for response in replays} == {"true"}
    assert {response.content for response in replays} == {winner.content}
    assert await harness.effects() == 1
