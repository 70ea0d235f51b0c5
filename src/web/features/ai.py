"""The LLM gateway: completions and streams paid from per-user, per-org and per-feature budgets."""

from core.llm_settings import LLMSettings
from infra.llm.install import install_llm
from web.ai import AIController
from web.ai.jobs import register_ai_jobs
from web.features import Feature

FEATURE = Feature(
    name="ai",
    summary=__doc__ or "",
    routes=(AIController,),
    jobs=(register_ai_jobs,),
    settings=LLMSettings,
    install=install_llm,
    migrations="llm",
)
