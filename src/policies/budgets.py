"""LLM token budgets: which windows a call counts against, and how large each one is.

Settings give the defaults (`LLM_BUDGET_*`); a plan's token allowance (the billing
entitlements in `policies.plans`) overrides them through `for_plan`. An org limit of 0 means
"no org pool": no org window at all. Windows are fixed UTC buckets (the hour, the day), so
"when may I retry" has an exact answer: the bucket's end.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Literal

import msgspec

from core.errors import ConfigurationError
from core.llm_settings import LLMSettings
from core.ports.budget import BudgetWindow
from core.settings import Settings
from policies.plans import Entitlements

__all__ = [
    "BudgetLimits",
    "Period",
    "Scope",
    "ScopedWindow",
    "bucket_bounds",
    "call_windows",
    "for_plan",
    "job_window",
    "parse_feature_caps",
    "seconds_until",
    "usage_windows",
]

Scope = Literal["user", "org", "feature", "job"]
Period = Literal["hour", "day", "job"]

_FEATURE_CAP = re.compile(r"^\s*([a-z0-9][a-z0-9._-]{0,63})\s*=\s*(\d+)\s*$")


class BudgetLimits(msgspec.Struct, frozen=True, kw_only=True):
    user_hourly_tokens: int
    user_daily_tokens: int
    org_daily_tokens: int | None = None
    """None (0 in settings and plans): no org pool, so no org window."""
    org_hourly_tokens: int | None = None
    feature_daily_tokens: Mapping[str, int] = msgspec.field(default_factory=dict)
    """Optional per-user caps for one feature (`report.generate` → 20000 a day)."""

    @classmethod
    def from_settings(cls, settings: Settings) -> BudgetLimits:
        llm = settings.section(LLMSettings)
        return cls(
            user_hourly_tokens=llm.llm_budget_user_hourly_tokens,
            user_daily_tokens=llm.llm_budget_user_daily_tokens,
            org_daily_tokens=llm.llm_budget_org_daily_tokens or None,
            feature_daily_tokens=parse_feature_caps(llm.llm_budget_feature_daily_tokens),
        )


class ScopedWindow(msgspec.Struct, frozen=True, kw_only=True):
    scope: Scope
    period: Period
    window: BudgetWindow


def for_plan(defaults: BudgetLimits, entitlements: Entitlements) -> BudgetLimits:
    """The plan's token allowance in place of the defaults (per-feature caps are kept)."""
    return msgspec.structs.replace(
        defaults,
        user_hourly_tokens=entitlements.llm_user_hourly_tokens,
        user_daily_tokens=entitlements.llm_user_daily_tokens,
        org_hourly_tokens=entitlements.llm_org_hourly_tokens or None,
        org_daily_tokens=entitlements.llm_org_daily_tokens or None,
    )


def parse_feature_caps(text: str) -> dict[str, int]:
    """`report.generate=20000,lead-finder=5000` → {feature: tokens per day}."""
    caps: dict[str, int] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        match = _FEATURE_CAP.match(item)
        if match is None:
            raise ConfigurationError(
                "LLM_BUDGET_FEATURE_DAILY_TOKENS: expected feature=tokens[,feature=tokens]"
            )
        caps[match.group(1)] = int(match.group(2))
    return caps


def bucket_bounds(now: datetime, period: Literal["hour", "day"]) -> tuple[str, datetime]:
    """The bucket label for `now` and the instant that bucket ends (UTC)."""
    if period == "hour":
        start = now.replace(minute=0, second=0, microsecond=0)
        return start.strftime("%Y%m%d%H"), start + timedelta(hours=1)
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return start.strftime("%Y%m%d"), start + timedelta(days=1)


def seconds_until(moment: datetime, now: datetime) -> int:
    """Whole seconds from `now` to `moment`, rounded up, at least 1 (a Retry-After value)."""
    return max(1, math.ceil((moment - now).total_seconds()))


def _timed(
    scope: Scope, subject: str, period: Literal["hour", "day"], limit: int, now: datetime
) -> ScopedWindow:
    label, resets_at = bucket_bounds(now, period)
    key = f"{scope}:{subject}:{period}:{label}"
    return ScopedWindow(
        scope=scope, period=period, window=BudgetWindow(key=key, limit=limit, resets_at=resets_at)
    )


def usage_windows(
    limits: BudgetLimits, *, user_id: str, org_id: str | None, now: datetime
) -> list[ScopedWindow]:
    """The user's (and org's) hourly and daily windows, as `GET /ai/usage` reports them."""
    windows = [
        _timed("user", user_id, "hour", limits.user_hourly_tokens, now),
        _timed("user", user_id, "day", limits.user_daily_tokens, now),
    ]
    if org_id is not None:
        if limits.org_hourly_tokens:
            windows.append(_timed("org", org_id, "hour", limits.org_hourly_tokens, now))
        if limits.org_daily_tokens:
            windows.append(_timed("org", org_id, "day", limits.org_daily_tokens, now))
    return windows


def call_windows(
    limits: BudgetLimits, *, user_id: str, org_id: str | None, feature: str, now: datetime
) -> list[ScopedWindow]:
    """Every window one call counts against: user and org windows, plus the feature cap."""
    windows = usage_windows(limits, user_id=user_id, org_id=org_id, now=now)
    cap = limits.feature_daily_tokens.get(feature)
    if cap is not None:
        windows.append(_timed("feature", f"{feature}:{user_id}", "day", cap, now))
    return windows


def job_window(job_id: str, limit_tokens: int, expires_at: datetime) -> ScopedWindow:
    """A job's own cap: one window for the job's whole life."""
    window = BudgetWindow(key=f"job:{job_id}", limit=limit_tokens, resets_at=expires_at)
    return ScopedWindow(scope="job", period="job", window=window)
