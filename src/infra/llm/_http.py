"""What the HTTP provider adapters share: error mapping, Retry-After, and an SSE reader."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import TypeVar

import httpx
import msgspec

from core.ports.clock import Clock
from core.ports.llm import (
    LLMProviderError,
    LLMRateLimitError,
    LLMRequestError,
    LLMServerError,
    LLMTimeoutError,
)

__all__ = ["ServerSentEvent", "decode", "error_for", "guarded", "iter_sse", "retry_after"]

_T = TypeVar("_T")
_MAX_ERROR_DETAIL = 300
_RETRYABLE_CLIENT_ERRORS = frozenset({408, 409})


class ServerSentEvent(msgspec.Struct, frozen=True):
    event: str
    data: str


def retry_after(headers: httpx.Headers, clock: Clock) -> float | None:
    """Seconds to wait, from `retry-after-ms`, or `retry-after` (seconds or an HTTP date)."""
    millis = headers.get("retry-after-ms")
    if millis is not None:
        try:
            return max(0.0, float(millis) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment: datetime = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (moment - clock.now()).total_seconds())


def error_for(
    provider: str, response: httpx.Response, body: bytes, clock: Clock
) -> LLMProviderError:
    """The typed error for a non-2xx answer (the body must have been read)."""
    status = response.status_code
    detail = body.decode("utf-8", "replace")[:_MAX_ERROR_DETAIL]
    message = f"{provider} answered {status}: {detail}"
    wait = retry_after(response.headers, clock)
    if status == 429:
        if b"insufficient_quota" in body:
            return LLMRequestError(message, status=status)
        return LLMRateLimitError(message, retry_after=wait, status=status)
    if status >= 500 or status in _RETRYABLE_CLIENT_ERRORS:
        return LLMServerError(message, status=status, retry_after=wait)
    return LLMRequestError(message, status=status)


def decode(provider: str, raw: bytes | str, kind: type[_T]) -> _T:
    try:
        return msgspec.json.decode(raw, type=kind)
    except msgspec.DecodeError as exc:
        raise LLMServerError(f"{provider} sent a malformed response: {exc}") from exc


async def guarded(provider: str, call: Callable[[], Awaitable[_T]]) -> _T:
    """Run one HTTP exchange, turning transport failures into the port's typed errors."""
    try:
        return await call()
    except httpx.TimeoutException as exc:
        raise LLMTimeoutError(f"{provider} did not answer in time") from exc
    except httpx.TransportError as exc:
        raise LLMServerError(f"{provider} unreachable: {type(exc).__name__}") from exc


async def iter_sse(response: httpx.Response) -> AsyncIterator[ServerSentEvent]:
    """Server-sent events as (event, data) pairs; multi-line data is joined with newlines."""
    event, data = "message", list[str]()
    async for line in response.aiter_lines():
        if not line:
            if data:
                yield ServerSentEvent(event, "\n".join(data))
            event, data = "message", []
        elif line.startswith(":"):
            continue
        else:
            name, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if name == "event":
                event = value
            elif name == "data":
                data.append(value)
    if data:
        yield ServerSentEvent(event, "\n".join(data))
