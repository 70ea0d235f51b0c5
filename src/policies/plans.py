"""Plans, their prices and entitlements, in one place; billing gates are pure functions of them.

Guards on routes ask `can_use(plan, "api_access")`; the AI budgets read the token allowances
with `limit_of(plan, "llm_user_daily_tokens")`. Which plan an account is on comes from its
subscription: `effective_plan(plan_id, status)`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import msgspec

__all__ = [
    "ENTITLED_STATUSES",
    "PLANS",
    "PLAN_IDS",
    "TERMINAL_STATUSES",
    "BooleanEntitlement",
    "Entitlements",
    "Interval",
    "Plan",
    "PlanId",
    "QuotaEntitlement",
    "can_use",
    "effective_plan",
    "get_plan",
    "limit_of",
    "paid_plans",
]

PlanId = Literal["free", "pro", "team"]
Interval = Literal["month", "year"]
QuotaEntitlement = Literal[
    "seats",
    "projects",
    "llm_user_hourly_tokens",
    "llm_user_daily_tokens",
    "llm_org_hourly_tokens",
    "llm_org_daily_tokens",
]
BooleanEntitlement = Literal["api_access", "priority_support"]

ENTITLED_STATUSES = frozenset({"active", "trialing", "past_due"})
"""Subscription statuses that grant the plan; `past_due` keeps access while Stripe retries."""
TERMINAL_STATUSES = frozenset({"canceled", "incomplete_expired"})
"""Stripe never revives a subscription in these statuses, so no later event may leave them."""


class Entitlements(msgspec.Struct, frozen=True, kw_only=True):
    seats: int
    projects: int
    llm_user_hourly_tokens: int
    llm_user_daily_tokens: int
    llm_org_hourly_tokens: int
    llm_org_daily_tokens: int
    """Shared by every member of an org on this plan; 0 means no org pool."""
    api_access: bool
    priority_support: bool


class Plan(msgspec.Struct, frozen=True, kw_only=True):
    id: PlanId
    name: str
    price_cents: int
    currency: str
    interval: Interval
    entitlements: Entitlements

    @property
    def is_paid(self) -> bool:
        return self.price_cents > 0


PLANS: Mapping[PlanId, Plan] = {
    "free": Plan(
        id="free",
        name="Free",
        price_cents=0,
        currency="usd",
        interval="month",
        entitlements=Entitlements(
            seats=1,
            projects=3,
            llm_user_hourly_tokens=5_000,
            llm_user_daily_tokens=20_000,
            llm_org_hourly_tokens=0,
            llm_org_daily_tokens=0,
            api_access=False,
            priority_support=False,
        ),
    ),
    "pro": Plan(
        id="pro",
        name="Pro",
        price_cents=1_900,
        currency="usd",
        interval="month",
        entitlements=Entitlements(
            seats=1,
            projects=50,
            llm_user_hourly_tokens=100_000,
            llm_user_daily_tokens=500_000,
            llm_org_hourly_tokens=0,
            llm_org_daily_tokens=0,
            api_access=True,
            priority_support=False,
        ),
    ),
    "team": Plan(
        id="team",
        name="Team",
        price_cents=4_900,
        currency="usd",
        interval="month",
        entitlements=Entitlements(
            seats=10,
            projects=500,
            llm_user_hourly_tokens=100_000,
            llm_user_daily_tokens=500_000,
            llm_org_hourly_tokens=1_000_000,
            llm_org_daily_tokens=5_000_000,
            api_access=True,
            priority_support=True,
        ),
    ),
}
PLAN_IDS: tuple[PlanId, ...] = tuple(PLANS)
_BY_ID: Mapping[str, Plan] = {plan.id: plan for plan in PLANS.values()}


def get_plan(plan_id: str) -> Plan | None:
    return _BY_ID.get(plan_id)


def paid_plans() -> tuple[Plan, ...]:
    return tuple(plan for plan in PLANS.values() if plan.is_paid)


def effective_plan(plan_id: str | None, status: str | None) -> Plan:
    """The plan an account enjoys: its subscription's while entitled, else free."""
    plan = get_plan(plan_id) if plan_id else None
    if plan is None or status not in ENTITLED_STATUSES:
        return PLANS["free"]
    return plan


def can_use(plan: Plan, feature: BooleanEntitlement) -> bool:
    allowed: bool = getattr(plan.entitlements, feature)
    return allowed


def limit_of(plan: Plan, quota: QuotaEntitlement) -> int:
    limit: int = getattr(plan.entitlements, quota)
    return limit
