"""The blueprints' jobs: `report.generate`, a Tasks API kind (202 + poll) run under a job
budget."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ai.blueprints.reports import TASK_KIND, ReportRequest, report_job_handler
from web.ai.dependencies import llm_client

if TYPE_CHECKING:
    from web.jobs.runtime import JobRuntime

__all__ = ["register_blueprint_jobs"]


def register_blueprint_jobs(runtime: JobRuntime) -> None:
    handler = report_job_handler(llm_client(runtime.container))
    runtime.registry.register(TASK_KIND, ReportRequest, handler, max_attempts=3, task=True)
