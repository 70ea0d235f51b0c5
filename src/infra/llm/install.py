"""Install the LLM gateway's adapters on a container (the AI feature's `install`)."""

from __future__ import annotations

from dataclasses import dataclass

from core.ports.budget import BudgetStore
from core.ports.llm import LLMProvider
from core.ports.llm_usage import LLMUsageLedger
from infra.container import Container
from infra.llm.config import build_budget_store, build_llm_provider
from infra.llm.usage_sql import SqlLLMUsageLedger

__all__ = ["LLMAdapters", "install_llm"]


@dataclass(slots=True)
class LLMAdapters:
    provider: LLMProvider
    """OpenAI or Anthropic when a key is set, else the deterministic fake model."""
    budgets: BudgetStore
    usage: LLMUsageLedger


def install_llm(container: Container) -> None:
    settings = container.settings
    adapters = LLMAdapters(
        provider=build_llm_provider(settings, container.clock),
        budgets=build_budget_store(settings, container.database, container.redis, container.clock),
        usage=SqlLLMUsageLedger(container.database),
    )
    container.services.provide(LLMAdapters, adapters)
    container.probes["llm"] = adapters.provider
    container.closers.append(adapters.provider.aclose)
