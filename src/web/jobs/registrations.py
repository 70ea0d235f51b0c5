"""Which jobs exist: the core ones here, and each feature's from its declaration.

A feature lists its registrars in `jobs=` of its `web.features` declaration. A registrar
receives the `JobRuntime` and registers handlers on `runtime.registry`
(`task=True` exposes a kind on POST /api/v1/tasks), subscribes to domain events on
`runtime.events`, or appends `PeriodicJob`s to `runtime.periodic`. For example, the AI
report generator adds:

    def register_report_jobs(runtime: JobRuntime) -> None:
        runtime.registry.register("report.generate", ReportRequest, handler, task=True)

    FEATURE = Feature(name="reports", ..., jobs=(register_report_jobs,))
"""

from __future__ import annotations

from background.jobs.demo import DEMO_SLEEP, DemoSleep, demo_sleep
from background.jobs.email import register_email_job
from background.jobs.maintenance import (
    CLEANUP_JOB,
    CleanupPayload,
    cleanup_handler,
    nightly_cleanup,
)
from web.jobs.runtime import JobRegistrar, JobRuntime

__all__ = ["REGISTRARS", "register_core_jobs", "register_demo_jobs"]


def register_core_jobs(runtime: JobRuntime) -> None:
    """Email delivery and the nightly cleanup of expired rows and old finished jobs."""
    container = runtime.container
    register_email_job(runtime.registry, container.email)
    runtime.registry.register(
        CLEANUP_JOB,
        CleanupPayload,
        cleanup_handler(container.jobs, container.purgers, container.clock),
        max_attempts=3,
    )
    runtime.periodic.append(nightly_cleanup())


def register_demo_jobs(runtime: JobRuntime) -> None:
    """`demo.sleep`, a task kind for crash and retry drills; never in production."""
    if runtime.container.settings.app_env in ("dev", "test"):
        runtime.registry.register(DEMO_SLEEP, DemoSleep, demo_sleep, task=True)


REGISTRARS: list[JobRegistrar] = [register_core_jobs, register_demo_jobs]
"""The core registrars; each feature's come from its declaration."""
