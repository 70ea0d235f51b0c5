"""Liveness and readiness: which adapter serves each service, and whether it answers."""

from __future__ import annotations

import asyncio
import time
from typing import Literal

from litestar import Controller, Response, get
from litestar.datastructures import State

from common.health import ReadinessReport, ServiceHealth
from core.ports.health import HealthProbe

__all__ = ["HealthController", "check_readiness"]

REQUIRED_SERVICES = frozenset({"database", "cache", "jobs"})
PROBE_TIMEOUT_SECONDS = 2.0


async def _probe(probe: HealthProbe | None) -> ServiceHealth:
    if probe is None:
        return ServiceHealth(status="disabled", adapter="none", detail="not configured")
    started = time.perf_counter()
    try:
        await asyncio.wait_for(probe.ping(), PROBE_TIMEOUT_SECONDS)
    except Exception as exc:
        return ServiceHealth(
            status="down",
            adapter=probe.adapter,
            latency_ms=None,
            detail=f"{type(exc).__name__}: {exc}"[:200],
        )
    latency = round((time.perf_counter() - started) * 1000, 2)
    return ServiceHealth(status="ok", adapter=probe.adapter, latency_ms=latency)


async def check_readiness(probes: dict[str, HealthProbe | None]) -> ReadinessReport:
    names = list(probes)
    results = await asyncio.gather(*(_probe(probes[name]) for name in names))
    services = dict(zip(names, results, strict=True))
    required_down = any(
        services[name].status == "down" for name in names if name in REQUIRED_SERVICES
    )
    optional_down = any(health.status == "down" for health in services.values())
    status: Literal["ok", "degraded", "down"] = (
        "down" if required_down else "degraded" if optional_down else "ok"
    )
    return ReadinessReport(status=status, services=services)


class HealthController(Controller):
    path = "/health"
    tags = ["health"]

    @get("/live", summary="Liveness: the process serves")
    async def live(self) -> dict[str, str]:
        return {"status": "ok"}

    @get("/ready", summary="Readiness: every required service answers")
    async def ready(self, state: State) -> Response[ReadinessReport]:
        report = await check_readiness(state.container.probes)
        return Response(report, status_code=503 if report.status == "down" else 200)
