"""Periodic jobs that run exactly once per tick, however many workers tick the scheduler.

Each tick is enqueued ahead of time, as soon as the previous one has passed: `run_at` is the
tick itself and the dedup key names the tick, so every worker that ticks the scheduler
before that moment finds the same pending job and adds nothing. A tick already in the past
is never enqueued again (a job finished at T cannot be enqueued a second time at T + 1 s).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from core.ports.clock import Clock
from core.ports.jobs import Job, JobStore

__all__ = ["PeriodicJob", "Scheduler"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class PeriodicJob:
    name: str
    every_seconds: int
    offset_seconds: int = 0
    """Shifts the ticks: `every=86400, offset=3*3600` runs daily at 03:00 UTC."""
    payload: bytes = b"{}"
    max_attempts: int = 3

    def next_tick(self, now: datetime) -> datetime:
        """The first tick strictly after `now`."""
        elapsed = (now - _EPOCH).total_seconds() - self.offset_seconds
        ticks = math.floor(elapsed / self.every_seconds) + 1
        return _EPOCH + timedelta(seconds=ticks * self.every_seconds + self.offset_seconds)


class Scheduler:
    def __init__(self, store: JobStore, jobs: Sequence[PeriodicJob], clock: Clock) -> None:
        self._store = store
        self._jobs = tuple(jobs)
        self._clock = clock

    @property
    def jobs(self) -> tuple[PeriodicJob, ...]:
        return self._jobs

    async def tick(self) -> list[Job]:
        """Make sure the next tick of every periodic job is enqueued; returns those jobs."""
        enqueued: list[Job] = []
        for periodic in self._jobs:
            at = periodic.next_tick(self._clock.now())
            job = await self._store.enqueue(
                periodic.name,
                periodic.payload,
                run_at=at,
                max_attempts=periodic.max_attempts,
                dedup_key=f"schedule:{periodic.name}:{at.isoformat()}",
            )
            enqueued.append(job)
        return enqueued
