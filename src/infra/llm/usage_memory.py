"""In-process usage ledger, for unit tests."""

from __future__ import annotations

from datetime import datetime

from core.ports.llm_usage import FeatureSpend, LLMUsageRecord

__all__ = ["MemoryLLMUsageLedger"]


class MemoryLLMUsageLedger:
    adapter = "memory"

    def __init__(self) -> None:
        self.records: list[LLMUsageRecord] = []

    async def record(self, record: LLMUsageRecord) -> None:
        self.records.append(record)

    async def spend_by_feature(
        self, *, user_id: str, since: datetime, org_id: str | None = None
    ) -> dict[str, FeatureSpend]:
        spend: dict[str, FeatureSpend] = {}
        for r in self.records:
            mine = r.user_id == user_id if org_id is None else r.org_id == org_id
            if not mine or r.created_at < since:
                continue
            before = spend.get(r.feature, FeatureSpend(tokens=0, cost_micro_usd=0))
            spend[r.feature] = FeatureSpend(
                tokens=before.tokens + r.input_tokens + r.output_tokens,
                cost_micro_usd=before.cost_micro_usd + r.cost_micro_usd,
            )
        return spend

    async def ping(self) -> None:
        return None
