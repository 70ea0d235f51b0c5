"""SQL usage ledger: one `llm_usage` row per gateway call, always on the database (never Redis)."""

from __future__ import annotations

from datetime import datetime
from typing import cast

import msgspec
from sqlalchemy import Table, func, select

from core.ports.llm_usage import FeatureSpend, LLMUsageRecord
from infra.db.engine import Database
from infra.db.tables.llm import LlmUsageRow

__all__ = ["SqlLLMUsageLedger"]

_U = cast(Table, LlmUsageRow.__table__)


class SqlLLMUsageLedger:
    def __init__(self, database: Database) -> None:
        self.adapter = database.adapter
        self._database = database

    async def record(self, record: LLMUsageRecord) -> None:
        async with self._database.session() as session, session.begin():
            await session.execute(_U.insert().values(**msgspec.structs.asdict(record)))

    async def spend_by_feature(
        self, *, user_id: str, since: datetime, org_id: str | None = None
    ) -> dict[str, FeatureSpend]:
        owner = _U.c.user_id == user_id if org_id is None else _U.c.org_id == org_id
        query = (
            select(
                _U.c.feature,
                func.sum(_U.c.input_tokens + _U.c.output_tokens),
                func.sum(_U.c.cost_micro_usd),
            )
            .where(owner, _U.c.created_at >= since)
            .group_by(_U.c.feature)
        )
        async with self._database.session() as session:
            rows = (await session.execute(query)).all()
        return {
            feature: FeatureSpend(tokens=int(tokens or 0), cost_micro_usd=int(cost or 0))
            for feature, tokens, cost in rows
        }

    async def ping(self) -> None:
        await self._database.ping()
