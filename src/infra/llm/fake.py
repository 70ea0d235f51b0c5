"""A deterministic fake model: zero-config default and test double, with real token accounting.

The same request always gets the same answer: words drawn from a fixed vocabulary, seeded by
a hash of the messages, one token per word, never more than `max_tokens`. In JSON mode it
answers with the first fenced ```json block of the prompt (a prompt's example output), cut at
`max_tokens` like a real model would. Tests (and curious developers) can make it slow, make it
fail with 429/503 and a Retry-After, time out, hang, or overrun its `max_tokens`.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Literal

from core.ports.llm import (
    LLMChunk,
    LLMCompletion,
    LLMRateLimitError,
    LLMRequest,
    LLMServerError,
    LLMTimeoutError,
    LLMUsage,
)

__all__ = ["FAKE_MODELS", "FakeBehaviour", "FakeLLMProvider", "count_tokens"]

FAKE_MODELS = ("fake-1", "fake-1-mini")
_TOKEN = re.compile(r"\w+|[^\w\s]")
_JSON_BLOCK = re.compile(r"```json\s*(.*?)```", re.DOTALL)
_PER_MESSAGE = 3
_PRIMING = 3
_VOCABULARY = (
    *("the", "budget", "holds", "every", "call", "and", "settles", "what", "it", "used"),
    *("while", "the", "gateway", "keeps", "providers", "honest", "retries", "wait", "for"),
    *("the", "window", "to", "reset", "a", "stream", "stops", "when", "tokens", "run", "out"),
    *("reports", "summarise", "leads", "for", "growing", "teams", "with", "clear", "next"),
    "steps",
)

Failure = Literal["rate_limit", "server_error", "timeout", "hang"]


def count_tokens(text: str) -> int:
    """The fake tokenizer: a word or a punctuation mark is one token (never more than bytes)."""
    return len(_TOKEN.findall(text))


def _prompt_tokens(request: LLMRequest) -> int:
    return _PRIMING + sum(_PER_MESSAGE + count_tokens(m.content) for m in request.messages)


@dataclass
class FakeBehaviour:
    reply_tokens: int = 48
    """How many tokens a text answer has when `max_tokens` allows."""
    chunk_delay_seconds: float = 0.0
    fail_next: int = 0
    """The next N calls fail with `failure` (then it answers again)."""
    failure: Failure = "server_error"
    retry_after: float | None = None
    break_stream_after: int | None = None
    """Chunks a stream sends before it breaks with a server error."""
    overrun: bool = False
    """Ignore `max_tokens` (a misbehaving provider): the gateway must cut the stream."""


@dataclass
class FakeLLMProvider:
    behaviour: FakeBehaviour = field(default_factory=FakeBehaviour)
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    calls: int = 0
    requests: list[LLMRequest] = field(default_factory=list)
    called: asyncio.Event = field(default_factory=asyncio.Event)
    """Set at the first call: tests wait on it instead of polling."""

    adapter = "fake"
    default_model = FAKE_MODELS[0]

    async def _begin(self, request: LLMRequest) -> None:
        self.calls += 1
        self.requests.append(request)
        self.called.set()
        if self.behaviour.fail_next <= 0:
            return
        self.behaviour.fail_next -= 1
        failure = self.behaviour.failure
        if failure == "rate_limit":
            raise LLMRateLimitError("fake: rate limited", retry_after=self.behaviour.retry_after)
        if failure == "timeout":
            raise LLMTimeoutError("fake: timed out")
        if failure == "hang":
            await asyncio.Event().wait()
        raise LLMServerError(
            "fake: service unavailable", status=503, retry_after=self.behaviour.retry_after
        )

    def _answer(self, request: LLMRequest) -> list[str]:
        """The answer as a list of pieces, one token each."""
        limit = self.behaviour.reply_tokens if self.behaviour.overrun else request.max_tokens
        if request.response_format == "json":
            prompt = "\n".join(m.content for m in request.messages)
            match = _JSON_BLOCK.search(prompt)
            text = match.group(1).strip() if match else "{}"
            ends = [m.end() for m in _TOKEN.finditer(text)]
            if not ends:
                return []
            starts = [0, *ends[:-1]]
            return [text[a:b] for a, b in zip(starts, ends, strict=True)][:limit]
        seed = hashlib.sha256(
            "\x1f".join(f"{m.role}:{m.content}" for m in request.messages).encode()
        ).digest()
        count = min(limit, self.behaviour.reply_tokens)
        blocks = (count + 31) // 32
        noise = b"".join(
            hashlib.sha256(seed + k.to_bytes(4, "big")).digest() for k in range(blocks)
        )
        words = [_VOCABULARY[noise[i] % len(_VOCABULARY)] for i in range(count)]
        return [word if i == 0 else f" {word}" for i, word in enumerate(words)]

    def _finish(self, request: LLMRequest, pieces: list[str]) -> Literal["stop", "length"]:
        return "length" if len(pieces) >= request.max_tokens else "stop"

    async def complete(self, request: LLMRequest) -> LLMCompletion:
        await self._begin(request)
        pieces = self._answer(request)
        usage = LLMUsage(input_tokens=_prompt_tokens(request), output_tokens=len(pieces))
        return LLMCompletion(
            text="".join(pieces),
            model=request.model,
            usage=usage,
            finish_reason=self._finish(request, pieces),
        )

    async def stream(self, request: LLMRequest) -> AsyncGenerator[LLMChunk, None]:
        await self._begin(request)
        pieces = self._answer(request)
        prompt = _prompt_tokens(request)
        for sent, piece in enumerate(pieces):
            if self.behaviour.break_stream_after == sent:
                raise LLMServerError("fake: stream broke", status=500)
            if sent and self.behaviour.chunk_delay_seconds:
                await self.sleep(self.behaviour.chunk_delay_seconds)
            yield LLMChunk(text=piece, output_tokens=1)
        yield LLMChunk(
            usage=LLMUsage(input_tokens=prompt, output_tokens=len(pieces)),
            finish_reason=self._finish(request, pieces),
        )

    async def ping(self) -> None:
        return None

    async def aclose(self) -> None:
        return None
