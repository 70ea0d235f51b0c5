"""SQL billing store (PostgreSQL and SQLite); every write can join a caller's unit of work.

The guarantees are single statements, so they hold across processes without explicit locks:
a subscription changes only through `INSERT … ON CONFLICT DO UPDATE … WHERE <newer>`, and a
payment is inserted once per invoice through the unique `stripe_invoice_id`.
"""

from __future__ import annotations

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from common.ids import new_id
from core.ports.clock import Clock
from core.ports.unit_of_work import UnitOfWork
from infra.db.engine import Database
from infra.db.tables.billing import (
    BillingCustomer,
    BillingPayment,
    BillingSubscription,
    BillingWebhookReview,
)
from infra.db.unit_of_work import joined_session
from infra.db.upsert import insert_for
from modules.billing import (
    AccountRef,
    Customer,
    Payment,
    PaymentRecord,
    ReviewItem,
    Subscription,
    SubscriptionChange,
)
from policies.plans import TERMINAL_STATUSES

__all__ = ["SqlBillingStore"]


def _account(account_type: str, account_id: str) -> AccountRef:
    account = AccountRef.parse(account_type, account_id)
    if account is None:
        raise ValueError(f"stored account type is invalid: {account_type!r}")
    return account


def _customer(row: BillingCustomer) -> Customer:
    return Customer(
        account=_account(row.account_type, row.account_id),
        stripe_customer_id=row.stripe_customer_id,
        email=row.email,
    )


def _subscription(row: BillingSubscription) -> Subscription:
    return Subscription(
        stripe_subscription_id=row.stripe_subscription_id,
        account=_account(row.account_type, row.account_id),
        plan=row.plan,
        status=row.status,
        current_period_end=row.current_period_end,
        cancel_at_period_end=row.cancel_at_period_end,
        version=row.version,
        updated_at=row.updated_at,
    )


def _payment(row: BillingPayment) -> Payment:
    return Payment(
        id=row.id,
        stripe_invoice_id=row.stripe_invoice_id,
        account=_account(row.account_type, row.account_id),
        amount_cents=row.amount_cents,
        currency=row.currency,
        status="paid" if row.status == "paid" else "failed",
        paid_at=row.paid_at,
        created_at=row.created_at,
    )


