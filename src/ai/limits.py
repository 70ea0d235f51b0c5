"""Where the gateway gets each caller's budget limits: settings defaults, or the payer's plan."""

from __future__ import annotations

from typing import Protocol

from modules.billing import AccountRef, BillingStore, current_subscription
from policies.budgets import BudgetLimits, for_plan
from policies.plans import ENTITLED_STATUSES, get_plan

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

    The payer is the org when the call is made on an org's behalf, else the user. Only an
    entitled subscription (active, trialing, past due) counts; per-feature caps always come
    from the defaults.
    """

    def __init__(self, defaults: BudgetLimits, billing: BillingStore) -> None:
        self._defaults = defaults
        self._billing = billing

    async def limits_for(self, user_id: str, org_id: str | None) -> BudgetLimits:
        account = (
            AccountRef(type="org", id=org_id) if org_id else AccountRef(type="user", id=user_id)
        )
        subscription = current_subscription(await self._billing.subscriptions_of(account))
        if subscription is None or subscription.status not in ENTITLED_STATUSES:
            return self._defaults
        plan = get_plan(subscription.plan)
        return self._defaults if plan is None else for_plan(self._defaults, plan.entitlements)
