"""`demo.sleep`: a task kind for crash and retry drills (dev and test only)."""

from __future__ import annotations

import asyncio
from typing import Annotated

import msgspec

from background.jobs.registry import JobContext

__all__ = ["DEMO_SLEEP", "DemoSleep", "DemoSlept", "demo_sleep"]

DEMO_SLEEP = "demo.sleep"


class DemoSleep(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    seconds: Annotated[float, msgspec.Meta(ge=0, le=3600)]
    fail_times: Annotated[int, msgspec.Meta(ge=0, le=100)] | None = None
    """The first `fail_times` attempts raise, to exercise retries."""


class DemoSlept(msgspec.Struct, frozen=True, kw_only=True):
    slept_seconds: float
    attempt: int


class DemoFailureError(Exception):
    pass


async def demo_sleep(payload: DemoSleep, context: JobContext) -> DemoSlept:
    if context.attempt <= (payload.fail_times or 0):
        raise DemoFailureError(f"planned failure {context.attempt} of {payload.fail_times}")
    await asyncio.sleep(payload.seconds)
    return DemoSlept(slept_seconds=payload.seconds, attempt=context.attempt)
