"""The nightly cleanup job: expired keys, tokens and old finished jobs go away.

Stores whose entries expire on their own (Redis) need nothing; SQL stores register an
`ExpiredPurger` with the composition root and are purged here once per night.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta

import msgspec

from background.jobs.registry import JobContext
from background.jobs.scheduler import PeriodicJob
from core.logging import get_logger
from core.ports.clock import Clock
from core.ports.jobs import JobStore
from core.ports.maintenance import ExpiredPurger

__all__ = ["CLEANUP_JOB", "CleanupPayload", "CleanupResult", "cleanup_handler", "nightly_cleanup"]

CLEANUP_JOB = "maintenance.cleanup"
_log = get_logger(__name__)


class CleanupPayload(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    finished_job_retention_days: int = 7


class CleanupResult(msgspec.Struct, frozen=True, kw_only=True):
    purged: dict[str, int]


def nightly_cleanup(hour_utc: int = 3) -> PeriodicJob:
    return PeriodicJob(name=CLEANUP_JOB, every_seconds=24 * 3600, offset_seconds=hour_utc * 3600)


def cleanup_handler(
    store: JobStore, purgers: Mapping[str, ExpiredPurger], clock: Clock
) -> Callable[[CleanupPayload, JobContext], Awaitable[CleanupResult]]:
    async def cleanup(payload: CleanupPayload, context: JobContext) -> CleanupResult:
        purged: dict[str, int] = {}
        for name, purger in purgers.items():
            purged[name] = await purger.purge_expired()
        cutoff = clock.now() - timedelta(days=payload.finished_job_retention_days)
        purged["jobs"] = await store.purge_finished(cutoff)
        _log.info("maintenance.cleanup", job_id=context.job_id, **purged)
        return CleanupResult(purged=purged)

    return cleanup
