"""Receipts go to the billing email, else the user's own address; never twice per payment."""

from __future__ import annotations

from common.events import PaymentReceived
from core.ports.email import EmailMessage
from core.ports.unit_of_work import UnitOfWork
from infra.billing import SqlBillingStore
from infra.db.engine import Database
from modules.billing import AccountRef, ReceiptSender
from tests.conftest import FakeClock


class Outbox:
    def __init__(self) -> None:
        self.queued: list[tuple[EmailMessage, str | None]] = []

    async def queue(
        self, message: EmailMessage, *, dedup_key: str | None = None, uow: UnitOfWork | None = None
    ) -> str:
        self.queued.append((message, dedup_key))
        return f"job-{len(self.queued)}"


class Emails:
    async def email_of(self, user_id: str) -> str | None:
        return {"u1": "u1@users.test"}.get(user_id)


def _paid(**account: str) -> PaymentReceived:
    return PaymentReceived(payment_id="pay_1", amount_cents=4900, currency="usd", **account)


async def test_the_address_of_a_receipt(sqlite_database: Database, clock: FakeClock) -> None:
    store = SqlBillingStore(sqlite_database, clock)
    outbox = Outbox()
    receipts = ReceiptSender(store=store, outbox=outbox, user_emails=Emails(), app_name="Acme")

    assert await receipts.send(_paid(user_id="u1")) == "job-1"
    message, dedup_key = outbox.queued[-1]
    assert message.to == "u1@users.test"
    assert dedup_key == "receipt:pay_1"
    assert "49.00 USD" in message.text
    assert message.subject.startswith("Acme")

    await store.set_email(AccountRef(type="user", id="u1"), "billing@u1.test")
    await receipts.send(_paid(user_id="u1"))
    assert outbox.queued[-1][0].to == "billing@u1.test"

    assert await receipts.send(_paid(org_id="o1")) is None
    await store.set_email(AccountRef(type="org", id="o1"), "ap@o1.test")
    assert await receipts.send(_paid(org_id="o1")) is not None
    assert outbox.queued[-1][0].to == "ap@o1.test"
    assert await receipts.send(_paid()) is None
    assert len(outbox.queued) == 3
