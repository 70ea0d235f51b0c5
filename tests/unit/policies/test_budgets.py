"""Budget policy: windows per scope and bucket, plan overrides, feature caps from settings."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.errors import ConfigurationError
from policies.budgets import (
    BudgetLimits,
    bucket_bounds,
    call_windows,
    for_plan,
    job_window,
    parse_feature_caps,
    seconds_until,
    usage_windows,
)
from policies.plans import PLANS

NOW = datetime(2026, 3, 4, 15, 42, 7, tzinfo=UTC)
LIMITS = BudgetLimits(
    user_hourly_tokens=10,
    user_daily_tokens=20,
    org_daily_tokens=30,
    org_hourly_tokens=25,
    feature_daily_tokens={"report.generate": 5},
)


def test_buckets_are_fixed_utc_hours_and_days() -> None:
    assert bucket_bounds(NOW, "hour") == ("2026030415", datetime(2026, 3, 4, 16, tzinfo=UTC))
    assert bucket_bounds(NOW, "day") == ("20260304", datetime(2026, 3, 5, tzinfo=UTC))


def test_retry_after_rounds_up_and_is_never_zero() -> None:
    assert seconds_until(datetime(2026, 3, 4, 16, tzinfo=UTC), NOW) == 17 * 60 + 53
    assert seconds_until(NOW, NOW) == 1


def test_a_call_counts_against_user_org_and_feature_windows() -> None:
    windows = call_windows(LIMITS, user_id="u1", org_id="o1", feature="report.generate", now=NOW)

    assert [(w.scope, w.period, w.window.key, w.window.limit) for w in windows] == [
        ("user", "hour", "user:u1:hour:2026030415", 10),
        ("user", "day", "user:u1:day:20260304", 20),
        ("org", "hour", "org:o1:hour:2026030415", 25),
        ("org", "day", "org:o1:day:20260304", 30),
        ("feature", "day", "feature:report.generate:u1:day:20260304", 5),
    ]


def test_without_an_org_or_a_cap_only_the_user_windows_apply() -> None:
    windows = call_windows(LIMITS, user_id="u1", org_id=None, feature="chat", now=NOW)
    assert [w.scope for w in windows] == ["user", "user"]


def test_an_org_without_a_pool_has_no_org_window() -> None:
    limits = BudgetLimits(user_hourly_tokens=1, user_daily_tokens=1, org_daily_tokens=None)
    assert [w.scope for w in usage_windows(limits, user_id="u", org_id="o", now=NOW)] == [
        "user",
        "user",
    ]


def test_a_job_has_one_window_for_its_life() -> None:
    scoped = job_window("j1", 500, NOW)
    assert (scoped.scope, scoped.window.key, scoped.window.limit) == ("job", "job:j1", 500)


def test_a_plan_replaces_the_token_limits_but_keeps_feature_caps() -> None:
    team = for_plan(LIMITS, PLANS["team"].entitlements)
    free = for_plan(LIMITS, PLANS["free"].entitlements)

    assert team.org_daily_tokens == PLANS["team"].entitlements.llm_org_daily_tokens
    assert free.org_daily_tokens is None
    assert free.org_hourly_tokens is None
    assert team.feature_daily_tokens == LIMITS.feature_daily_tokens


def test_feature_caps_are_parsed_from_settings() -> None:
    assert parse_feature_caps("") == {}
    assert parse_feature_caps(" report.generate=2000, lead-finder = 50 ,") == {
        "report.generate": 2000,
        "lead-finder": 50,
    }
    with pytest.raises(ConfigurationError, match="LLM_BUDGET_FEATURE_DAILY_TOKENS"):
        parse_feature_caps("report=lots")


def test_limits_come_from_settings(make_settings) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(
        LLM_BUDGET_USER_HOURLY_TOKENS="7",
        LLM_BUDGET_ORG_DAILY_TOKENS="0",
        LLM_BUDGET_FEATURE_DAILY_TOKENS="chat=3",
    )
    limits = BudgetLimits.from_settings(settings)
    assert limits.user_hourly_tokens == 7
    assert limits.org_daily_tokens is None
    assert limits.feature_daily_tokens == {"chat": 3}


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("LLM_TIMEOUT_SECONDS", "0"),
        ("LLM_DEADLINE_SECONDS", "-1"),
        ("LLM_MAX_ATTEMPTS", "0"),
        ("LLM_BUDGET_USER_DAILY_TOKENS", "-5"),
        ("OPENAI_BASE_URL", "ftp://example.com"),
    ],
)
def test_bad_llm_settings_are_refused(make_settings, name: str, value: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigurationError, match=name):
        make_settings(**{name: value})
