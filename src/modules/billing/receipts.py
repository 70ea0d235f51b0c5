"""The receipt for a payment received: queued as an email to the account's billing address."""

from __future__ import annotations

from common.events import PaymentReceived
from core.logging import get_logger
from core.ports.email import EmailMessage
from core.ports.email_outbox import EmailOutbox
from modules.billing._models import AccountRef
from modules.billing.ports import BillingStore, UserEmails

__all__ = ["ReceiptSender", "receipt_message"]

_log = get_logger(__name__)


def receipt_message(event: PaymentReceived, to: str, app_name: str) -> EmailMessage:
    amount = f"{event.amount_cents / 100:.2f} {event.currency.upper()}"
    return EmailMessage(
        to=to,
        subject=f"{app_name}: payment received",
        text=(
            f"Thank you: we received your payment of {amount}.\n"
            f"Payment reference: {event.payment_id}\n"
        ),
    )


class ReceiptSender:
    def __init__(
        self,
        *,
        store: BillingStore,
        outbox: EmailOutbox,
        user_emails: UserEmails | None,
        app_name: str,
    ) -> None:
        self._store = store
        self._outbox = outbox
        self._user_emails = user_emails
        self._app_name = app_name

    async def _address(self, account: AccountRef) -> str | None:
        customer = await self._store.get_customer(account)
        if customer is not None and customer.email:
            return customer.email
        if account.type == "user" and self._user_emails is not None:
            return await self._user_emails.email_of(account.id)
        return None

    async def send(self, event: PaymentReceived) -> str | None:
        """Queue the receipt (once per payment); the email job's id, or None with no address."""
        account = AccountRef.parse("org", event.org_id) or AccountRef.parse("user", event.user_id)
        if account is None:
            return None
        to = await self._address(account)
        if to is None:
            _log.warning("billing.receipt.no_address", payment_id=event.payment_id)
            return None
        return await self._outbox.queue(
            receipt_message(event, to, self._app_name), dedup_key=f"receipt:{event.payment_id}"
        )
