"""Event publisher port: a use case announces a domain event; subscribers react elsewhere.

With `uow` on a SQL-backed bus, the subscribers' jobs are enqueued in the publisher's own
transaction (outbox): a rolled-back write publishes nothing.
"""

from __future__ import annotations

from typing import Protocol

import msgspec

from core.ports.unit_of_work import UnitOfWork

__all__ = ["EventPublisher"]


class EventPublisher(Protocol):
    async def publish(self, event: msgspec.Struct, *, uow: UnitOfWork | None = None) -> None:
        """Enqueue one job per subscriber of `type(event)`; no subscriber, no job."""
        ...
