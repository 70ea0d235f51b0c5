"""Where limits come from: settings defaults, or an entitled paid plan."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ai.limits import PlanBudgetLimits
from modules.billing import AccountRef, Subscription
from policies.budgets import BudgetLimits
from policies.plans import PLANS

DEFAULTS = BudgetLimits(
    user_hourly_tokens=111,
    user_daily_tokens=222,
    org_daily_tokens=333,
    feature_daily_tokens={"report.generate": 44},
)


class Subscriptions:
    def __init__(self, **by_account: tuple[str, str]) -> None:
        self._by_account = by_account

    async def subscriptions_of(self, account: AccountRef) -> list[Subscription]:
        found = self._by_account.get(f"{account.type}_{account.id}")
        if found is None:
            return []
        plan, status = found
        return [
            Subscription(
                stripe_subscription_id="sub_1",
                account=account,
                plan=plan,
                status=status,
                current_period_end=None,
                cancel_at_period_end=False,
                version=1,
                updated_at=datetime(2026, 1, 1, tzinfo=UTC),
            )
        ]


async def test_no_subscription_means_the_defaults() -> None:
    source = PlanBudgetLimits(DEFAULTS, Subscriptions())  # type: ignore[arg-type]
    assert await source.limits_for("u1", None) == DEFAULTS


async def test_an_entitled_plan_overrides_the_defaults() -> None:
    source = PlanBudgetLimits(DEFAULTS, Subscriptions(user_u1=("pro", "active")))  # type: ignore[arg-type]

    limits = await source.limits_for("u1", None)

    pro = PLANS["pro"].entitlements
    assert limits.user_hourly_tokens == pro.llm_user_hourly_tokens
    assert limits.user_daily_tokens == pro.llm_user_daily_tokens
    assert limits.org_daily_tokens is None  # pro has no org pool
    assert limits.feature_daily_tokens == {"report.generate": 44}


async def test_on_an_org_the_orgs_plan_pays() -> None:
    source = PlanBudgetLimits(DEFAULTS, Subscriptions(org_o1=("team", "trialing")))  # type: ignore[arg-type]

    limits = await source.limits_for("u1", "o1")

    assert limits.org_daily_tokens == PLANS["team"].entitlements.llm_org_daily_tokens


@pytest.mark.parametrize("subscription", [("pro", "canceled"), ("platinum", "active")])
async def test_a_lapsed_or_unknown_plan_means_the_defaults(subscription: tuple[str, str]) -> None:
    source = PlanBudgetLimits(DEFAULTS, Subscriptions(user_u1=subscription))  # type: ignore[arg-type]
    assert await source.limits_for("u1", None) == DEFAULTS
