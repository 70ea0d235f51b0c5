"""Request and response bodies of `/api/v1/tasks` (field names fixed by api.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

import msgspec

from modules.tasks import TaskStatus

__all__ = ["Task", "TaskAccepted", "TaskCreate"]


class TaskCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    kind: str
    payload: Any
    """Any JSON here; checked against the kind's own schema (400 when it does not fit)."""


class TaskAccepted(msgspec.Struct, frozen=True, kw_only=True):
    status: Literal["accepted"]
    job_id: str
    poll_url: str


class Task(msgspec.Struct, frozen=True, kw_only=True):
    job_id: str
    kind: str
    status: TaskStatus
    attempts: int
    result: msgspec.Raw | None
    error: str | None
    created_at: datetime
    updated_at: datetime
