"""Jobs: the handler registry, the retrying runner, the worker loop and the scheduler."""

from background.jobs.registry import JobContext, JobDefinition, JobHandler, JobRegistry
from background.jobs.runner import NonRetryableError, Outcome, RetryableJobRunner
from background.jobs.scheduler import PeriodicJob, Scheduler
from background.jobs.worker import Worker, default_worker_id

__all__ = [
    "JobContext",
    "JobDefinition",
    "JobHandler",
    "JobRegistry",
    "NonRetryableError",
    "Outcome",
    "PeriodicJob",
    "RetryableJobRunner",
    "Scheduler",
    "Worker",
    "default_worker_id",
]
