"""A streamed completion: counts tokens as chunks arrive and stops where its budget ends.

The provider is asked for no more output than the reservation covers; if it sends more
anyway, the stream is cut before the chunk that would overrun. Either way the stream ends
with `BudgetExceededError` when the budget (not the caller's `max_tokens`) stopped it. Every
ending — done, cut, provider error, stall, or the consumer going away — settles what was used
(the provider's count when it sent one, else the prompt estimate plus the chunks counted).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ai._tokens import estimate_chunk_tokens
from ai.errors import BudgetExceededError, JobBudgetExceededError, LLMUnavailableError
from ai.types import LLMResult
from core.errors import BulkheadError
from core.logging import get_logger
from core.ports.llm import FinishReason, LLMChunk, LLMProviderError, LLMTimeoutError, LLMUsage
from core.ports.llm_usage import CallOutcome
from policies.budgets import seconds_until

if TYPE_CHECKING:
    from ai.gateway import Call, LLMClient

__all__ = ["LLMStream", "StreamPlan"]

_log = get_logger(__name__)


@dataclass(frozen=True)
class StreamPlan:
    model: str
    allowance: int
    """Output tokens the reservation covers."""
    budget_limited: bool
    """The budget, not the caller's max_tokens, sets `allowance`."""
    idle_timeout: float
    max_seconds: float


class LLMStream:
    """Iterate for text; afterwards `result` holds usage and cost. Always `aclose()` it."""

    def __init__(
        self,
        client: LLMClient,
        call: Call,
        chunks: AsyncGenerator[LLMChunk, None],
        first: LLMChunk | None,
        plan: StreamPlan,
    ) -> None:
        self._client = client
        self._call = call
        self._chunks = chunks
        self._first = first
        self.plan = plan
        self.result: LLMResult | None = None
        self._started = False
        self._finished = False
        self._gen = self._run()

    @property
    def model(self) -> str:
        return self.plan.model

    def __aiter__(self) -> LLMStream:
        return self

    async def __anext__(self) -> str:
        self._started = True
        return await self._gen.__anext__()

    async def aclose(self) -> None:
        """Stop early (client gone): cancel the provider stream and settle what was used."""
        if not self._started:
            await self._client.shielded(self._finish("cancelled", 0, None, None, []))
        await self._gen.aclose()

    async def _next(self, deadline: float) -> LLMChunk | None:
        clock = self._client.clock
        remaining = deadline - clock.monotonic()
        if remaining <= 0:
            raise LLMTimeoutError("the stream ran longer than allowed")
        try:
            async with asyncio.timeout(min(self.plan.idle_timeout, remaining)):
                return await anext(self._chunks, None)
        except TimeoutError as exc:
            raise LLMTimeoutError("the provider stream stalled") from exc

    async def _run(self) -> AsyncGenerator[str, None]:
        counted = 0
        usage: LLMUsage | None = None
        finish: FinishReason | None = None
        parts: list[str] = []
        outcome: CallOutcome = "ok"
        error: BulkheadError | None = None
        deadline = self._client.clock.monotonic() + self.plan.max_seconds
        try:
            chunk = self._first
            while chunk is not None:
                usage = chunk.usage or usage
                finish = chunk.finish_reason or finish
                if chunk.text:
                    tokens = chunk.output_tokens
                    if tokens is None:
                        tokens = estimate_chunk_tokens(chunk.text)
                    if counted + tokens > self.plan.allowance:
                        # The provider produced it, so it is paid for; the caller never sees it.
                        counted += tokens
                        outcome = "cut"
                        break
                    counted += tokens
                    parts.append(chunk.text)
                    yield chunk.text
                chunk = await self._next(deadline)
        except LLMProviderError as exc:
            timed_out = isinstance(exc, LLMTimeoutError)
            outcome = "timeout" if timed_out else "error"
            error = LLMUnavailableError(
                "The model stream stopped: " + str(exc)[:200],
                slug="llm-timeout" if timed_out else None,
            )
        except BaseException:
            await self._client.shielded(self._finish("cancelled", counted, usage, finish, parts))
            raise
        await self._client.shielded(self._finish(outcome, counted, usage, finish, parts))
        if error is not None:
            raise error
        spent = finish == "length" or counted >= self.plan.allowance
        if outcome == "cut" or (self.plan.budget_limited and spent):
            raise await self._exhausted()

    async def _finish(
        self,
        outcome: CallOutcome,
        counted: int,
        usage: LLMUsage | None,
        finish: FinishReason | None,
        parts: list[str],
    ) -> None:
        if self._finished:
            return
        self._finished = True
        try:
            await self._chunks.aclose()
        except Exception as exc:
            _log.warning("llm.stream.close_failed", error=type(exc).__name__)
        call = self._call
        if usage is None or outcome != "ok":
            usage = LLMUsage(input_tokens=call.prompt_estimate, output_tokens=counted)
        charged = await self._client.settle(call, usage.total_tokens)
        cost = await self._client.record(call, self.plan.model, usage, charged, outcome)
        self.result = LLMResult(
            text="".join(parts),
            model=self.plan.model,
            usage=usage,
            cost_micro_usd=cost,
            finish_reason=finish or ("stop" if outcome == "ok" else "error"),
            reserved_tokens=call.granted,
            charged_tokens=charged,
        )

    async def _exhausted(self) -> BudgetExceededError:
        """The error that ends a stream the budget stopped, naming the window that ran out."""
        call = self._call
        clock = self._client.clock
        try:
            usage = await self._client.budgets.usage([w.window for w in call.windows])
            least = min(u.available for u in usage)
            short = [w for w, u in zip(call.windows, usage, strict=True) if u.available == least]
        except Exception:
            short = list(call.windows)
        scoped = max(short, key=lambda w: w.window.resets_at)
        error_type = JobBudgetExceededError if scoped.scope == "job" else BudgetExceededError
        return error_type(
            f"The {scoped.scope} {scoped.period} LLM budget ran out during the stream",
            scope=scoped.scope,
            retry_after=seconds_until(scoped.window.resets_at, clock.now()),
        )
