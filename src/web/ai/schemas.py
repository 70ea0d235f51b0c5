"""Request and response bodies of the AI API (field names fixed by api.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from ai import LLMResult, UsageReport

__all__ = [
    "CompletionCreate",
    "CompletionOut",
    "FeatureSpendOut",
    "OrgId",
    "UsageOut",
    "UsageTokens",
    "WindowOut",
]

Feature = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9][a-z0-9._-]{0,63}$")]
OrgId = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
DEFAULT_MAX_TOKENS = 512


class CompletionCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    feature: Feature
    prompt: Annotated[str, msgspec.Meta(min_length=1, max_length=200_000)]
    system: Annotated[str, msgspec.Meta(max_length=50_000)] | None = None
    max_tokens: Annotated[int, msgspec.Meta(ge=1)] = DEFAULT_MAX_TOKENS
    model: Annotated[str, msgspec.Meta(min_length=1, max_length=100)] | None = None
    org_id: OrgId | None = None


class UsageTokens(msgspec.Struct, frozen=True, kw_only=True):
    input_tokens: int
    output_tokens: int


class CompletionOut(msgspec.Struct, frozen=True, kw_only=True):
    text: str
    model: str
    usage: UsageTokens
    cost_usd: float
    finish_reason: str

    @classmethod
    def of(cls, result: LLMResult) -> CompletionOut:
        return cls(
            text=result.text,
            model=result.model,
            usage=UsageTokens(
                input_tokens=result.usage.input_tokens, output_tokens=result.usage.output_tokens
            ),
            cost_usd=result.cost_usd,
            finish_reason=result.finish_reason,
        )


class WindowOut(msgspec.Struct, frozen=True, kw_only=True):
    scope: str
    period: str
    limit_tokens: int
    used_tokens: int
    reserved_tokens: int
    resets_at: datetime


class FeatureSpendOut(msgspec.Struct, frozen=True, kw_only=True):
    tokens: int
    cost_usd: float


class UsageOut(msgspec.Struct, frozen=True, kw_only=True):
    windows: list[WindowOut]
    by_feature: dict[str, FeatureSpendOut]
    since: datetime

    @classmethod
    def of(cls, report: UsageReport) -> UsageOut:
        return cls(
            windows=[
                WindowOut(
                    scope=w.scope,
                    period=w.period,
                    limit_tokens=w.limit_tokens,
                    used_tokens=w.used_tokens,
                    reserved_tokens=w.reserved_tokens,
                    resets_at=w.resets_at,
                )
                for w in report.windows
            ],
            by_feature={
                feature: FeatureSpendOut(
                    tokens=spend.tokens, cost_usd=spend.cost_micro_usd / 1_000_000
                )
                for feature, spend in report.by_feature.items()
            },
            since=report.since,
        )
