"""Layer 7: the LLM gateway (`LLMClient`) and the AI features built on it.

Every model call in Bulkhead goes through `LLMClient`: it reserves budget before calling,
settles after, and records cost per feature.
"""

from ai._stream import LLMStream
from ai.errors import (
    BudgetExceededError,
    JobBudgetExceededError,
    LLMRejectedError,
    LLMUnavailableError,
    ModelOutputError,
)
from ai.gateway import LLMClient
from ai.limits import BudgetLimitsSource, StaticBudgetLimits
from ai.pricing import PRICES, cost_micro_usd
from ai.types import GatewayConfig, JobBudget, LLMResult, UsageReport, WindowReport

__all__ = [
    "PRICES",
    "BudgetExceededError",
    "BudgetLimitsSource",
    "GatewayConfig",
    "JobBudget",
    "JobBudgetExceededError",
    "LLMClient",
    "LLMRejectedError",
    "LLMResult",
    "LLMStream",
    "LLMUnavailableError",
    "ModelOutputError",
    "StaticBudgetLimits",
    "UsageReport",
    "WindowReport",
    "cost_micro_usd",
]
