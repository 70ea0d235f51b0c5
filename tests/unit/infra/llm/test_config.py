"""The container picks LLM adapters from settings: a key selects a provider, else the fake."""

from __future__ import annotations

from collections.abc import Callable

from common.clock import SystemClock
from core.settings import Settings
from infra.budget import RedisBudgetStore, SqlBudgetStore
from infra.llm import (
    AnthropicProvider,
    FakeLLMProvider,
    OpenAIProvider,
    build_llm_provider,
)
from infra.llm.install import LLMAdapters
from web.features import build_app_container


async def test_no_key_means_the_fake_model(make_settings: Callable[..., Settings]) -> None:
    container = build_app_container(make_settings())
    try:
        assert isinstance(container.services.get(LLMAdapters).provider, FakeLLMProvider)
        assert isinstance(container.services.get(LLMAdapters).budgets, SqlBudgetStore)
        assert container.probes["llm"] is container.services.get(LLMAdapters).provider
        assert container.probes["llm"].adapter == "fake"  # type: ignore[union-attr]
    finally:
        await container.aclose()


async def test_a_key_selects_its_provider(make_settings: Callable[..., Settings]) -> None:
    openai = build_llm_provider(make_settings(OPENAI_API_KEY="sk-x"), SystemClock())
    anthropic = build_llm_provider(make_settings(ANTHROPIC_API_KEY="sk-ant-x"), SystemClock())
    try:
        assert isinstance(openai, OpenAIProvider)
        assert openai.adapter == "openai"
        assert isinstance(anthropic, AnthropicProvider)
        assert anthropic.adapter == "anthropic"
    finally:
        await openai.aclose()
        await anthropic.aclose()


async def test_redis_holds_the_budgets_when_configured(
    make_settings: Callable[..., Settings],
) -> None:
    container = build_app_container(make_settings(REDIS_URL="redis://127.0.0.1:1/0"))
    try:
        assert isinstance(container.services.get(LLMAdapters).budgets, RedisBudgetStore)
    finally:
        await container.aclose()
