"""What the gateway takes and gives back (msgspec Structs; the web layer maps them to JSON)."""

from __future__ import annotations

from datetime import datetime

import msgspec

from core.ports.llm import FinishReason, LLMUsage
from core.ports.llm_usage import FeatureSpend

__all__ = ["GatewayConfig", "JobBudget", "LLMResult", "UsageReport", "WindowReport"]


class GatewayConfig(msgspec.Struct, frozen=True, kw_only=True):
    default_model: str | None = None
    """None: the provider's default."""
    fallback_model: str | None = None
    call_timeout_seconds: float = 30.0
    deadline_seconds: float = 90.0
    """All attempts of one call, retries and fallback included."""
    max_attempts: int = 3
    max_tokens_limit: int = 4096
    backoff_base_seconds: float = 0.5
    backoff_max_seconds: float = 8.0
    breaker_failures: int = 5
    breaker_reset_seconds: float = 30.0
    stream_max_seconds: float = 300.0
    stream_min_output_tokens: int = 16
    """A stream may start on a partial budget, if at least this many output tokens fit."""
    hold_margin_seconds: float = 60.0
    """How much longer than the call may last a hold lives (then it lapses on its own)."""


class JobBudget(msgspec.Struct, frozen=True, kw_only=True):
    """A job's own token cap, enforced by the gateway alongside the user and org windows."""

    job_id: str
    limit_tokens: int
    expires_at: datetime


class LLMResult(msgspec.Struct, frozen=True, kw_only=True):
    text: str
    model: str
    usage: LLMUsage
    cost_micro_usd: int
    finish_reason: FinishReason
    reserved_tokens: int
    charged_tokens: int

    @property
    def cost_usd(self) -> float:
        return self.cost_micro_usd / 1_000_000


class WindowReport(msgspec.Struct, frozen=True, kw_only=True):
    scope: str
    period: str
    limit_tokens: int
    used_tokens: int
    reserved_tokens: int
    resets_at: datetime


class UsageReport(msgspec.Struct, frozen=True, kw_only=True):
    windows: list[WindowReport]
    by_feature: dict[str, FeatureSpend]
    since: datetime
    """`by_feature` counts calls from here (the start of the current UTC day)."""
