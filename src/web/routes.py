"""Every feature's route handlers, in one list the app factory mounts."""

from __future__ import annotations

from typing import Any

from web.health import HealthController

__all__ = ["ROUTE_HANDLERS"]

ROUTE_HANDLERS: list[Any] = [
    HealthController,
]
