"""Calling a provider through timeouts, retries with jittered backoff, breakers and a fallback.

Each attempt gets `min(call timeout, time left before the deadline)`. A retryable failure
(429, 5xx, timeout) waits `max(Retry-After, backoff with full jitter)` and tries again while
attempts and the deadline allow; a wait that would cross the deadline is not taken. When the
primary model gives up (or its circuit is open) the fallback model gets the time that is left.
"""

from __future__ import annotations

import asyncio
import math
import random
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from ai._breaker import CircuitBreaker
from ai.errors import LLMRejectedError, LLMUnavailableError
from ai.types import GatewayConfig
from core.errors import BulkheadError
from core.logging import get_logger
from core.ports.clock import Clock
from core.ports.llm import (
    LLMProviderError,
    LLMRateLimitError,
    LLMRequestError,
    LLMServerError,
    LLMTimeoutError,
)
from core.ports.llm_usage import CallOutcome

__all__ = ["Attempts", "ProviderGaveUpError"]

_T = TypeVar("_T")
_log = get_logger(__name__)
_CALLER_FAULT = frozenset({400, 404, 413, 422})


class ProviderGaveUpError(Exception):
    """Every model and attempt failed; `error` is what the caller should see."""

    def __init__(self, error: BulkheadError, outcome: CallOutcome) -> None:
        super().__init__(error.detail)
        self.error = error
        self.outcome = outcome


class Attempts:
    def __init__(
        self,
        config: GatewayConfig,
        clock: Clock,
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self._config = config
        self._clock = clock
        self._sleep = sleep
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not a secret
        self._breakers: dict[str, CircuitBreaker] = {}

    def breaker(self, model: str) -> CircuitBreaker:
        if model not in self._breakers:
            self._breakers[model] = CircuitBreaker(
                self._clock,
                failure_threshold=self._config.breaker_failures,
                reset_seconds=self._config.breaker_reset_seconds,
            )
        return self._breakers[model]

    def any_open(self, models: Sequence[str]) -> float | None:
        """Seconds until a trial call, when every model's circuit is open; else None."""
        waits = [self.breaker(model).retry_in() for model in models]
        if all(
            self.breaker(m).state == "open" and w > 0 for m, w in zip(models, waits, strict=True)
        ):
            return min(waits)
        return None

    def backoff(self, attempt: int) -> float:
        """Full jitter: uniform in [0, min(max, base * 2^attempt)]."""
        cap = min(self._config.backoff_max_seconds, self._config.backoff_base_seconds * 2**attempt)
        return self._rng.uniform(0, cap)

    async def run(
        self,
        models: Sequence[str],
        call: Callable[[str, float], Awaitable[_T]],
        *,
        started: float,
    ) -> tuple[_T, str]:
        deadline = started + self._config.deadline_seconds
        last: LLMProviderError | None = None
        circuit_wait: float | None = None
        for model in models:
            breaker = self.breaker(model)
            for attempt in range(self._config.max_attempts):
                if not breaker.allow():
                    circuit_wait = breaker.retry_in()
                    break
                remaining = deadline - self._clock.monotonic()
                if remaining <= 0:
                    breaker.abandon()
                    break
                timeout = min(self._config.call_timeout_seconds, remaining)
                try:
                    async with asyncio.timeout(timeout):
                        result = await call(model, timeout)
                except TimeoutError:
                    error: LLMProviderError = LLMTimeoutError(f"no answer within {timeout:.1f}s")
                except LLMProviderError as exc:
                    error = exc
                except BaseException:
                    breaker.abandon()
                    raise
                else:
                    breaker.success()
                    return result, model
                if not error.retryable:
                    breaker.success()
                    raise ProviderGaveUpError(_rejected(error), "error") from error
                breaker.failure()
                last = error
                _log.warning(
                    "llm.provider.failed",
                    model=model,
                    attempt=attempt + 1,
                    error=type(error).__name__,
                    status=error.status,
                )
                if attempt + 1 >= self._config.max_attempts:
                    break
                delay = max(_retry_after(error) or 0.0, self.backoff(attempt))
                if self._clock.monotonic() + delay >= deadline:
                    break
                await self._sleep(delay)
        raise ProviderGaveUpError(*_unavailable(last, circuit_wait))


def _retry_after(error: LLMProviderError) -> float | None:
    if isinstance(error, LLMRateLimitError | LLMServerError):
        return error.retry_after
    return None


def _rejected(error: LLMProviderError) -> BulkheadError:
    if isinstance(error, LLMRequestError) and error.status in _CALLER_FAULT:
        return LLMRejectedError("The model provider refused this request")
    _log.error("llm.provider.rejected", status=error.status, detail=str(error)[:300])
    return LLMUnavailableError("The model provider refused the call")


def _unavailable(
    last: LLMProviderError | None, circuit_wait: float | None
) -> tuple[BulkheadError, CallOutcome]:
    if last is None:
        wait = math.ceil(circuit_wait) if circuit_wait else None
        return LLMUnavailableError(
            "The model provider is failing; try again later", retry_after=wait
        ), "unavailable"
    hint = _retry_after(last)
    retry_after = math.ceil(hint) if hint else None
    if isinstance(last, LLMTimeoutError):
        return LLMUnavailableError(
            "The model provider timed out", slug="llm-timeout", retry_after=retry_after
        ), "timeout"
    return LLMUnavailableError(
        "The model provider is unavailable", retry_after=retry_after
    ), "error"
