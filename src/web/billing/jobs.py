"""Billing's jobs: a receipt for every `PaymentReceived` (license delivery and other
follow-ups subscribe to the same event from their own feature)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec

from background.jobs.registry import JobContext
from common.events import PaymentReceived
from infra.billing.install import BillingAdapters
from modules.billing import ReceiptSender

if TYPE_CHECKING:
    from web.jobs.runtime import JobRuntime

__all__ = ["RECEIPT_SUBSCRIBER", "ReceiptQueued", "register_billing_jobs"]

RECEIPT_SUBSCRIBER = "billing_receipt"


class ReceiptQueued(msgspec.Struct, frozen=True, kw_only=True):
    email_job_id: str | None
    """None when the account has no address to send it to."""


def register_billing_jobs(runtime: JobRuntime) -> None:
    container = runtime.container
    receipts = ReceiptSender(
        store=container.services.get(BillingAdapters).store,
        outbox=runtime.outbox,
        user_emails=container.users.directory,
        app_name=container.settings.app_name,
    )

    async def send_receipt(event: PaymentReceived, context: JobContext) -> ReceiptQueued:
        return ReceiptQueued(email_job_id=await receipts.send(event))

    runtime.events.subscribe(PaymentReceived, RECEIPT_SUBSCRIBER, send_receipt)
