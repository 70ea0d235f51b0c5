"""Layer 6: durable jobs (runner, worker, scheduler) and the domain event bus."""

from background.events import EventBus
from background.jobs import (
    JobContext,
    JobRegistry,
    NonRetryableError,
    PeriodicJob,
    RetryableJobRunner,
    Scheduler,
    Worker,
)

__all__ = [
    "EventBus",
    "JobContext",
    "JobRegistry",
    "NonRetryableError",
    "PeriodicJob",
    "RetryableJobRunner",
    "Scheduler",
    "Worker",
]
