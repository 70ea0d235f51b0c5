"""LLMClient.stream: counted as it flows, cut where the budget ends, settled however it ends."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator

import pytest

from ai import (
    BudgetExceededError,
    GatewayConfig,
    JobBudget,
    JobBudgetExceededError,
    LLMUnavailableError,
)
from ai._stream import LLMStream
from ai._tokens import estimate_prompt_tokens
from core.ports.llm import LLMChunk, LLMRequest
from infra.llm import FakeBehaviour
from policies.budgets import BudgetLimits
from tests.unit.ai.conftest import PROMPT, MakeRig, Rig

PROMPT_ESTIMATE = estimate_prompt_tokens(PROMPT)


async def open_stream(rig: Rig, max_tokens: int = 64, **extra: object) -> LLMStream:
    return await rig.client.stream(
        user_id="u1",
        feature="chat",
        messages=PROMPT,
        max_tokens=max_tokens,
        **extra,  # type: ignore[arg-type]
    )


async def collect(stream: LLMStream, pieces: list[str]) -> None:
    async for piece in stream:
        pieces.append(piece)


async def drain(stream: LLMStream) -> list[str]:
    pieces: list[str] = []
    try:
        async for piece in stream:
            pieces.append(piece)
    finally:
        await stream.aclose()
    return pieces


def limits(hourly: int) -> BudgetLimits:
    return BudgetLimits(user_hourly_tokens=hourly, user_daily_tokens=100_000, org_daily_tokens=1)


async def test_a_stream_is_settled_with_the_providers_count(rig: Rig) -> None:
    stream = await open_stream(rig)

    pieces = await drain(stream)

    assert len(pieces) == 48
    assert stream.result is not None
    assert stream.result.text == "".join(pieces)
    assert stream.result.usage.output_tokens == 48
    assert await rig.used_and_reserved() == (stream.result.usage.total_tokens, 0)
    assert rig.ledger.records[0].outcome == "ok"


async def test_a_stream_stops_where_the_budget_ends(make_rig: MakeRig) -> None:
    rig = make_rig(limits=limits(PROMPT_ESTIMATE + 20))
    stream = await open_stream(rig, max_tokens=64)
    assert stream.plan.budget_limited
    assert rig.provider.requests[0].max_tokens == 20
    pieces: list[str] = []

    with pytest.raises(BudgetExceededError) as ran_out:
        await collect(stream, pieces)
    await stream.aclose()

    assert len(pieces) == 20
    assert ran_out.value.scope == "user"
    assert ran_out.value.retry_after == 3600
    used, reserved = await rig.used_and_reserved()
    assert used <= PROMPT_ESTIMATE + 20
    assert reserved == 0


async def test_a_provider_that_overruns_is_cut(rig: Rig) -> None:
    rig.provider.behaviour = FakeBehaviour(overrun=True, reply_tokens=40)
    stream = await open_stream(rig, max_tokens=10)
    pieces: list[str] = []

    with pytest.raises(BudgetExceededError):
        await collect(stream, pieces)
    await stream.aclose()

    assert len(pieces) == 10
    assert stream.result is not None
    assert stream.result.charged_tokens <= PROMPT_ESTIMATE + 10
    assert rig.ledger.records[0].outcome == "cut"


async def test_a_stream_that_cannot_even_start_is_refused(make_rig: MakeRig) -> None:
    rig = make_rig(limits=limits(PROMPT_ESTIMATE + 5))

    with pytest.raises(BudgetExceededError):
        await open_stream(rig)

    assert rig.provider.calls == 0


async def test_a_consumer_that_leaves_settles_what_it_used(rig: Rig) -> None:
    stream = await open_stream(rig)
    pieces = [await anext(stream) for _ in range(5)]

    await stream.aclose()

    assert len(pieces) == 5
    assert stream.result is not None
    assert stream.result.charged_tokens == PROMPT_ESTIMATE + 5
    assert await rig.used_and_reserved() == (PROMPT_ESTIMATE + 5, 0)
    assert rig.ledger.records[0].outcome == "cancelled"


async def test_a_stream_never_iterated_still_settles_on_close(rig: Rig) -> None:
    stream = await open_stream(rig)

    await stream.aclose()
    await stream.aclose()

    assert await rig.used_and_reserved() == (PROMPT_ESTIMATE, 0)


async def test_a_cancelled_consumer_settles_what_it_used(rig: Rig) -> None:
    gate = asyncio.Event()

    async def slow(seconds: float) -> None:
        await gate.wait()

    rig.provider.sleep = slow
    rig.provider.behaviour = FakeBehaviour(chunk_delay_seconds=1)
    stream = await open_stream(rig)
    received: list[str] = []
    first = asyncio.Event()

    async def consume() -> None:
        async for piece in stream:
            received.append(piece)
            first.set()

    task = asyncio.create_task(consume())
    await first.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    assert received == [received[0]]
    assert await rig.used_and_reserved() == (PROMPT_ESTIMATE + 1, 0)
    assert rig.ledger.records[0].outcome == "cancelled"


async def test_a_broken_stream_ends_with_an_error_and_is_settled(rig: Rig) -> None:
    rig.provider.behaviour = FakeBehaviour(break_stream_after=3)
    stream = await open_stream(rig)
    pieces: list[str] = []

    with pytest.raises(LLMUnavailableError):
        await collect(stream, pieces)

    assert len(pieces) == 3
    assert await rig.used_and_reserved() == (PROMPT_ESTIMATE + 3, 0)
    assert rig.ledger.records[0].outcome == "error"


async def test_a_stalled_stream_times_out(make_rig: MakeRig) -> None:
    rig = make_rig(config=GatewayConfig(call_timeout_seconds=0.05))

    async def stall(seconds: float) -> None:
        await asyncio.Event().wait()

    rig.provider.sleep = stall
    rig.provider.behaviour = FakeBehaviour(chunk_delay_seconds=1)
    stream = await open_stream(rig)

    with pytest.raises(LLMUnavailableError) as stalled:
        await drain(stream)

    assert stalled.value.slug == "llm-timeout"
    assert rig.ledger.records[0].outcome == "timeout"


async def test_a_stream_retries_until_its_first_chunk(rig: Rig) -> None:
    rig.provider.behaviour = FakeBehaviour(fail_next=1, failure="rate_limit", retry_after=2)

    pieces = await drain(await open_stream(rig))

    assert rig.sleeps == [2]
    assert len(pieces) == 48


async def test_a_stream_that_never_opens_frees_its_hold(make_rig: MakeRig) -> None:
    rig = make_rig(config=GatewayConfig(max_attempts=2))
    rig.provider.behaviour = FakeBehaviour(fail_next=2, failure="server_error")

    with pytest.raises(LLMUnavailableError):
        await open_stream(rig)

    assert await rig.used_and_reserved() == (0, 0)


async def test_a_stream_that_crosses_the_job_budget_fails_the_job(rig: Rig) -> None:
    job = JobBudget(job_id="j1", limit_tokens=PROMPT_ESTIMATE + 20, expires_at=rig.clock.now())
    stream = await open_stream(rig, job=job)

    with pytest.raises(JobBudgetExceededError) as crossed:
        await drain(stream)

    assert crossed.value.reason == "budget_exceeded"
    assert 0 < await rig.client.check_job_budget(job) < PROMPT_ESTIMATE
    with pytest.raises(JobBudgetExceededError):
        await open_stream(rig, job=job)
    assert rig.provider.calls == 1


async def test_chunks_without_a_count_are_estimated(rig: Rig) -> None:
    async def uncounted(request: LLMRequest) -> AsyncGenerator[LLMChunk, None]:
        rig.provider.calls += 1
        yield LLMChunk(text="abcdef")
        yield LLMChunk(text="ghi", finish_reason="stop")

    rig.provider.stream = uncounted  # type: ignore[method-assign]
    stream = await open_stream(rig)

    assert await drain(stream) == ["abcdef", "ghi"]
    assert stream.model == "fake-1"
    assert stream.result is not None
    assert stream.result.usage.output_tokens == 3
    assert stream.result.finish_reason == "stop"


async def test_a_stream_may_not_run_forever(make_rig: MakeRig) -> None:
    rig = make_rig(config=GatewayConfig(stream_max_seconds=5))

    async def slow(seconds: float) -> None:
        rig.clock.advance(3)

    rig.provider.sleep = slow
    rig.provider.behaviour = FakeBehaviour(chunk_delay_seconds=1)
    stream = await open_stream(rig)
    pieces: list[str] = []

    with pytest.raises(LLMUnavailableError) as too_long:
        await collect(stream, pieces)

    assert too_long.value.slug == "llm-timeout"
    assert len(pieces) == 3  # at 0 s, 3 s and 6 s: the next wait would start past 5 s


async def test_a_budget_cut_names_a_window_even_if_usage_cannot_be_read(
    make_rig: MakeRig,
) -> None:
    rig = make_rig(limits=limits(PROMPT_ESTIMATE + 20))
    stream = await open_stream(rig)

    async def unreadable(windows: object) -> object:
        raise ConnectionError("gone")

    rig.budgets.usage = unreadable  # type: ignore[method-assign]

    with pytest.raises(BudgetExceededError) as ran_out:
        await drain(stream)

    assert ran_out.value.scope == "user"
    assert ran_out.value.retry_after == 24 * 3600
