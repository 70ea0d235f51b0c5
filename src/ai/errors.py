"""Errors the gateway raises; `web` maps them to problem+json like every `core.errors` type."""

from __future__ import annotations

from core.errors import RateLimitedError, ServiceUnavailableError, UnprocessableError

__all__ = [
    "BudgetExceededError",
    "JobBudgetExceededError",
    "LLMRejectedError",
    "LLMUnavailableError",
    "ModelOutputError",
]


class BudgetExceededError(RateLimitedError):
    """429 `budget-exceeded`: a window cannot cover the call; `retry_after` is its reset."""

    slug = "budget-exceeded"
    title = "LLM budget exceeded"

    def __init__(self, detail: str, *, scope: str, retry_after: int) -> None:
        super().__init__(detail, retry_after=retry_after)
        self.scope = scope


class JobBudgetExceededError(BudgetExceededError):
    """The job's own cap is spent: the job must fail for good, with reason `budget_exceeded`."""

    reason = "budget_exceeded"


class LLMUnavailableError(ServiceUnavailableError):
    """503: the provider failed, timed out or its circuit is open (never the caller's fault)."""

    slug = "llm-unavailable"
    title = "LLM provider unavailable"


class LLMRejectedError(UnprocessableError):
    """422: the provider refused this request as such (too long a prompt, say)."""

    slug = "llm-request-rejected"
    title = "LLM request rejected"


class ModelOutputError(ServiceUnavailableError):
    """The model answered, but not in the shape a feature needs (malformed JSON, wrong fields)."""

    slug = "invalid-model-output"
    title = "Model output rejected"
