"""Email outbox port: send later, through a job, with retries (never lost on a provider outage).

Use cases hand their message to `queue`; with `uow` on a SQL job store the message is
queued in the same transaction as the business write that caused it.
"""

from __future__ import annotations

from typing import Protocol

from core.ports.email import EmailMessage
from core.ports.unit_of_work import UnitOfWork

__all__ = ["EmailOutbox"]


class EmailOutbox(Protocol):
    async def queue(
        self,
        message: EmailMessage,
        *,
        dedup_key: str | None = None,
        uow: UnitOfWork | None = None,
    ) -> str:
        """Queue `message` for delivery; returns the job id."""
        ...
