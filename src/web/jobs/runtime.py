"""The job runtime: registry, runner, event bus, email outbox and scheduler, wired once.

The API process and `bulkhead worker` build it the same way from the container, so a job
enqueued by one is understood by the other.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from background.events import EventBus
from background.jobs import JobRegistry, PeriodicJob, RetryableJobRunner, Scheduler, Worker
from background.jobs.email import JobEmailOutbox
from infra.container import Container
from policies.retry import BackoffPolicy

__all__ = ["JobRegistrar", "JobRuntime", "build_job_runtime"]


@dataclass(eq=False)
class JobRuntime:
    container: Container
    registry: JobRegistry
    events: EventBus
    outbox: JobEmailOutbox
    periodic: list[PeriodicJob] = field(default_factory=list)
    """Scheduled jobs; registrars append to it."""

    def runner(self) -> RetryableJobRunner:
        settings = self.container.settings
        backoff = BackoffPolicy(
            base_seconds=settings.job_backoff_base_ms / 1000,
            cap_seconds=max(settings.job_backoff_cap_seconds, settings.job_backoff_base_ms / 1000),
        )
        return RetryableJobRunner(
            self.container.jobs,
            self.registry,
            backoff=backoff,
            timeout_seconds=settings.job_timeout_seconds,
        )

    def scheduler(self) -> Scheduler:
        return Scheduler(self.container.jobs, self.periodic, self.container.clock)

    def worker(
        self,
        *,
        concurrency: int | None = None,
        drain_seconds: float | None = None,
        worker_id: str | None = None,
    ) -> Worker:
        settings = self.container.settings
        return Worker(
            self.container.jobs,
            self.runner(),
            concurrency=concurrency or settings.job_concurrency,
            lease_seconds=settings.job_lease_seconds,
            poll_seconds=settings.job_poll_ms / 1000,
            drain_seconds=settings.job_drain_seconds if drain_seconds is None else drain_seconds,
            worker_id=worker_id,
            on_maintenance=self.scheduler().tick,
        )


JobRegistrar = Callable[[JobRuntime], None]


def build_job_runtime(container: Container, registrars: Sequence[JobRegistrar]) -> JobRuntime:
    registry = JobRegistry()
    runtime = JobRuntime(
        container=container,
        registry=registry,
        events=EventBus(container.jobs, registry),
        outbox=JobEmailOutbox(container.jobs, registry),
    )
    for register in registrars:
        register(runtime)
    return runtime
