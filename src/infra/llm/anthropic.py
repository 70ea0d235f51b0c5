"""Anthropic over httpx: the messages API, whole or streamed (SSE).

System messages travel in the top-level `system` field. A stream reports input tokens in
`message_start` and the cumulative output tokens in `message_delta`; an `error` event (such as
`overloaded_error`) mid-stream becomes a retryable server error.
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
    LLMRateLimitError,
    LLMRequest,
    LLMServerError,
    LLMTimeoutError,
    LLMUsage,
)
from infra.llm._http import decode, error_for, guarded, iter_sse

__all__ = ["ANTHROPIC_VERSION", "AnthropicProvider"]

_NAME = "anthropic"
ANTHROPIC_VERSION = "2023-06-01"


class _Usage(msgspec.Struct):
    input_tokens: int = 0
    output_tokens: int = 0


class _Block(msgspec.Struct):
    type: str
    text: str | None = None


class _Response(msgspec.Struct):
    content: list[_Block]
    usage: _Usage
    model: str = ""
    stop_reason: str | None = None


class _StartMessage(msgspec.Struct):
    usage: _Usage = msgspec.field(default_factory=_Usage)


class _Delta(msgspec.Struct):
    type: str | None = None
    text: str | None = None
    stop_reason: str | None = None


class _Error(msgspec.Struct):
    type: str = "api_error"
    message: str = ""


class _Event(msgspec.Struct):
    type: str
    message: _StartMessage | None = None
    delta: _Delta | None = None
    usage: _Usage | None = None
    error: _Error | None = None


def _finish(reason: str | None) -> FinishReason:
    return "length" if reason == "max_tokens" else "stop"


class AnthropicProvider:
    adapter = _NAME

    def __init__(
        self,
        api_key: str,
        *,
        clock: Clock,
        base_url: str = "https://api.anthropic.com",
        default_model: str = "claude-3-5-haiku-latest",
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self.default_model = default_model
        self._clock = clock
        self._client = client or httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            headers={"x-api-key": api_key, "anthropic-version": ANTHROPIC_VERSION},
        )

    def _body(self, request: LLMRequest, *, stream: bool) -> dict[str, Any]:
        system = "\n\n".join(m.content for m in request.messages if m.role == "system")
        body: dict[str, Any] = {
            "model": request.model,
            "max_tokens": request.max_tokens,
            "messages": [
                {"role": m.role, "content": m.content}
                for m in request.messages
                if m.role != "system"
            ],
            "stream": stream,
        }
        if system:
            body["system"] = system
        if request.temperature is not None:
            body["temperature"] = request.temperature
        return body

    async def complete(self, request: LLMRequest) -> LLMCompletion:
        response = await guarded(
            _NAME,
            lambda: self._client.post(
                "/v1/messages",
                json=self._body(request, stream=False),
                timeout=httpx.Timeout(request.timeout_seconds),
            ),
        )
        if response.status_code != 200:
            raise error_for(_NAME, response, response.content, self._clock)
        data = decode(_NAME, response.content, _Response)
        return LLMCompletion(
            text="".join(block.text or "" for block in data.content if block.type == "text"),
            model=data.model or request.model,
            usage=LLMUsage(
                input_tokens=data.usage.input_tokens, output_tokens=data.usage.output_tokens
            ),
            finish_reason=_finish(data.stop_reason),
        )

    async def stream(self, request: LLMRequest) -> AsyncGenerator[LLMChunk, None]:
        input_tokens = 0
        try:
            async with self._client.stream(
                "POST",
                "/v1/messages",
                json=self._body(request, stream=True),
                timeout=httpx.Timeout(request.timeout_seconds),
            ) as response:
                if response.status_code != 200:
                    body = await response.aread()
                    raise error_for(_NAME, response, body, self._clock)
                async for sse in iter_sse(response):
                    event = decode(_NAME, sse.data, _Event)
                    if event.type == "message_start" and event.message is not None:
                        input_tokens = event.message.usage.input_tokens
                    elif event.type == "content_block_delta" and event.delta is not None:
                        if event.delta.text:
                            yield LLMChunk(text=event.delta.text)
                    elif event.type == "message_delta":
                        output = event.usage.output_tokens if event.usage else 0
                        stop = event.delta.stop_reason if event.delta else None
                        yield LLMChunk(
                            usage=LLMUsage(input_tokens=input_tokens, output_tokens=output),
                            finish_reason=_finish(stop),
                        )
                    elif event.type == "message_stop":
                        return
                    elif event.type == "error":
                        raise _stream_error(event.error or _Error())
        except httpx.TimeoutException as exc:
            raise LLMTimeoutError("anthropic stream stalled") from exc
        except httpx.TransportError as exc:
            raise LLMServerError(f"anthropic stream broke: {type(exc).__name__}") from exc

    async def ping(self) -> None:
        response = await guarded(_NAME, lambda: self._client.get("/v1/models", timeout=5.0))
        if response.status_code != 200:
            raise error_for(_NAME, response, response.content, self._clock)

    async def aclose(self) -> None:
        await self._client.aclose()


def _stream_error(error: _Error) -> LLMServerError | LLMRateLimitError:
    message = f"anthropic stream error {error.type}: {error.message}"
    if error.type == "rate_limit_error":
        return LLMRateLimitError(message)
    return LLMServerError(message)
