from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from policies.plans import (
    ENTITLED_STATUSES,
    PLAN_IDS,
    PLANS,
    can_use,
    effective_plan,
    get_plan,
    limit_of,
    paid_plans,
)

STATUSES = [
    "active",
    "trialing",
    "past_due",
    "canceled",
    "incomplete",
    "incomplete_expired",
    "unpaid",
    "paused",
]


def test_the_three_plans_are_defined_once() -> None:
    assert PLAN_IDS == ("free", "pro", "team")
    assert all(PLANS[plan_id].id == plan_id for plan_id in PLAN_IDS)
    assert [plan.id for plan in paid_plans()] == ["pro", "team"]
    assert get_plan("pro") is PLANS["pro"]
    assert get_plan("enterprise") is None


def test_gates_read_the_entitlements() -> None:
    assert not can_use(PLANS["free"], "api_access")
    assert can_use(PLANS["pro"], "api_access")
    assert can_use(PLANS["team"], "priority_support")
    assert limit_of(PLANS["free"], "llm_org_daily_tokens") == 0
    assert limit_of(PLANS["team"], "llm_org_daily_tokens") > 0


def test_higher_plans_never_allow_less_llm_tokens() -> None:
    quotas = ("llm_user_hourly_tokens", "llm_user_daily_tokens", "llm_org_daily_tokens")
    for quota in quotas:
        values = [limit_of(PLANS[plan], quota) for plan in PLAN_IDS]
        assert values == sorted(values), quota


@given(st.sampled_from([*PLAN_IDS, "enterprise", None]), st.sampled_from([*STATUSES, None]))
def test_effective_plan_is_free_unless_entitled(plan_id: str | None, status: str | None) -> None:
    plan = effective_plan(plan_id, status)
    if status in ENTITLED_STATUSES and plan_id in PLAN_IDS:
        assert plan.id == plan_id
    else:
        assert plan.id == "free"
