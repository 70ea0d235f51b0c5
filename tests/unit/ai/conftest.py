"""A gateway wired to in-memory adapters and the fake model, on a clock the test controls."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from ai import GatewayConfig, LLMClient, StaticBudgetLimits
from core.ports.budget import BudgetStore
from core.ports.llm import ChatMessage
from infra.budget import MemoryBudgetStore
from infra.llm import FakeLLMProvider, MemoryLLMUsageLedger
from policies.budgets import BudgetLimits
from tests.conftest import FakeClock

DEFAULT_LIMITS = BudgetLimits(
    user_hourly_tokens=10_000, user_daily_tokens=50_000, org_daily_tokens=100_000
)
PROMPT = [ChatMessage(role="user", content="Summarise our quarter in one line.")]


@dataclass
class Rig:
    client: LLMClient
    provider: FakeLLMProvider
    budgets: BudgetStore
    ledger: MemoryLLMUsageLedger
    clock: FakeClock
    sleeps: list[float] = field(default_factory=list)

    async def used_and_reserved(self, user_id: str = "u1") -> tuple[int, int]:
        report = await self.client.usage(user_id)
        hourly = report.windows[0]
        return hourly.used_tokens, hourly.reserved_tokens


MakeRig = Callable[..., Rig]


@pytest.fixture
def make_rig(clock: FakeClock) -> MakeRig:
    def factory(
        *,
        limits: BudgetLimits = DEFAULT_LIMITS,
        config: GatewayConfig | None = None,
        budgets: BudgetStore | None = None,
        provider: FakeLLMProvider | None = None,
    ) -> Rig:
        sleeps: list[float] = []

        async def sleep(seconds: float) -> None:
            sleeps.append(seconds)
            clock.advance(seconds)

        fake = provider or FakeLLMProvider(sleep=sleep)
        store = budgets or MemoryBudgetStore(clock)
        ledger = MemoryLLMUsageLedger()
        client = LLMClient(
            provider=fake,
            budgets=store,
            ledger=ledger,
            limits=StaticBudgetLimits(limits),
            clock=clock,
            config=config,
            sleep=sleep,
            rng=random.Random(7),
        )
        return Rig(client, fake, store, ledger, clock, sleeps)

    return factory


@pytest.fixture
def rig(make_rig: MakeRig) -> Rig:
    return make_rig()
