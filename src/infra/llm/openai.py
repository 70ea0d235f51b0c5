"""OpenAI over httpx: the chat completions API, whole or streamed (SSE).

Any server that speaks the same wire format works through `OPENAI_BASE_URL` (tests point it at
a local one). Streams ask for `stream_options.include_usage`, so the last chunk carries the
real token counts.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

import httpx
import msgspec

from core.ports.clock import Clock
from core.ports.llm import (
    FinishReason,
    LLMChunk,
    LLMCompletion,
    LLMRequest,
    LLMServerError,
    LLMTimeoutError,
    LLMUsage,
)
from infra.llm._http import decode, error_for, guarded, iter_sse

__all__ = ["OpenAIProvider"]

_NAME = "openai"


class _Usage(msgspec.Struct):
    prompt_tokens: int = 0
    completion_tokens: int = 0

    def port(self) -> LLMUsage:
        return LLMUsage(input_tokens=self.prompt_tokens, output_tokens=self.completion_tokens)


class _Message(msgspec.Struct):
    content: str | None = None


class _Choice(msgspec.Struct):
    message: _Message
    finish_reason: str | None = None


class _Response(msgspec.Struct):
    choices: list[_Choice]
    usage: _Usage
    model: str = ""


class _Delta(msgspec.Struct):
    content: str | None = None


class _ChunkChoice(msgspec.Struct):
    delta: _Delta = msgspec.field(default_factory=_Delta)
    finish_reason: str | None = None


class _Chunk(msgspec.Struct):
    choices: list[_ChunkChoice] = msgspec.field(default_factory=list)
    usage: _Usage | None = None


def _finish(reason: str | None) -> FinishReason:
    return "length" if reason == "length" else "stop"


class OpenAIProvider:
    adapter = _NAME

    def __init__(
        self,
        api_key: str,
        *,
        clock: Clock,
        base_url: str = "https://api.openai.com/v1",
        default_model: str = "gpt-4o-mini",
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self.default_model = default_model
        self._clock = clock
        self._client = client or httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            headers={"Authorization": f"Bearer {api_key}"},
        )

    def _body(self, request: LLMRequest, *, stream: bool) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": request.model,
            "messages": [{"role": m.role, "content": m.content} for m in request.messages],
            "max_completion_tokens": request.max_tokens,
            "stream": stream,
        }
        if stream:
            body["stream_options"] = {"include_usage": True}
        if request.response_format == "json":
            body["response_format"] = {"type": "json_object"}
        if request.temperature is not None:
            body["temperature"] = request.temperature
        return body

    async def complete(self, request: LLMRequest) -> LLMCompletion:
        response = await guarded(
            _NAME,
            lambda: self._client.post(
                "/chat/completions",
                json=self._body(request, stream=False),
                timeout=httpx.Timeout(request.timeout_seconds),
            ),
        )
        if response.status_code != 200:
            raise error_for(_NAME, response, response.content, self._clock)
        data = decode(_NAME, response.content, _Response)
        if not data.choices:
            raise LLMServerError("openai answered without a choice")
        choice = data.choices[0]
        return LLMCompletion(
            text=choice.message.content or "",
            model=data.model or request.model,
            usage=data.usage.port(),
            finish_reason=_finish(choice.finish_reason),
        )

    async def stream(self, request: LLMRequest) -> AsyncGenerator[LLMChunk, None]:
        try:
            async with self._client.stream(
                "POST",
                "/chat/completions",
                json=self._body(request, stream=True),
                timeout=httpx.Timeout(request.timeout_seconds),
            ) as response:
                if response.status_code != 200:
                    body = await response.aread()
                    raise error_for(_NAME, response, body, self._clock)
                async for event in iter_sse(response):
                    if event.data == "[DONE]":
                        return
                    chunk = decode(_NAME, event.data, _Chunk)
                    for choice in chunk.choices[:1]:
                        finish = _finish(choice.finish_reason) if choice.finish_reason else None
                        if choice.delta.content or finish:
                            yield LLMChunk(text=choice.delta.content or "", finish_reason=finish)
                    if chunk.usage is not None:
                        yield LLMChunk(usage=chunk.usage.port())
        except httpx.TimeoutException as exc:
            raise LLMTimeoutError("openai stream stalled") from exc
        except httpx.TransportError as exc:
            raise LLMServerError(f"openai stream broke: {type(exc).__name__}") from exc

    async def ping(self) -> None:
        response = await guarded(_NAME, lambda: self._client.get("/models", timeout=5.0))
        if response.status_code != 200:
            raise error_for(_NAME, response, response.content, self._clock)

    async def aclose(self) -> None:
        await self._client.aclose()
