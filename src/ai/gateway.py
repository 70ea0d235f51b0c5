"""`LLMClient`: the one way any code in Bulkhead reaches a model.

    estimate → reserve (all windows, atomically) → provider call (timeout, retries, breaker,
    fallback) → settle actual usage, free the rest → record cost per feature

A reservation that does not fit raises `BudgetExceededError` (429 with Retry-After) and no
provider call is made. When the budget store cannot be read the call fails closed (503).
Errors, timeouts and cancellation release the hold; a process that dies leaves a hold that
lapses on its own.
"""

from __future__ import annotations

import asyncio
import random
import re
from collections.abc import AsyncGenerator, Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import structlog

from ai._resilience import Attempts, ProviderGaveUpError
from ai._stream import LLMStream, StreamPlan
from ai._tokens import estimate_prompt_tokens
from ai.errors import BudgetExceededError, JobBudgetExceededError, LLMUnavailableError
from ai.limits import BudgetLimitsSource
from ai.pricing import PRICES, cost_micro_usd, models_of
from ai.types import GatewayConfig, JobBudget, LLMResult, UsageReport, WindowReport
from common.ids import new_id
from core.errors import ConfigurationError, FieldError, InputError, ServiceUnavailableError
from core.logging import get_logger
from core.ports.budget import BudgetStore, ReservationRefusedError
from core.ports.clock import Clock
from core.ports.llm import ChatMessage, LLMChunk, LLMProvider, LLMRequest, LLMUsage
from core.ports.llm_usage import CallOutcome, LLMUsageLedger, LLMUsageRecord
from policies.budgets import (
    BudgetLimits,
    ScopedWindow,
    call_windows,
    job_window,
    seconds_until,
    usage_windows,
)

__all__ = ["LLMClient"]

_T = TypeVar("_T")
_log = get_logger(__name__)
_FEATURE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_SETTLE_ATTEMPTS = 2


@dataclass
class Call:
    """One gateway call in flight: who pays, what was asked, what is held."""

    user_id: str
    org_id: str | None
    feature: str
    messages: tuple[ChatMessage, ...]
    max_tokens: int
    models: tuple[str, ...]
    windows: list[ScopedWindow]
    prompt_estimate: int
    request_id: str | None
    job_id: str | None
    started: float
    reservation_id: str
    response_format: str = "text"
    temperature: float | None = None
    granted: int = 0

    def request(self, model: str, timeout: float, max_tokens: int | None = None) -> LLMRequest:
        return LLMRequest(
            model=model,
            messages=self.messages,
            max_tokens=max_tokens or self.max_tokens,
            timeout_seconds=timeout,
            response_format="json" if self.response_format == "json" else "text",
            temperature=self.temperature,
        )


