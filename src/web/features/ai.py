"""The LLM gateway: completions and streams paid from per-user, per-org and per-feature budgets."""

from core.llm_settings import LLMSettings
from infra.llm.install import install_llm
from web.ai import AIController
from web.features import Feature

FEATURE = Feature(
    name="ai",
    routes=(AIController,),
    settings=LLMSettings,
    install=install_llm,
    migrations="llm",
)
