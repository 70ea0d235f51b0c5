"""Readiness report shapes shared by `infra` (which probes) and `web` (which serves)."""

from __future__ import annotations

from typing import Literal

import msgspec

__all__ = ["ReadinessReport", "ServiceHealth"]

ServiceStatus = Literal["ok", "down", "disabled"]


class ServiceHealth(msgspec.Struct, frozen=True, kw_only=True):
    status: ServiceStatus
    adapter: str
    latency_ms: float | None = None
    detail: str | None = None


class ReadinessReport(msgspec.Struct, frozen=True, kw_only=True):
    status: Literal["ok", "degraded", "down"]
    services: dict[str, ServiceHealth]
