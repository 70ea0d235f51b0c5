"""The plan other features see an account on: only an entitled subscription counts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from modules.billing import AccountRef, Subscription
from modules.billing.plan_lookup import SubscriptionPlans


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


async def test_no_subscription_means_no_plan() -> None:
    plans = SubscriptionPlans(Subscriptions())  # type: ignore[arg-type]
    assert await plans.entitled_plan("user", "u1") is None


@pytest.mark.parametrize("status", ["active", "trialing", "past_due"])
async def test_an_entitled_subscription_gives_its_plan(status: str) -> None:
    plans = SubscriptionPlans(Subscriptions(org_o1=("team", status)))  # type: ignore[arg-type]
    assert await plans.entitled_plan("org", "o1") == "team"
    assert await plans.entitled_plan("user", "o1") is None


@pytest.mark.parametrize("status", ["canceled", "incomplete_expired", "unpaid", "incomplete"])
async def test_a_lapsed_subscription_gives_no_plan(status: str) -> None:
    plans = SubscriptionPlans(Subscriptions(user_u1=("pro", status)))  # type: ignore[arg-type]
    assert await plans.entitled_plan("user", "u1") is None
