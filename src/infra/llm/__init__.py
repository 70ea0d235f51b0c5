"""LLM adapters: providers (OpenAI, Anthropic, the fake model) and the usage ledger."""

from infra.llm.anthropic import AnthropicProvider
from infra.llm.config import build_budget_store, build_llm_provider
from infra.llm.fake import FakeBehaviour, FakeLLMProvider
from infra.llm.openai import OpenAIProvider
from infra.llm.usage_memory import MemoryLLMUsageLedger
from infra.llm.usage_sql import SqlLLMUsageLedger

__all__ = [
    "AnthropicProvider",
    "FakeBehaviour",
    "FakeLLMProvider",
    "MemoryLLMUsageLedger",
    "OpenAIProvider",
    "SqlLLMUsageLedger",
    "build_budget_store",
    "build_llm_provider",
]
