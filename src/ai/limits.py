"""Where the gateway gets each caller's budget limits: settings defaults, or the payer's plan."""

from __future__ import annotations

from typing import Protocol

from core.ports.plans import PlanLookup
from policies.budgets import BudgetLimits, for_plan
from policies.plans import get_plan

__all__ = ["BudgetLimitsSource", "PlanBudgetLimits", "StaticBudgetLimits"]


class BudgetLimitsSource(Protocol):
    async def limits_for(self, user_id: str, org_id: str | None) -> BudgetLimits: ...


class StaticBudgetLimits:
    """Everyone gets the same limits (the settings defaults)."""

    def __init__(self, limits: BudgetLimits) -> None:
        self._limits = limits

    async def limits_for(self, user_id: str, org_id: str | None) -> BudgetLimits:
        return self._limits


class PlanBudgetLimits:
    """A paid plan's allowance replaces the defaults; everyone else gets the defaults.

    The payer is the org when the call is made on an org's behalf, else the user; `plans`
    (the billing feature) says which plan it is entitled to. Per-feature caps always come
    from the defaults.
    """

    def __init__(self, defaults: BudgetLimits, plans: PlanLookup) -> None:
        self._defaults = defaults
        self._plans = plans

    async def limits_for(self, user_id: str, org_id: str | None) -> BudgetLimits:
        if org_id:
            plan_id = await self._plans.entitled_plan("org", org_id)
        else:
            plan_id = await self._plans.entitled_plan("user", user_id)
        plan = get_plan(plan_id) if plan_id else None
        return self._defaults if plan is None else for_plan(self._defaults, plan.entitlements)
