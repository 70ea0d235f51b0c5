"""Run one claimed job: timeout per attempt, retry with backoff, or dead-letter.

A dead letter is never lost: the job stays stored as `dead` with its last error, a
`job.dead_letter` event is logged, and `bulkhead jobs retry JOB_ID` puts it back.
"""

from __future__ import annotations

import asyncio
import random
from typing import Any, Literal

import msgspec

from background.jobs.registry import JobContext, JobDefinition, JobRegistry
from core.logging import get_logger
from core.ports.jobs import Claim, JobStore
from policies.retry import BackoffPolicy

__all__ = ["NonRetryableError", "Outcome", "RetryableJobRunner"]

Outcome = Literal["done", "retry", "dead", "lost"]
"""`lost`: the lease was lost meanwhile, so the result was discarded (fenced)."""

_log = get_logger(__name__)


class NonRetryableError(Exception):
    """Raised by a handler when trying again cannot help: the job goes straight to dead."""


class RetryableJobRunner:
    def __init__(
        self,
        store: JobStore,
        registry: JobRegistry,
        *,
        backoff: BackoffPolicy | None = None,
        timeout_seconds: float = 300.0,
        rng: random.Random | None = None,
    ) -> None:
        self._store = store
        self._registry = registry
        self._backoff = backoff or BackoffPolicy()
        self._timeout = timeout_seconds
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not security

    async def run(self, claim: Claim) -> Outcome:
        job = claim.job
        definition = self._registry.get(job.name)
        if definition is None:
            return await self._dead(claim, "unknown_job", f"no handler for {job.name!r}")
        try:
            payload = definition.decode(job.payload)
        except msgspec.DecodeError as exc:
            return await self._dead(claim, "invalid_payload", str(exc))
        return await self._attempt(claim, definition, payload)

    async def _attempt(self, claim: Claim, definition: JobDefinition[Any], payload: Any) -> Outcome:
        job = claim.job
        context = JobContext(
            job_id=job.id,
            name=job.name,
            attempt=claim.attempt,
            max_attempts=job.max_attempts,
            owner_id=job.owner_id,
            created_at=job.created_at,
        )
        timeout = definition.timeout_seconds or self._timeout
        try:
            result = await asyncio.wait_for(self._call(definition, payload, context), timeout)
        except NonRetryableError as exc:
            return await self._dead(claim, "non_retryable", _describe(exc))
        except TimeoutError:
            return await self._failed(claim, "timeout", f"attempt exceeded {timeout:g}s")
        except Exception as exc:
            return await self._failed(claim, "error", _describe(exc))
        encoded = None if result is None else msgspec.json.encode(result)
        if not await self._store.complete(job.id, claim.token, encoded):
            return self._lost(claim, "complete")
        _log.info("job.done", job_id=job.id, name=job.name, attempt=claim.attempt)
        return "done"

    @staticmethod
    async def _call(definition: JobDefinition[Any], payload: Any, context: JobContext) -> Any:
        if definition.threaded:
            return await asyncio.to_thread(definition.handler, payload, context)
        return await definition.handler(payload, context)

    def delay_for(self, attempt: int) -> float:
        return self._backoff.delay(attempt, self._rng.random())

    async def _failed(self, claim: Claim, reason: str, error: str) -> Outcome:
        job = claim.job
        if claim.attempt >= job.max_attempts:
            return await self._dead(claim, "attempts_exhausted", error)
        delay = self.delay_for(claim.attempt)
        state = await self._store.fail(job.id, claim.token, error, retry_delay=delay)
        if state is None:
            return self._lost(claim, "fail")
        if state == "dead":
            self._log_dead(claim, "attempts_exhausted", error)
            return "dead"
        _log.warning(
            "job.retry",
            job_id=job.id,
            name=job.name,
            attempt=claim.attempt,
            reason=reason,
            error=error,
            retry_in_seconds=round(delay, 3),
        )
        return "retry"

    async def _dead(self, claim: Claim, reason: str, error: str) -> Outcome:
        state = await self._store.fail(claim.job.id, claim.token, error, retry_delay=None)
        if state is None:
            return self._lost(claim, "fail")
        self._log_dead(claim, reason, error)
        return "dead"

    @staticmethod
    def _log_dead(claim: Claim, reason: str, error: str) -> None:
        _log.error(
            "job.dead_letter",
            job_id=claim.job.id,
            name=claim.job.name,
            attempt=claim.attempt,
            reason=reason,
            error=error,
        )

    @staticmethod
    def _lost(claim: Claim, action: str) -> Outcome:
        _log.warning(
            "job.lease_lost",
            job_id=claim.job.id,
            name=claim.job.name,
            attempt=claim.attempt,
            action=action,
        )
        return "lost"


def _describe(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
