"""Where limits come from: settings defaults, or the plan the payer is entitled to."""

from __future__ import annotations

from ai.limits import PlanBudgetLimits
from core.ports.plans import AccountKind
from policies.budgets import BudgetLimits
from policies.plans import PLANS

DEFAULTS = BudgetLimits(
    user_hourly_tokens=111,
    user_daily_tokens=222,
    org_daily_tokens=333,
    feature_daily_tokens={"report.generate": 44},
)


class Plans:
    """`PlanLookup` from a table: `user_u1="pro"` puts user u1 on pro."""

    def __init__(self, **by_account: str) -> None:
        self._by_account = by_account

    async def entitled_plan(self, kind: AccountKind, account_id: str) -> str | None:
        return self._by_account.get(f"{kind}_{account_id}")


async def test_no_plan_means_the_defaults() -> None:
    source = PlanBudgetLimits(DEFAULTS, Plans())
    assert await source.limits_for("u1", None) == DEFAULTS


async def test_an_entitled_plan_overrides_the_defaults() -> None:
    source = PlanBudgetLimits(DEFAULTS, Plans(user_u1="pro"))

    limits = await source.limits_for("u1", None)

    pro = PLANS["pro"].entitlements
    assert limits.user_hourly_tokens == pro.llm_user_hourly_tokens
    assert limits.user_daily_tokens == pro.llm_user_daily_tokens
    assert limits.org_daily_tokens is None  # pro has no org pool
    assert limits.feature_daily_tokens == {"report.generate": 44}


async def test_on_an_org_the_orgs_plan_pays() -> None:
    source = PlanBudgetLimits(DEFAULTS, Plans(org_o1="team", user_u1="pro"))

    limits = await source.limits_for("u1", "o1")

    assert limits.org_daily_tokens == PLANS["team"].entitlements.llm_org_daily_tokens


async def test_an_unknown_plan_means_the_defaults() -> None:
    source = PlanBudgetLimits(DEFAULTS, Plans(user_u1="platinum"))
    assert await source.limits_for("u1", None) == DEFAULTS
