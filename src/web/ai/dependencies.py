"""The gateway assembled from the container: one `LLMClient` per container, for its lifetime.

One client per container (not per request) because its circuit breakers remember what this
process has seen of the provider.
"""

from __future__ import annotations

from weakref import WeakKeyDictionary

from ai import GatewayConfig, LLMClient
from ai.limits import PlanBudgetLimits
from core.errors import NotFoundError
from core.settings import Settings
from infra.container import Container
from policies.budgets import BudgetLimits

__all__ = ["gateway_config", "llm_client", "require_org_member"]

_clients: WeakKeyDictionary[Container, LLMClient] = WeakKeyDictionary()


def gateway_config(settings: Settings) -> GatewayConfig:
    return GatewayConfig(
        default_model=settings.llm_model,
        fallback_model=settings.llm_fallback_model,
        call_timeout_seconds=settings.llm_timeout_seconds,
        deadline_seconds=settings.llm_deadline_seconds,
        max_attempts=settings.llm_max_attempts,
        max_tokens_limit=settings.llm_max_tokens,
    )


def llm_client(container: Container) -> LLMClient:
    """The container's gateway (built on first use); the worker uses the same function."""
    client = _clients.get(container)
    if client is None:
        settings = container.settings
        client = LLMClient(
            provider=container.llm_provider,
            budgets=container.budgets,
            ledger=container.llm_usage,
            limits=PlanBudgetLimits(BudgetLimits.from_settings(settings), container.billing),
            clock=container.clock,
            config=gateway_config(settings),
        )
        _clients[container] = client
    return client


async def require_org_member(container: Container, user_id: str, org_id: str | None) -> None:
    """Only a member may spend an org's budget; others get 404 (the org is not theirs)."""
    if org_id is None:
        return
    if await container.users.orgs.get(org_id, user_id) is None:
        raise NotFoundError("No such organisation", slug="not-found")
