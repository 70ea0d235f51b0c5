"""The fake model: deterministic, honest token counts, and failures on demand."""

from __future__ import annotations

import pytest

from core.ports.llm import (
    ChatMessage,
    LLMRateLimitError,
    LLMRequest,
    LLMServerError,
    LLMTimeoutError,
)
from infra.llm import FakeBehaviour, FakeLLMProvider
from infra.llm.fake import count_tokens


def request(content: str = "Hello, world!", **overrides: object) -> LLMRequest:
    values: dict[str, object] = {
        "model": "fake-1",
        "messages": (ChatMessage(role="user", content=content),),
        "max_tokens": 10,
        "timeout_seconds": 1.0,
        **overrides,
    }
    return LLMRequest(**values)  # type: ignore[arg-type]


def test_a_token_is_a_word_or_a_mark() -> None:
    assert count_tokens("Hello, world!") == 4
    assert count_tokens("") == 0


async def test_usage_counts_what_was_sent_and_said() -> None:
    fake = FakeLLMProvider()

    result = await fake.complete(request(max_tokens=100))

    assert result.usage.input_tokens == 3 + 3 + 4
    assert result.usage.output_tokens == 48 == count_tokens(result.text)
    assert result.finish_reason == "stop"
    assert (await fake.complete(request(max_tokens=5))).finish_reason == "length"


async def test_a_stream_says_the_same_as_a_completion() -> None:
    fake = FakeLLMProvider()
    whole = await fake.complete(request())

    chunks = [chunk async for chunk in fake.stream(request())]

    assert "".join(c.text for c in chunks) == whole.text
    assert chunks[-1].usage == whole.usage
    assert all(c.output_tokens == 1 for c in chunks if c.text)


async def test_json_mode_answers_with_the_prompts_example_cut_at_max_tokens() -> None:
    fake = FakeLLMProvider()
    prompt = 'Answer like this:\n```json\n{"a": [1, 2, 3]}\n```'

    whole = await fake.complete(request(prompt, response_format="json", max_tokens=100))
    cut = await fake.complete(request(prompt, response_format="json", max_tokens=4))
    nothing = await fake.complete(request("no example", response_format="json"))

    assert whole.text == '{"a": [1, 2, 3]}'
    assert cut.text == '{"a"'
    assert cut.finish_reason == "length"
    assert nothing.text == "{}"


@pytest.mark.parametrize(
    ("failure", "error"),
    [
        ("rate_limit", LLMRateLimitError),
        ("server_error", LLMServerError),
        ("timeout", LLMTimeoutError),
    ],
)
async def test_it_fails_on_demand_then_recovers(failure: str, error: type[Exception]) -> None:
    fake = FakeLLMProvider(
        behaviour=FakeBehaviour(fail_next=1, failure=failure, retry_after=2.5)  # type: ignore[arg-type]
    )

    with pytest.raises(error) as failed:
        await fake.complete(request())
    await fake.complete(request())

    assert getattr(failed.value, "retry_after", 2.5) == 2.5
    assert fake.calls == 2


async def test_it_can_stream_slowly_break_or_overrun() -> None:
    waited: list[float] = []

    async def sleep(seconds: float) -> None:
        waited.append(seconds)

    slow = FakeLLMProvider(behaviour=FakeBehaviour(chunk_delay_seconds=0.5), sleep=sleep)
    assert len([c async for c in slow.stream(request(max_tokens=3))]) == 4
    assert waited == [0.5, 0.5]

    broken = FakeLLMProvider(behaviour=FakeBehaviour(break_stream_after=2))
    received: list[object] = []

    async def consume() -> None:
        async for chunk in broken.stream(request()):
            received.append(chunk)

    with pytest.raises(LLMServerError):
        await consume()
    assert len(received) == 2

    overrun = FakeLLMProvider(behaviour=FakeBehaviour(overrun=True, reply_tokens=30))
    assert (await overrun.complete(request(max_tokens=3))).usage.output_tokens == 30
    await overrun.ping()
    await overrun.aclose()
