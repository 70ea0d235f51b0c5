"""LLM provider port: one chat completion, whole or streamed, with the provider's real usage.

Only the gateway (`ai.LLMClient`) calls a provider; everything else calls the gateway, which
reserves budget first. Adapters translate their transport failures into the typed errors
below, so the gateway's retry policy never looks at HTTP status codes or SDK exceptions.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Literal, Protocol

import msgspec

__all__ = [
    "ChatMessage",
    "FinishReason",
    "LLMChunk",
    "LLMCompletion",
    "LLMProvider",
    "LLMProviderError",
    "LLMRateLimitError",
    "LLMRequest",
    "LLMRequestError",
    "LLMServerError",
    "LLMTimeoutError",
    "LLMUsage",
]

Role = Literal["system", "user", "assistant"]
FinishReason = Literal["stop", "length", "error"]
ResponseFormat = Literal["text", "json"]


class ChatMessage(msgspec.Struct, frozen=True, kw_only=True):
    role: Role
    content: str


class LLMUsage(msgspec.Struct, frozen=True, kw_only=True):
    input_tokens: int = 0
    output_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens


class LLMRequest(msgspec.Struct, frozen=True, kw_only=True):
    model: str
    messages: tuple[ChatMessage, ...]
    max_tokens: int
    """Hard cap on output tokens; the provider stops there (finish reason `length`)."""
    timeout_seconds: float
    """Per-call budget for connect + first byte (and, when streaming, between chunks)."""
    response_format: ResponseFormat = "text"
    temperature: float | None = None


class LLMCompletion(msgspec.Struct, frozen=True, kw_only=True):
    text: str
    model: str
    usage: LLMUsage
    finish_reason: FinishReason = "stop"


class LLMChunk(msgspec.Struct, frozen=True, kw_only=True):
    """One streamed piece: text as it arrives, and the real usage when the provider sends it."""

    text: str = ""
    output_tokens: int | None = None
    """Tokens in this chunk's text, when the provider says (None: the gateway estimates)."""
    usage: LLMUsage | None = None
    """The provider's cumulative usage; the last one seen is authoritative."""
    finish_reason: FinishReason | None = None


class LLMProviderError(Exception):
    """The provider did not answer usefully. `retryable` tells the gateway whether to try again."""

    retryable: bool = True

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class LLMRateLimitError(LLMProviderError):
    """429: slow down; `retry_after` seconds when the provider said so."""

    def __init__(
        self, message: str, *, retry_after: float | None = None, status: int | None = 429
    ) -> None:
        super().__init__(message, status=status)
        self.retry_after = retry_after


class LLMServerError(LLMProviderError):
    """5xx, overloaded, or a broken stream: the provider's fault, worth another try."""

    def __init__(
        self, message: str, *, status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message, status=status)
        self.retry_after = retry_after


class LLMTimeoutError(LLMProviderError):
    """No answer (or no next chunk) within the call's timeout."""


class LLMRequestError(LLMProviderError):
    """4xx other than 429 (bad request, bad key, no quota): retrying cannot help."""

    retryable = False


class LLMProvider(Protocol):
    @property
    def adapter(self) -> str:
        """`openai`, `anthropic` or `fake`."""
        ...

    @property
    def default_model(self) -> str: ...

    async def complete(self, request: LLMRequest) -> LLMCompletion:
        """One whole completion. Raises the `LLMProviderError` family."""
        ...

    def stream(self, request: LLMRequest) -> AsyncGenerator[LLMChunk, None]:
        """Chunks as they arrive; closing the iterator early cancels the provider call."""
        ...

    async def ping(self) -> None: ...

    async def aclose(self) -> None:
        """Close connections (the container calls it on shutdown)."""
        ...
