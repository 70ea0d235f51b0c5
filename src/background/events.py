"""The event bus: domain events fan out to subscriber jobs, so modules never import each other.

    bus.subscribe(UserRegistered, "welcome_email", send_welcome)
    await bus.publish(UserRegistered(user_id=..., email=...), uow=uow)

Each subscription is a job named `event.<event tag>.<subscriber>`, retried and dead-lettered
on its own. The dedup key `<event_id>:<subscriber>` makes a repeated publish of the same
event a no-op while its jobs are pending.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import msgspec

from background.jobs.registry import JobContext, JobRegistry
from common.events import DomainEvent, event_name
from core.ports.jobs import JobStore
from core.ports.unit_of_work import UnitOfWork

__all__ = ["EventBus"]

E = TypeVar("E", bound=DomainEvent)


class EventBus:
    def __init__(self, store: JobStore, registry: JobRegistry) -> None:
        self._store = store
        self._registry = registry
        self._subscribers: dict[type[DomainEvent], list[str]] = {}

    def subscribe(
        self,
        event_type: type[E],
        subscriber: str,
        handler: Callable[[E, JobContext], Awaitable[Any]],
        *,
        max_attempts: int = 5,
    ) -> str:
        """Register `handler` as a job for `event_type`; returns the job name."""
        job_name = f"event.{event_name(event_type)}.{subscriber}"
        self._registry.register(job_name, event_type, handler, max_attempts=max_attempts)
        self._subscribers.setdefault(event_type, []).append(job_name)
        return job_name

    def subscribers(self, event_type: type[DomainEvent]) -> list[str]:
        return list(self._subscribers.get(event_type, ()))

    async def publish(self, event: msgspec.Struct, *, uow: UnitOfWork | None = None) -> None:
        if not isinstance(event, DomainEvent):
            raise TypeError(f"{type(event).__name__} is not a DomainEvent")
        for job_name in self._subscribers.get(type(event), ()):
            await self._registry.enqueue(
                self._store,
                job_name,
                event,
                dedup_key=f"{event.event_id}:{job_name}",
                uow=uow,
            )