class SqlBillingStore:
    def __init__(self, database: Database, clock: Clock) -> None:
        self._database = database
        self._clock = clock
        self._dialect = database.engine.dialect.name

    async def _customer_row(
        self, session: AsyncSession, account: AccountRef
    ) -> BillingCustomer | None:
        query = (
            select(BillingCustomer)
            .where(
                BillingCustomer.account_type == account.type,
                BillingCustomer.account_id == account.id,
            )
            .execution_options(populate_existing=True)
        )
        return (await session.execute(query)).scalar_one_or_none()

    async def get_customer(
        self, account: AccountRef, *, uow: UnitOfWork | None = None
    ) -> Customer | None:
        async with joined_session(self._database, uow) as session:
            row = await self._customer_row(session, account)
            return _customer(row) if row is not None else None

    async def customer_by_stripe_id(
        self, stripe_customer_id: str, *, uow: UnitOfWork | None = None
    ) -> Customer | None:
        query = select(BillingCustomer).where(
            BillingCustomer.stripe_customer_id == stripe_customer_id
        )
        async with joined_session(self._database, uow) as session:
            row = (await session.execute(query)).scalar_one_or_none()
            return _customer(row) if row is not None else None

    async def link_customer(
        self, account: AccountRef, stripe_customer_id: str, *, uow: UnitOfWork | None = None
    ) -> Customer:
        now = self._clock.now()
        insert = (
            insert_for(self._dialect, BillingCustomer)
            .values(
                id=new_id(),
                account_type=account.type,
                account_id=account.id,
                stripe_customer_id=stripe_customer_id,
                created_at=now,
                updated_at=now,
            )
            # No conflict target: a race on either unique key (account, customer) is a no-op.
            .on_conflict_do_nothing()
        )
        taken = select(BillingCustomer.id).where(
            BillingCustomer.stripe_customer_id == stripe_customer_id
        )
        fill_in = (
            update(BillingCustomer)
            .where(
                BillingCustomer.account_type == account.type,
                BillingCustomer.account_id == account.id,
                BillingCustomer.stripe_customer_id.is_(None),
                ~taken.exists(),
            )
            .values(stripe_customer_id=stripe_customer_id, updated_at=now)
        )
        holder = (
            select(BillingCustomer)
            .where(BillingCustomer.stripe_customer_id == stripe_customer_id)
            .execution_options(populate_existing=True)
        )
        async with joined_session(self._database, uow) as session:
            await session.execute(insert)
            await session.execute(fill_in)
            row = (await session.execute(holder)).scalar_one_or_none()
            if row is None:
                row = await self._customer_row(session, account)
            assert row is not None
            return _customer(row)

    async def set_email(
        self, account: AccountRef, email: str, *, uow: UnitOfWork | None = None
    ) -> Customer:
        now = self._clock.now()
        insert = insert_for(self._dialect, BillingCustomer).values(
            id=new_id(),
            account_type=account.type,
            account_id=account.id,
            email=email,
            created_at=now,
            updated_at=now,
        )
        statement = insert.on_conflict_do_update(
            index_elements=[BillingCustomer.account_type, BillingCustomer.account_id],
            set_={"email": email, "updated_at": now},
        )
        async with joined_session(self._database, uow) as session:
            await session.execute(statement)
            row = await self._customer_row(session, account)
            assert row is not None
            return _customer(row)

    async def apply_subscription(
        self, change: SubscriptionChange, *, uow: UnitOfWork | None = None
    ) -> bool:
        now = self._clock.now()
        created = int(change.event_created.timestamp())
        insert = insert_for(self._dialect, BillingSubscription).values(
            id=new_id(),
            stripe_subscription_id=change.stripe_subscription_id,
            stripe_customer_id=change.stripe_customer_id,
            account_type=change.account.type,
            account_id=change.account.id,
            plan=change.plan,
            status=change.status,
            current_period_end=change.current_period_end,
            cancel_at_period_end=change.cancel_at_period_end,
            last_event_created=created,
            last_event_rank=change.event_rank,
            version=1,
            created_at=now,
            updated_at=now,
        )
        table = BillingSubscription
        newer = or_(
            table.last_event_created < created,
            and_(table.last_event_created == created, table.last_event_rank < change.event_rank),
        )
        statement = insert.on_conflict_do_update(
            index_elements=[table.stripe_subscription_id],
            set_={
                "plan": change.plan,
                "status": change.status,
                "current_period_end": change.current_period_end,
                "cancel_at_period_end": change.cancel_at_period_end,
                "last_event_created": created,
                "last_event_rank": change.event_rank,
                "version": table.version + 1,
                "updated_at": now,
            },
            where=and_(newer, table.status.not_in(sorted(TERMINAL_STATUSES))),
        ).returning(table.id)
        async with joined_session(self._database, uow) as session:
            return (await session.execute(statement)).first() is not None

    async def subscriptions_of(self, account: AccountRef) -> list[Subscription]:
        query = select(BillingSubscription).where(
            BillingSubscription.account_type == account.type,
            BillingSubscription.account_id == account.id,
        )
        async with self._database.session() as session:
            return [_subscription(row) for row in (await session.execute(query)).scalars()]

    async def record_payment(
        self, payment: PaymentRecord, *, uow: UnitOfWork | None = None
    ) -> str | None:
        now = self._clock.now()
        table = BillingPayment
        insert = insert_for(self._dialect, table).values(
            id=new_id(),
            stripe_invoice_id=payment.stripe_invoice_id,
            stripe_customer_id=payment.stripe_customer_id,
            stripe_subscription_id=payment.stripe_subscription_id,
            account_type=payment.account.type,
            account_id=payment.account.id,
            amount_cents=payment.amount_cents,
            currency=payment.currency,
            status=payment.status,
            paid_at=payment.paid_at,
            created_at=now,
            updated_at=now,
        )
        if payment.status == "paid":
            # A failed attempt may be followed by success on the same invoice; paid is final.
            statement = insert.on_conflict_do_update(
                index_elements=[table.stripe_invoice_id],
                set_={
                    "status": "paid",
                    "amount_cents": payment.amount_cents,
                    "paid_at": payment.paid_at,
                    "updated_at": now,
                },
                where=table.status != "paid",
            )
        else:
            statement = insert.on_conflict_do_nothing(index_elements=[table.stripe_invoice_id])
        async with joined_session(self._database, uow) as session:
            return (await session.execute(statement.returning(table.id))).scalar_one_or_none()

    async def payments_of(self, account: AccountRef, limit: int = 100) -> list[Payment]:
        table = BillingPayment
        query = (
            select(table)
            .where(table.account_type == account.type, table.account_id == account.id)
            .order_by(func.coalesce(table.paid_at, table.created_at).desc(), table.id.desc())
            .limit(limit)
        )
        async with self._database.session() as session:
            return [_payment(row) for row in (await session.execute(query)).scalars()]

    async def hold_for_review(self, item: ReviewItem, *, uow: UnitOfWork | None = None) -> bool:
        table = BillingWebhookReview
        statement = (
            insert_for(self._dialect, table)
            .values(
                id=new_id(),
                event_id=item.event_id,
                event_type=item.event_type,
                reason=item.reason,
                payload=item.payload,
                received_at=item.received_at,
            )
            .on_conflict_do_nothing(index_elements=[table.event_id, table.event_type])
            .returning(table.id)
        )
        async with joined_session(self._database, uow) as session:
            return (await session.execute(statement)).first() is not None

    async def held_for_review(self, limit: int = 100) -> list[ReviewItem]:
        table = BillingWebhookReview
        query = select(table).order_by(table.received_at.desc(), table.id.desc()).limit(limit)
        async with self._database.session() as session:
            return [
                ReviewItem(
                    event_id=row.event_id,
                    event_type=row.event_type,
                    reason=row.reason,
                    payload=row.payload,
                    received_at=row.received_at,
                )
                for row in (await session.execute(query)).scalars()
            ]
