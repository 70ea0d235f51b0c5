"""LLM usage ledger port: one record per gateway call, for cost attribution and reporting."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, Protocol

import msgspec

__all__ = ["CallOutcome", "FeatureSpend", "LLMUsageLedger", "LLMUsageRecord"]

CallOutcome = Literal["ok", "cut", "error", "timeout", "unavailable", "cancelled"]
"""`cut`: a stream stopped because its budget ran out; `unavailable`: circuit open."""


class LLMUsageRecord(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    user_id: str
    org_id: str | None
    feature: str
    provider: str
    model: str
    input_tokens: int
    output_tokens: int
    reserved_tokens: int
    """What the call held against the budget before the provider answered."""
    charged_tokens: int
    """What the budget windows were charged when the call settled."""
    cost_micro_usd: int
    latency_ms: float
    outcome: CallOutcome
    request_id: str | None
    job_id: str | None
    created_at: datetime


class FeatureSpend(msgspec.Struct, frozen=True, kw_only=True):
    tokens: int
    cost_micro_usd: int


class LLMUsageLedger(Protocol):
    @property
    def adapter(self) -> str: ...

    async def record(self, record: LLMUsageRecord) -> None: ...

    async def spend_by_feature(
        self, *, user_id: str, since: datetime, org_id: str | None = None
    ) -> dict[str, FeatureSpend]:
        """Tokens and cost per feature of the user's calls (or the org's, when given) since."""
        ...
