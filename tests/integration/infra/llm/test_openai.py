"""The OpenAI adapter against a local server speaking the chat completions wire format."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from ai import GatewayConfig, LLMClient, StaticBudgetLimits
from core.ports.llm import (
    ChatMessage,
    LLMChunk,
    LLMRateLimitError,
    LLMRequest,
    LLMRequestError,
    LLMServerError,
    LLMTimeoutError,
    LLMUsage,
)
from infra.budget import MemoryBudgetStore
from infra.llm import MemoryLLMUsageLedger, OpenAIProvider
from policies.budgets import BudgetLimits
from tests.conftest import FakeClock
from tests.integration.infra.llm._wire import Reply, WireServer, sse

Wire = tuple[WireServer, str]
MESSAGES = (
    ChatMessage(role="system", content="Be brief."),
    ChatMessage(role="user", content="Hello"),
)


def request(**overrides: object) -> LLMRequest:
    values: dict[str, object] = {
        "model": "gpt-4o-mini",
        "messages": MESSAGES,
        "max_tokens": 50,
        "timeout_seconds": 5.0,
        **overrides,
    }
    return LLMRequest(**values)  # type: ignore[arg-type]


def completion(text: str = "Hi there", finish: str = "stop") -> dict[str, object]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "model": "gpt-4o-mini-2024-07-18",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": finish,
            }
        ],
        "usage": {"prompt_tokens": 12, "completion_tokens": 3, "total_tokens": 15},
    }


@pytest.fixture
async def provider(wire: Wire, clock: FakeClock) -> AsyncIterator[OpenAIProvider]:
    adapter = OpenAIProvider("sk-test", clock=clock, base_url=wire[1])
    yield adapter
    await adapter.aclose()


async def collect(chunks: AsyncIterator[LLMChunk]) -> list[LLMChunk]:
    return [chunk async for chunk in chunks]


async def test_a_completion_goes_out_and_comes_back_on_the_wire_format(
    wire: Wire, provider: OpenAIProvider
) -> None:
    server, _ = wire
    server.replies.append(Reply(body=completion(finish="length")))

    result = await provider.complete(request(temperature=0.3))

    assert result.text == "Hi there"
    assert result.usage == LLMUsage(input_tokens=12, output_tokens=3)
    assert result.finish_reason == "length"
    assert result.model == "gpt-4o-mini-2024-07-18"
    sent = server.requests[0]
    assert (sent.method, sent.path) == ("POST", "/chat/completions")
    assert sent.headers["authorization"] == "Bearer sk-test"
    assert sent.body == {
        "model": "gpt-4o-mini",
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Hello"},
        ],
        "max_completion_tokens": 50,
        "stream": False,
        "temperature": 0.3,
    }


async def test_json_mode_asks_for_a_json_object(wire: Wire, provider: OpenAIProvider) -> None:
    server, _ = wire
    server.replies.append(Reply(body=completion('{"ok": true}')))

    await provider.complete(request(response_format="json"))

    assert server.requests[0].body["response_format"] == {"type": "json_object"}


async def test_a_stream_yields_deltas_then_the_real_usage(
    wire: Wire, provider: OpenAIProvider
) -> None:
    server, _ = wire
    delta = {"choices": [{"index": 0, "delta": {"content": "Hel"}, "finish_reason": None}]}
    delta2 = {"choices": [{"index": 0, "delta": {"content": "lo"}, "finish_reason": None}]}
    done = {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
    usage = {"choices": [], "usage": {"prompt_tokens": 7, "completion_tokens": 2}}
    server.replies.append(
        Reply(
            events=[
                sse({"choices": [{"index": 0, "delta": {"role": "assistant"}}]}),
                sse(delta),
                ": keep-alive comment",
                sse(delta2),
                sse(done),
                sse(usage),
                sse("[DONE]"),
            ]
        )
    )

    chunks = await collect(provider.stream(request()))

    assert [c.text for c in chunks if c.text] == ["Hel", "lo"]
    assert [c.finish_reason for c in chunks if c.finish_reason] == ["stop"]
    assert chunks[-1].usage == LLMUsage(input_tokens=7, output_tokens=2)
    body = server.requests[0].body
    assert body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}


@pytest.mark.parametrize(
    ("reply", "error", "retry_after"),
    [
        (
            Reply(status=429, body={"error": {}}, headers={"retry-after-ms": "1500"}),
            LLMRateLimitError,
            1.5,
        ),
        (
            Reply(status=429, body={"error": {}}, headers={"retry-after": "7"}),
            LLMRateLimitError,
            7.0,
        ),
        (Reply(status=503, body={"error": {}}, headers={"retry-after": "2"}), LLMServerError, 2.0),
        (Reply(status=500, body={"error": {}}), LLMServerError, None),
        (Reply(status=408, body={"error": {}}), LLMServerError, None),
    ],
)
async def test_retryable_failures_are_typed_with_their_retry_after(
    wire: Wire,
    provider: OpenAIProvider,
    reply: Reply,
    error: type[Exception],
    retry_after: float | None,
) -> None:
    wire[0].replies.append(reply)

    with pytest.raises(error) as failed:
        await provider.complete(request())

    assert failed.value.retryable  # type: ignore[attr-defined]
    assert failed.value.retry_after == retry_after  # type: ignore[attr-defined]


async def test_retry_after_as_an_http_date(
    wire: Wire, provider: OpenAIProvider, clock: FakeClock
) -> None:
    when = format_datetime(clock.now() + timedelta(seconds=30), usegmt=True)
    wire[0].replies.append(Reply(status=429, body={}, headers={"retry-after": when}))

    with pytest.raises(LLMRateLimitError) as failed:
        await provider.complete(request())

    assert failed.value.retry_after == 30.0


@pytest.mark.parametrize(
    "reply",
    [
        Reply(status=400, body={"error": {"message": "context too long"}}),
        Reply(status=401, body={"error": {"message": "bad key"}}),
        Reply(status=429, body={"error": {"code": "insufficient_quota"}}),
    ],
)
async def test_refusals_are_not_retryable(
    wire: Wire, provider: OpenAIProvider, reply: Reply
) -> None:
    wire[0].replies.append(reply)

    with pytest.raises(LLMRequestError) as failed:
        await provider.complete(request())

    assert not failed.value.retryable
    assert failed.value.status == reply.status


async def test_a_silent_server_times_out(wire: Wire, provider: OpenAIProvider) -> None:
    wire[0].replies.append(Reply(hang=True))

    with pytest.raises(LLMTimeoutError):
        await provider.complete(request(timeout_seconds=0.2))


async def test_a_stalled_stream_times_out(wire: Wire, provider: OpenAIProvider) -> None:
    delta = {"choices": [{"index": 0, "delta": {"content": "a"}}]}
    wire[0].replies.append(Reply(events=[sse(delta), sse(delta)], stall_after=1))

    with pytest.raises(LLMTimeoutError):
        await collect(provider.stream(request(timeout_seconds=0.2)))


async def test_a_stream_refused_up_front_is_typed(wire: Wire, provider: OpenAIProvider) -> None:
    wire[0].replies.append(Reply(status=503, body={"error": {"message": "overloaded"}}))

    with pytest.raises(LLMServerError) as failed:
        await collect(provider.stream(request()))

    assert failed.value.status == 503


async def test_garbage_is_a_server_error(wire: Wire, provider: OpenAIProvider) -> None:
    wire[0].replies.append(Reply(body=b"<html>gateway</html>"))
    with pytest.raises(LLMServerError):
        await provider.complete(request())
    wire[0].replies.append(Reply(body={"choices": [], "usage": {}}))
    with pytest.raises(LLMServerError):
        await provider.complete(request())


async def test_an_unreachable_server_is_a_server_error(clock: FakeClock) -> None:
    adapter = OpenAIProvider("sk", clock=clock, base_url="http://127.0.0.1:9")
    try:
        with pytest.raises(LLMServerError):
            await adapter.complete(request())
        with pytest.raises(LLMServerError):
            await collect(adapter.stream(request()))
    finally:
        await adapter.aclose()


async def test_ping_lists_models(wire: Wire, provider: OpenAIProvider) -> None:
    wire[0].replies.append(Reply(body={"data": []}))
    await provider.ping()
    wire[0].replies.append(Reply(status=401, body={}))
    with pytest.raises(LLMRequestError):
        await provider.ping()
    assert wire[0].requests[0].path == "/models"


async def test_the_gateway_retries_a_429_from_the_wire(
    wire: Wire, provider: OpenAIProvider, clock: FakeClock
) -> None:
    wire[0].replies.extend(
        [Reply(status=429, body={}, headers={"retry-after": "3"}), Reply(body=completion())]
    )
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.advance(seconds)

    client = LLMClient(
        provider=provider,
        budgets=MemoryBudgetStore(clock),
        ledger=MemoryLLMUsageLedger(),
        limits=StaticBudgetLimits(
            BudgetLimits(user_hourly_tokens=5000, user_daily_tokens=5000, org_daily_tokens=None)
        ),
        clock=clock,
        config=GatewayConfig(),
        sleep=sleep,
    )

    result = await client.complete(user_id="u", feature="chat", messages=MESSAGES, max_tokens=50)

    assert result.text == "Hi there"
    assert result.cost_micro_usd > 0
    assert slept == [3]
    assert len(wire[0].requests) == 2
    assert clock.now() > datetime(2026, 1, 1, tzinfo=UTC)
