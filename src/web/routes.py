"""Every route handler the app factory mounts: health, then each registered feature's."""

from __future__ import annotations

from typing import Any

from web import features
from web.health import HealthController

__all__ = ["route_handlers"]


def route_handlers() -> list[Any]:
    return [HealthController, *(route for feature in features.FEATURES for route in feature.routes)]
