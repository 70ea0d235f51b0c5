"""The gateway assembled from the container: one `LLMClient` per container, for its lifetime.

One client per container (not per request) because its circuit breakers remember what this
process has seen of the provider.
"""

from __future__ import annotations

from weakref import WeakKeyDictionary

from ai import GatewayConfig, LLMClient
from ai.limits import BudgetLimitsSource, PlanBudgetLimits, StaticBudgetLimits
from core.errors import NotFoundError
from core.llm_settings import LLMSettings
from core.ports.org_roles import OrgRoles
from core.ports.plans import PlanLookup
from core.settings import Settings
from infra.container import Container
from infra.llm.install import LLMAdapters
from policies.budgets import BudgetLimits

__all__ = ["budget_limits", "gateway_config", "llm_client", "require_org_member"]

_clients: WeakKeyDictionary[Container, LLMClient] = WeakKeyDictionary()


def gateway_config(settings: Settings) -> GatewayConfig:
    llm = settings.section(LLMSettings)
    return GatewayConfig(
        default_model=llm.llm_model,
        fallback_model=llm.llm_fallback_model,
        call_timeout_seconds=llm.llm_timeout_seconds,
        deadline_seconds=llm.llm_deadline_seconds,
        max_attempts=llm.llm_max_attempts,
        max_tokens_limit=llm.llm_max_tokens,
    )


def llm_client(container: Container) -> LLMClient:
    """The container's gateway (built on first use); the worker uses the same function."""
    client = _clients.get(container)
    if client is None:
        settings = container.settings
        adapters = container.services.get(LLMAdapters)
        client = LLMClient(
            provider=adapters.provider,
            budgets=adapters.budgets,
            ledger=adapters.usage,
            limits=budget_limits(container),
            clock=container.clock,
            config=gateway_config(settings),
        )
        _clients[container] = client
    return client


def budget_limits(container: Container) -> BudgetLimitsSource:
    """Plan allowances when the billing feature is installed, else the settings defaults."""
    defaults = BudgetLimits.from_settings(container.settings)
    plans = container.services.find(PlanLookup)
    return StaticBudgetLimits(defaults) if plans is None else PlanBudgetLimits(defaults, plans)


async def require_org_member(container: Container, user_id: str, org_id: str | None) -> None:
    """Only a member may spend an org's budget; others (and any org without the organisations
    feature) get 404: the org is not theirs."""
    if org_id is None:
        return
    roles = container.services.find(OrgRoles)
    if roles is None or await roles.role_of(org_id, user_id) is None:
        raise NotFoundError("No such organisation", slug="not-found")
