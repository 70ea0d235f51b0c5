"""Pick the LLM adapters from settings: a provider when its key is set, else the fake model."""

from __future__ import annotations

from redis.asyncio import Redis

from core.llm_settings import LLMSettings
from core.ports.budget import BudgetStore
from core.ports.clock import Clock
from core.ports.llm import LLMProvider
from core.settings import Settings
from infra.budget import RedisBudgetStore, SqlBudgetStore
from infra.db.engine import Database
from infra.llm.anthropic import AnthropicProvider
from infra.llm.fake import FakeLLMProvider
from infra.llm.openai import OpenAIProvider

__all__ = ["build_budget_store", "build_llm_provider"]


def build_llm_provider(settings: Settings, clock: Clock) -> LLMProvider:
    """OpenAI when `OPENAI_API_KEY` is set, else Anthropic with `ANTHROPIC_API_KEY`, else fake."""
    llm = settings.section(LLMSettings)
    if llm.openai_api_key:
        return OpenAIProvider(llm.openai_api_key, clock=clock, base_url=llm.openai_base_url)
    if llm.anthropic_api_key:
        return AnthropicProvider(
            llm.anthropic_api_key, clock=clock, base_url=llm.anthropic_base_url
        )
    return FakeLLMProvider()


def build_budget_store(
    settings: Settings, database: Database, redis: Redis | None, clock: Clock
) -> BudgetStore:
    """Redis when `REDIS_URL` is set, else the database: budgets must survive a restart."""
    if redis is not None:
        return RedisBudgetStore(redis, clock, settings.redis_key_prefix)
    return SqlBudgetStore(database, clock)
