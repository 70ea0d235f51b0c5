"""The Anthropic adapter against a local server speaking the messages wire format."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

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
from infra.llm import AnthropicProvider
from infra.llm.anthropic import ANTHROPIC_VERSION
from tests.conftest import FakeClock
from tests.integration.infra.llm._wire import Reply, WireServer, sse

Wire = tuple[WireServer, str]
MESSAGES = (
    ChatMessage(role="system", content="Be brief."),
    ChatMessage(role="system", content="Be kind."),
    ChatMessage(role="user", content="Hello"),
    ChatMessage(role="assistant", content="Hi"),
    ChatMessage(role="user", content="How are you?"),
)


def request(**overrides: object) -> LLMRequest:
    values: dict[str, object] = {
        "model": "claude-3-5-haiku-latest",
        "messages": MESSAGES,
        "max_tokens": 64,
        "timeout_seconds": 5.0,
        **overrides,
    }
    return LLMRequest(**values)  # type: ignore[arg-type]


def message(stop_reason: str = "end_turn") -> dict[str, object]:
    return {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "claude-3-5-haiku-20241022",
        "content": [{"type": "text", "text": "Fine, "}, {"type": "text", "text": "thanks."}],
        "stop_reason": stop_reason,
        "usage": {"input_tokens": 21, "output_tokens": 4},
    }


def stream_events(stop_reason: str = "end_turn") -> list[str]:
    return [
        sse(
            {
                "type": "message_start",
                "message": {"usage": {"input_tokens": 21, "output_tokens": 1}},
            },
            "message_start",
        ),
        sse(
            {
                "type": "content_block_start",
                "index": 0,
                "content_block": {"type": "text", "text": ""},
            },
            "content_block_start",
        ),
        sse({"type": "ping"}, "ping"),
        sse(
            {
                "type": "content_block_delta",
                "index": 0,
                "delta": {"type": "text_delta", "text": "Fine"},
            },
            "content_block_delta",
        ),
        sse(
            {
                "type": "content_block_delta",
                "index": 0,
                "delta": {"type": "text_delta", "text": ", thanks."},
            },
            "content_block_delta",
        ),
        sse({"type": "content_block_stop", "index": 0}, "content_block_stop"),
        sse(
            {
                "type": "message_delta",
                "delta": {"stop_reason": stop_reason},
                "usage": {"output_tokens": 4},
            },
            "message_delta",
        ),
        sse({"type": "message_stop"}, "message_stop"),
    ]


@pytest.fixture
async def provider(wire: Wire, clock: FakeClock) -> AsyncIterator[AnthropicProvider]:
    adapter = AnthropicProvider("sk-ant-test", clock=clock, base_url=wire[1])
    yield adapter
    await adapter.aclose()


async def collect(chunks: AsyncIterator[LLMChunk]) -> list[LLMChunk]:
    return [chunk async for chunk in chunks]


async def test_a_message_goes_out_and_comes_back_on_the_wire_format(
    wire: Wire, provider: AnthropicProvider
) -> None:
    server, _ = wire
    server.replies.append(Reply(body=message("max_tokens")))

    result = await provider.complete(request(temperature=0.5))

    assert result.text == "Fine, thanks."
    assert result.usage == LLMUsage(input_tokens=21, output_tokens=4)
    assert result.finish_reason == "length"
    sent = server.requests[0]
    assert (sent.method, sent.path) == ("POST", "/v1/messages")
    assert sent.headers["x-api-key"] == "sk-ant-test"
    assert sent.headers["anthropic-version"] == ANTHROPIC_VERSION
    assert sent.body == {
        "model": "claude-3-5-haiku-latest",
        "max_tokens": 64,
        "system": "Be brief.\n\nBe kind.",
        "messages": [
            {"role": "user", "content": "Hello"},
            {"role": "assistant", "content": "Hi"},
            {"role": "user", "content": "How are you?"},
        ],
        "stream": False,
        "temperature": 0.5,
    }


async def test_a_stream_yields_deltas_then_the_real_usage(
    wire: Wire, provider: AnthropicProvider
) -> None:
    server, _ = wire
    server.replies.append(Reply(events=stream_events("max_tokens")))

    chunks = await collect(provider.stream(request()))

    assert [c.text for c in chunks if c.text] == ["Fine", ", thanks."]
    assert chunks[-1].usage == LLMUsage(input_tokens=21, output_tokens=4)
    assert chunks[-1].finish_reason == "length"
    assert server.requests[0].body["stream"] is True


async def test_an_error_event_mid_stream_is_retryable(
    wire: Wire, provider: AnthropicProvider
) -> None:
    failure = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
    wire[0].replies.append(Reply(events=[*stream_events()[:4], sse(failure, "error")]))
    received: list[LLMChunk] = []

    async def consume() -> None:
        async for chunk in provider.stream(request()):
            received.append(chunk)

    with pytest.raises(LLMServerError, match="overloaded_error"):
        await consume()

    assert [c.text for c in received] == ["Fine"]


async def test_a_rate_limit_event_mid_stream_is_a_rate_limit(
    wire: Wire, provider: AnthropicProvider
) -> None:
    wire[0].replies.append(
        Reply(events=[sse({"type": "error", "error": {"type": "rate_limit_error"}}, "error")])
    )

    with pytest.raises(LLMRateLimitError):
        await collect(provider.stream(request()))


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        (Reply(status=429, body={}, headers={"retry-after": "4"}), LLMRateLimitError),
        (
            Reply(status=529, body={"type": "error", "error": {"type": "overloaded_error"}}),
            LLMServerError,
        ),
        (
            Reply(status=400, body={"type": "error", "error": {"type": "invalid_request_error"}}),
            LLMRequestError,
        ),
    ],
)
async def test_http_failures_are_typed(
    wire: Wire, provider: AnthropicProvider, reply: Reply, error: type[Exception]
) -> None:
    wire[0].replies.extend([reply, reply])

    with pytest.raises(error):
        await provider.complete(request())
    with pytest.raises(error):
        await collect(provider.stream(request()))


async def test_a_silent_server_times_out(wire: Wire, provider: AnthropicProvider) -> None:
    wire[0].replies.append(Reply(hang=True))

    with pytest.raises(LLMTimeoutError):
        await provider.complete(request(timeout_seconds=0.2))


async def test_a_stalled_stream_times_out(wire: Wire, provider: AnthropicProvider) -> None:
    wire[0].replies.append(Reply(events=stream_events(), stall_after=4))

    with pytest.raises(LLMTimeoutError):
        await collect(provider.stream(request(timeout_seconds=0.2)))


async def test_an_unreachable_server_is_a_server_error(clock: FakeClock) -> None:
    adapter = AnthropicProvider("sk", clock=clock, base_url="http://127.0.0.1:9")
    try:
        with pytest.raises(LLMServerError):
            await adapter.complete(request())
        with pytest.raises(LLMServerError):
            await collect(adapter.stream(request()))
    finally:
        await adapter.aclose()


async def test_ping_lists_models(wire: Wire, provider: AnthropicProvider) -> None:
    wire[0].replies.extend([Reply(body={"data": []}), Reply(status=500, body={})])

    await provider.ping()
    with pytest.raises(LLMServerError):
        await provider.ping()
    assert wire[0].requests[0].path == "/v1/models"