class LLMClient:
    def __init__(
        self,
        *,
        provider: LLMProvider,
        budgets: BudgetStore,
        ledger: LLMUsageLedger,
        limits: BudgetLimitsSource,
        clock: Clock,
        config: GatewayConfig | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self._provider = provider
        self.budgets = budgets
        self._ledger = ledger
        self._limits = limits
        self.clock = clock
        self.config = config or GatewayConfig()
        self._models = models_of(provider.adapter)
        self.default_model = self.config.default_model or provider.default_model
        for name, model in (
            ("LLM_MODEL", self.default_model),
            ("LLM_FALLBACK_MODEL", self.config.fallback_model),
        ):
            if model is not None and model not in self._models:
                raise ConfigurationError(f"{name}: {model} is not priced for {provider.adapter}")
        self.attempts = Attempts(self.config, clock, sleep=sleep, rng=rng)
        self._cleanups: set[asyncio.Task[Any]] = set()

    @property
    def provider_name(self) -> str:
        return self._provider.adapter

    # --- the calls ---------------------------------------------------------------------------

    async def complete(
        self,
        *,
        user_id: str,
        feature: str,
        messages: Sequence[ChatMessage],
        max_tokens: int,
        org_id: str | None = None,
        model: str | None = None,
        request_id: str | None = None,
        job: JobBudget | None = None,
        response_format: str = "text",
        temperature: float | None = None,
    ) -> LLMResult:
        """One whole completion, paid for by the caller's budget windows (and the job's)."""
        call = await self._prepare(
            user_id=user_id,
            org_id=org_id,
            feature=feature,
            messages=messages,
            max_tokens=max_tokens,
            model=model,
            request_id=request_id,
            job=job,
        )
        call.response_format, call.temperature = response_format, temperature
        self._fail_fast_if_open(call)
        call.granted = await self._reserve(
            call,
            call.prompt_estimate + max_tokens,
            hold_seconds=self.config.deadline_seconds + self.config.hold_margin_seconds,
        )
        try:
            completion, used_model = await self.attempts.run(
                call.models,
                lambda m, timeout: self._provider.complete(call.request(m, timeout)),
                started=call.started,
            )
        except ProviderGaveUpError as gave_up:
            await self.shielded(self.abandon(call, gave_up.outcome))
            raise gave_up.error from gave_up
        except BaseException:
            await self.shielded(self.abandon(call, "cancelled"))
            raise
        # The tokens are spent now: settle and record even if the caller goes away meanwhile.
        charged, cost = await self.shielded(
            self._settle_and_record(call, used_model, completion.usage)
        )
        return LLMResult(
            text=completion.text,
            model=used_model,
            usage=completion.usage,
            cost_micro_usd=cost,
            finish_reason=completion.finish_reason,
            reserved_tokens=call.granted,
            charged_tokens=charged,
        )

    async def stream(
        self,
        *,
        user_id: str,
        feature: str,
        messages: Sequence[ChatMessage],
        max_tokens: int,
        org_id: str | None = None,
        model: str | None = None,
        request_id: str | None = None,
        job: JobBudget | None = None,
    ) -> LLMStream:
        """Reserve, then open the provider stream (retrying until its first chunk arrives).

        When the budget cannot cover `max_tokens` but fits at least a few output tokens, the
        stream starts anyway and stops where the budget ends, with `BudgetExceededError`.
        """
        call = await self._prepare(
            user_id=user_id,
            org_id=org_id,
            feature=feature,
            messages=messages,
            max_tokens=max_tokens,
            model=model,
            request_id=request_id,
            job=job,
        )
        self._fail_fast_if_open(call)
        floor = min(max_tokens, self.config.stream_min_output_tokens)
        call.granted = await self._reserve(
            call,
            call.prompt_estimate + max_tokens,
            min_amount=call.prompt_estimate + floor,
            hold_seconds=self.config.stream_max_seconds + self.config.hold_margin_seconds,
        )
        allowance = call.granted - call.prompt_estimate

        async def open_stream(
            m: str, seconds: float
        ) -> tuple[AsyncGenerator[LLMChunk, None], LLMChunk | None]:
            chunks = self._provider.stream(call.request(m, seconds, max_tokens=allowance))
            try:
                return chunks, await anext(chunks, None)
            except BaseException:
                await chunks.aclose()
                raise

        try:
            (chunks, first), used_model = await self.attempts.run(
                call.models, open_stream, started=call.started
            )
        except ProviderGaveUpError as gave_up:
            await self.shielded(self.abandon(call, gave_up.outcome))
            raise gave_up.error from gave_up
        except BaseException:
            await self.shielded(self.abandon(call, "cancelled"))
            raise
        plan = StreamPlan(
            model=used_model,
            allowance=allowance,
            budget_limited=allowance < max_tokens,
            idle_timeout=self.config.call_timeout_seconds,
            max_seconds=self.config.stream_max_seconds,
        )
        return LLMStream(self, call, chunks, first, plan)

    async def usage(self, user_id: str, org_id: str | None = None) -> UsageReport:
        """The caller's windows (used, held, reset) and today's spend per feature."""
        now = self.clock.now()
        limits = await self._limits_for(user_id, org_id)
        windows = usage_windows(limits, user_id=user_id, org_id=org_id, now=now)
        try:
            usage = await self.budgets.usage([w.window for w in windows])
            since = now.replace(hour=0, minute=0, second=0, microsecond=0)
            spend = await self._ledger.spend_by_feature(user_id=user_id, since=since)
        except Exception as exc:
            _log.error("llm.budget.unavailable", error=type(exc).__name__)
            raise ServiceUnavailableError(
                "LLM usage cannot be read right now", slug="budget-unavailable"
            ) from exc
        reports = [
            WindowReport(
                scope=scoped.scope,
                period=scoped.period,
                limit_tokens=scoped.window.limit,
                used_tokens=current.used,
                reserved_tokens=current.reserved,
                resets_at=scoped.window.resets_at,
            )
            for scoped, current in zip(windows, usage, strict=True)
        ]
        return UsageReport(windows=reports, by_feature=spend, since=since)

    async def check_job_budget(self, job: JobBudget) -> int:
        """Tokens the job may still spend; raises `JobBudgetExceededError` when none are left.

        The job runner calls this between steps; the gateway enforces the same cap per call.
        """
        scoped = job_window(job.job_id, job.limit_tokens, job.expires_at)
        try:
            (current,) = await self.budgets.usage([scoped.window])
        except Exception as exc:
            raise ServiceUnavailableError(
                "The LLM budget store cannot be reached", slug="budget-unavailable"
            ) from exc
        if current.available <= 0:
            raise JobBudgetExceededError(
                "This job has spent its LLM budget",
                scope="job",
                retry_after=seconds_until(job.expires_at, self.clock.now()),
            )
        return current.available

    # --- the steps ---------------------------------------------------------------------------

    async def _prepare(
        self,
        *,
        user_id: str,
        org_id: str | None,
        feature: str,
        messages: Sequence[ChatMessage],
        max_tokens: int,
        model: str | None,
        request_id: str | None,
        job: JobBudget | None,
    ) -> Call:
        errors = []
        if not _FEATURE.match(feature):
            errors.append(FieldError("feature", "lowercase letters, digits, '.', '_' or '-'"))
        if not messages:
            errors.append(FieldError("messages", "at least one message is needed"))
        if not 1 <= max_tokens <= self.config.max_tokens_limit:
            limit = self.config.max_tokens_limit
            errors.append(FieldError("max_tokens", f"must be between 1 and {limit}"))
        if model is not None and model not in self._models:
            errors.append(FieldError("model", f"unknown model for {self._provider.adapter}"))
        if errors:
            raise InputError("The LLM request is invalid", errors=errors)
        primary = model or self.default_model
        fallback = self.config.fallback_model
        models = (primary,) if fallback is None or fallback == primary else (primary, fallback)
        now = self.clock.now()
        limits = await self._limits_for(user_id, org_id)
        windows = call_windows(limits, user_id=user_id, org_id=org_id, feature=feature, now=now)
        if job is not None:
            windows.append(job_window(job.job_id, job.limit_tokens, job.expires_at))
        return Call(
            user_id=user_id,
            org_id=org_id,
            feature=feature,
            messages=tuple(messages),
            max_tokens=max_tokens,
            models=models,
            windows=windows,
            prompt_estimate=estimate_prompt_tokens(messages),
            request_id=request_id or structlog.contextvars.get_contextvars().get("request_id"),
            job_id=job.job_id if job else None,
            started=self.clock.monotonic(),
            reservation_id=new_id(),
        )

    async def _limits_for(self, user_id: str, org_id: str | None) -> BudgetLimits:
        try:
            return await self._limits.limits_for(user_id, org_id)
        except Exception as exc:
            _log.error("llm.budget.limits_unavailable", error=type(exc).__name__)
            raise ServiceUnavailableError(
                "The LLM budget limits cannot be read", slug="budget-unavailable"
            ) from exc

    def _fail_fast_if_open(self, call: Call) -> None:
        wait = self.attempts.any_open(call.models)
        if wait is not None:
            _log.warning("llm.circuit.open", models=list(call.models), retry_in=wait)
            raise LLMUnavailableError(
                "The model provider is failing; try again later", retry_after=max(1, round(wait))
            )

    async def _reserve(
        self, call: Call, amount: int, *, hold_seconds: float, min_amount: int | None = None
    ) -> int:
        try:
            return await self.budgets.reserve(
                call.reservation_id,
                [scoped.window for scoped in call.windows],
                amount,
                hold_seconds=hold_seconds,
                min_amount=min_amount,
            )
        except ReservationRefusedError as refused:
            raise self.refusal(call, refused) from refused
        except Exception as exc:
            # Fail closed: a budget we cannot read is a budget we cannot spend.
            _log.error("llm.budget.unavailable", error=type(exc).__name__, detail=str(exc)[:200])
            raise ServiceUnavailableError(
                "The LLM budget store cannot be reached", slug="budget-unavailable"
            ) from exc

    def refusal(self, call: Call, refused: ReservationRefusedError) -> BudgetExceededError:
        scoped = next(w for w in call.windows if w.window.key == refused.window.key)
        retry_after = seconds_until(scoped.window.resets_at, self.clock.now())
        _log.info(
            "llm.budget.refused",
            user_id=call.user_id,
            org_id=call.org_id,
            feature=call.feature,
            scope=scoped.scope,
            period=scoped.period,
            available=refused.available,
            retry_after=retry_after,
        )
        error_type = JobBudgetExceededError if scoped.scope == "job" else BudgetExceededError
        return error_type(
            f"The {scoped.scope} {scoped.period} LLM budget cannot cover this request",
            scope=scoped.scope,
            retry_after=retry_after,
        )

    async def settle(self, call: Call, used: int) -> int:
        for attempt in range(_SETTLE_ATTEMPTS):
            try:
                return await self.budgets.settle(call.reservation_id, used)
            except Exception as exc:  # settle is idempotent, so trying again is safe
                _log.error(
                    "llm.budget.settle_failed",
                    reservation_id=call.reservation_id,
                    attempt=attempt + 1,
                    error=type(exc).__name__,
                )
        return 0

    async def _settle_and_record(self, call: Call, model: str, usage: LLMUsage) -> tuple[int, int]:
        charged = await self.settle(call, usage.total_tokens)
        return charged, await self.record(call, model, usage, charged, "ok")

    async def abandon(self, call: Call, outcome: CallOutcome) -> None:
        """The call produced nothing billable we know of: free the hold, record the outcome."""
        try:
            await self.budgets.release(call.reservation_id)
        except Exception as exc:
            _log.error("llm.budget.release_failed", error=type(exc).__name__)
        await self.record(call, call.models[0], LLMUsage(), 0, outcome)

    async def record(
        self, call: Call, model: str, usage: LLMUsage, charged: int, outcome: CallOutcome
    ) -> int:
        cost = cost_micro_usd(model, usage) if model in PRICES else 0
        latency_ms = round((self.clock.monotonic() - call.started) * 1000, 2)
        record = LLMUsageRecord(
            id=new_id(),
            user_id=call.user_id,
            org_id=call.org_id,
            feature=call.feature,
            provider=self._provider.adapter,
            model=model,
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            reserved_tokens=call.granted,
            charged_tokens=charged,
            cost_micro_usd=cost,
            latency_ms=latency_ms,
            outcome=outcome,
            request_id=call.request_id,
            job_id=call.job_id,
            created_at=self.clock.now(),
        )
        _log.info(
            "llm.call",
            user_id=call.user_id,
            org_id=call.org_id,
            feature=call.feature,
            model=model,
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            reserved_tokens=call.granted,
            charged_tokens=charged,
            cost_micro_usd=cost,
            latency_ms=latency_ms,
            outcome=outcome,
        )
        if usage.total_tokens > call.granted:
            _log.warning("llm.usage.over_reservation", used=usage.total_tokens, held=call.granted)
        try:
            await self._ledger.record(record)
        except Exception as exc:
            _log.error("llm.usage.record_failed", error=type(exc).__name__)
        return cost

    async def shielded(self, bookkeeping: Coroutine[Any, Any, _T]) -> _T:
        """Run `bookkeeping` to the end even if the caller is being cancelled (client gone)."""
        task = asyncio.ensure_future(bookkeeping)
        self._cleanups.add(task)
        task.add_done_callback(self._cleanups.discard)
        return await asyncio.shield(task)
