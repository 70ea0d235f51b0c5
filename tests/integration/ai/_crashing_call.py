"""A process that reserves budget for a call and then dies before it can settle.

    python -m tests.integration.ai._crashing_call ADAPTER URL REDIS_PREFIX USER_ID

Prints the moment of the reservation once the hold is in place and the provider has been
called (it never answers); the test then kills this process with SIGKILL.
"""

from __future__ import annotations

import asyncio
import sys

from redis.asyncio import Redis

from ai import LLMClient, StaticBudgetLimits
from common.clock import SystemClock
from core.ports.budget import BudgetStore
from core.ports.llm import ChatMessage
from infra.budget import RedisBudgetStore, SqlBudgetStore
from infra.db.engine import create_database
from infra.llm import FakeBehaviour, FakeLLMProvider, MemoryLLMUsageLedger
from policies.budgets import BudgetLimits

LIMITS = BudgetLimits(user_hourly_tokens=1000, user_daily_tokens=1000, org_daily_tokens=None)
PROMPT = [ChatMessage(role="user", content="Write something long.")]
MAX_TOKENS = 500


async def main(adapter: str, url: str, prefix: str, user_id: str) -> None:
    clock = SystemClock()
    store: BudgetStore = (
        RedisBudgetStore(Redis.from_url(url), clock, prefix)
        if adapter == "redis"
        else SqlBudgetStore(create_database(url), clock)
    )
    provider = FakeLLMProvider(behaviour=FakeBehaviour(fail_next=1, failure="hang"))
    client = LLMClient(
        provider=provider,
        budgets=store,
        ledger=MemoryLLMUsageLedger(),
        limits=StaticBudgetLimits(LIMITS),
        clock=clock,
    )
    started = clock.now()
    call = asyncio.create_task(
        client.complete(user_id=user_id, feature="chat", messages=PROMPT, max_tokens=MAX_TOKENS)
    )
    await provider.called.wait()
    print(started.isoformat(), flush=True)
    await call


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5]))
