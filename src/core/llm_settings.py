"""The AI feature's settings: provider keys, the gateway's limits and the default budgets.

In `core` because the provider adapters (`infra`), the budget rules (`policies`) and the
gateway (`ai`) all read them.
"""

from __future__ import annotations

from core.errors import ConfigurationError
from core.settings import Settings, SettingsSection, positive

__all__ = ["LLMSettings"]


class LLMSettings(SettingsSection, kw_only=True, frozen=True):
    openai_api_key: str | None = None
    anthropic_api_key: str | None = None
    openai_base_url: str = "https://api.openai.com/v1"
    anthropic_base_url: str = "https://api.anthropic.com"
    llm_model: str | None = None
    llm_fallback_model: str | None = None
    llm_timeout_seconds: float = 30.0
    llm_deadline_seconds: float = 90.0
    llm_max_attempts: int = 3
    llm_max_tokens: int = 4096
    llm_budget_user_hourly_tokens: int = 20_000
    llm_budget_user_daily_tokens: int = 100_000
    llm_budget_org_daily_tokens: int = 1_000_000
    llm_budget_feature_daily_tokens: str = ""

    def check(self, settings: Settings) -> None:
        positive(
            self,
            "llm_timeout_seconds",
            "llm_deadline_seconds",
            "llm_max_attempts",
            "llm_max_tokens",
        )
        for field in (
            "llm_budget_user_hourly_tokens",
            "llm_budget_user_daily_tokens",
            "llm_budget_org_daily_tokens",
        ):
            if getattr(self, field) < 0:
                raise ConfigurationError(f"{field.upper()}: must be zero or more")
