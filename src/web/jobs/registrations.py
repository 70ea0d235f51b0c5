"""Which jobs exist: every feature adds its registrar to `REGISTRARS` (one line each).

A registrar receives the `JobRuntime` and registers handlers on `runtime.registry`
(`task=True` exposes a kind on POST /api/v1/tasks), subscribes to domain events on
`runtime.events`, or appends `PeriodicJob`s to `runtime.periodic`. For example, the AI
report generator adds:

    def register_report_jobs(runtime: JobRuntime) -> None:
        runtime.registry.register("report.generate", ReportRequest, handler, task=True)

    REGISTRARS.append(register_report_jobs)   # or list it below
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
from infra.container import Container
from web.ai.jobs import register_ai_jobs
from web.billing.jobs import register_billing_jobs
from web.jobs.runtime import JobRegistrar, JobRuntime, build_job_runtime

__all__ = ["REGISTRARS", "default_job_runtime", "register_core_jobs", "register_demo_jobs"]


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


REGISTRARS: list[JobRegistrar] = [
    register_core_jobs,
    register_demo_jobs,
    register_billing_jobs,
    register_ai_jobs,
]


def default_job_runtime(container: Container) -> JobRuntime:
    """The runtime with every registered feature's jobs (what the app and worker use)."""
    return build_job_runtime(container, REGISTRARS)
