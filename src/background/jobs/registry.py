"""The job handler registry: job name → handler and msgspec payload type.

Features register their handlers here (through the composition root), so the worker can run
any job by name and the Tasks API can validate a task's payload against its kind's schema.

    registry.register("email.send", EmailMessage, send_email)

A handler is `async def handler(payload: P, ctx: JobContext) -> Struct | None`; a plain `def`
is run in a thread (for CPU-bound work). What it returns is stored as the job's JSON result.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

import msgspec

from core.errors import FieldError, InputError
from core.ports.jobs import DEFAULT_MAX_ATTEMPTS, Job, JobStore
from core.ports.unit_of_work import UnitOfWork

__all__ = ["JobContext", "JobDefinition", "JobHandler", "JobRegistry"]

P = TypeVar("P")


@dataclass(frozen=True, slots=True)
class JobContext:
    """What a handler may know about the run it is part of."""

    job_id: str
    name: str
    attempt: int
    max_attempts: int
    owner_id: str | None
    created_at: datetime


JobHandler = Callable[[P, JobContext], Awaitable[Any]] | Callable[[P, JobContext], Any]


@dataclass(frozen=True, slots=True)
class JobDefinition(Generic[P]):
    name: str
    payload_type: type[P]
    handler: JobHandler[P]
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    timeout_seconds: float | None = None
    """Per-attempt limit; None uses the runner's default."""
    task: bool = False
    """Exposed as a Tasks API kind (POST /api/v1/tasks)."""

    @property
    def threaded(self) -> bool:
        return not inspect.iscoroutinefunction(self.handler)

    def decode(self, payload: bytes) -> P:
        return msgspec.json.decode(payload, type=self.payload_type)


class JobRegistry:
    def __init__(self) -> None:
        self._definitions: dict[str, JobDefinition[Any]] = {}

    def register(
        self,
        name: str,
        payload_type: type[P],
        handler: JobHandler[P],
        *,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        timeout_seconds: float | None = None,
        task: bool = False,
    ) -> JobDefinition[P]:
        if name in self._definitions:
            raise ValueError(f"job {name!r} is already registered")
        definition = JobDefinition(
            name=name,
            payload_type=payload_type,
            handler=handler,
            max_attempts=max_attempts,
            timeout_seconds=timeout_seconds,
            task=task,
        )
        self._definitions[name] = definition
        return definition

    def get(self, name: str) -> JobDefinition[Any] | None:
        return self._definitions.get(name)

    def names(self) -> list[str]:
        return sorted(self._definitions)

    def task_kinds(self) -> list[str]:
        return sorted(name for name, item in self._definitions.items() if item.task)

    def validate_task(self, kind: str, payload: bytes) -> bytes:
        """The payload re-encoded in its kind's schema; `InputError` for an unknown kind or a
        payload that does not fit (the Tasks API answers 400)."""
        definition = self._definitions.get(kind)
        if definition is None or not definition.task:
            raise InputError(
                f"Unknown task kind; known kinds: {', '.join(self.task_kinds()) or 'none'}",
                slug="unknown-task-kind",
                errors=[FieldError("kind", "unknown task kind")],
            )
        try:
            decoded = definition.decode(payload)
        except msgspec.DecodeError as exc:
            raise InputError(
                "The payload does not match the task kind's schema",
                errors=[FieldError("payload", str(exc))],
            ) from exc
        return msgspec.json.encode(decoded)

    def max_attempts_for(self, kind: str) -> int:
        definition = self._definitions.get(kind)
        return DEFAULT_MAX_ATTEMPTS if definition is None else definition.max_attempts

    async def enqueue(
        self,
        store: JobStore,
        name: str,
        payload: Any,
        *,
        run_at: datetime | None = None,
        priority: int = 0,
        dedup_key: str | None = None,
        owner_id: str | None = None,
        uow: UnitOfWork | None = None,
    ) -> Job:
        """Encode `payload` (checked against the registered type) and enqueue it."""
        definition = self._definitions.get(name)
        if definition is None:
            raise KeyError(f"no job registered as {name!r}")
        encoded = msgspec.json.encode(payload)
        definition.decode(encoded)
        return await store.enqueue(
            name,
            encoded,
            run_at=run_at,
            priority=priority,
            max_attempts=definition.max_attempts,
            dedup_key=dedup_key,
            owner_id=owner_id,
            uow=uow,
        )
