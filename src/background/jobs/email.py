"""`email.send`: every transactional email goes through a job, so a provider outage retries
instead of losing the message."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import msgspec

from background.jobs.registry import JobContext, JobRegistry
from background.jobs.runner import NonRetryableError
from core.ports.email import EmailDeliveryError, EmailMessage, EmailSender
from core.ports.jobs import JobStore
from core.ports.unit_of_work import UnitOfWork

__all__ = ["EMAIL_JOB", "EmailSent", "JobEmailOutbox", "register_email_job", "send_email_handler"]

EMAIL_JOB = "email.send"


class EmailSent(msgspec.Struct, frozen=True, kw_only=True):
    message_id: str


def send_email_handler(
    sender: EmailSender,
) -> Callable[[EmailMessage, JobContext], Awaitable[EmailSent]]:
    async def send(message: EmailMessage, context: JobContext) -> EmailSent:
        try:
            message_id = await sender.send(message)
        except EmailDeliveryError as exc:
            if not exc.retryable:
                raise NonRetryableError(str(exc)) from exc
            raise
        return EmailSent(message_id=message_id)

    return send


def register_email_job(registry: JobRegistry, sender: EmailSender, max_attempts: int = 8) -> None:
    registry.register(
        EMAIL_JOB, EmailMessage, send_email_handler(sender), max_attempts=max_attempts
    )


class JobEmailOutbox:
    """`EmailOutbox` port: queue a message as an `email.send` job (in `uow` when SQL)."""

    def __init__(self, store: JobStore, registry: JobRegistry) -> None:
        self._store = store
        self._registry = registry

    async def queue(
        self,
        message: EmailMessage,
        *,
        dedup_key: str | None = None,
        uow: UnitOfWork | None = None,
    ) -> str:
        job = await self._registry.enqueue(
            self._store, EMAIL_JOB, message, dedup_key=dedup_key, uow=uow
        )
        return job.id
