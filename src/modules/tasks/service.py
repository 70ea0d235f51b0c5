"""Tasks: long work accepted now (202) and polled later, each run as a job owned by its caller."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec

from core.errors import NotFoundError
from core.ports.jobs import Job, JobState, JobStore
from modules.tasks.ports import TaskKinds

__all__ = ["TaskService", "TaskStatus", "TaskView", "task_status"]

TaskStatus = Literal["pending", "processing", "done", "failed"]

_STATUS: dict[JobState, TaskStatus] = {
    "pending": "pending",
    "running": "processing",
    "done": "done",
    "dead": "failed",
}


def task_status(state: JobState) -> TaskStatus:
    return _STATUS[state]


class TaskView(msgspec.Struct, frozen=True, kw_only=True):
    job_id: str
    kind: str
    status: TaskStatus
    attempts: int
    result: bytes | None
    """The handler's JSON result once done."""
    error: str | None
    created_at: datetime
    updated_at: datetime


class TaskService:
    def __init__(self, jobs: JobStore, kinds: TaskKinds) -> None:
        self._jobs = jobs
        self._kinds = kinds

    async def submit(self, owner_id: str, kind: str, payload: bytes) -> Job:
        """Validate against the kind's schema, then persist the job (before anything runs)."""
        encoded = self._kinds.validate_task(kind, payload)
        return await self._jobs.enqueue(
            kind, encoded, owner_id=owner_id, max_attempts=self._kinds.max_attempts_for(kind)
        )

    async def get(self, owner_id: str, job_id: str) -> TaskView:
        """The caller's task; another user's (or an internal job) is simply not found."""
        job = await self._jobs.get(job_id)
        if job is None or job.owner_id is None or job.owner_id != owner_id:
            raise NotFoundError("No such task", slug="not-found")
        return TaskView(
            job_id=job.id,
            kind=job.name,
            status=task_status(job.state),
            attempts=job.attempts,
            result=job.result if job.state == "done" else None,
            error=job.last_error,
            created_at=job.created_at,
            updated_at=job.updated_at,
        )
