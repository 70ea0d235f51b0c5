"""Users and their credentials on SQL (PostgreSQL or SQLite)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, or_, select, update

from core.ports.unit_of_work import UnitOfWork
from infra.db.engine import Database
from infra.db.tables.auth import UserRow
from infra.db.unit_of_work import joined_session
from infra.db.upsert import insert_for
from modules.auth.models import Account, NewAccount

__all__ = ["SqlAccountStore", "account_from_row"]


def account_from_row(row: UserRow) -> Account:
    return Account(
        id=row.id,
        email=row.email,
        name=row.name,
        password_hash=row.password_hash,
        email_verified=row.email_verified_at is not None,
        created_at=row.created_at,
        totp_secret=row.totp_secret,
        totp_pending_secret=row.totp_pending_secret,
        totp_last_step=row.totp_last_step,
    )


class SqlAccountStore:
    def __init__(self, database: Database) -> None:
        self._database = database
        self._dialect = database.engine.dialect.name

    async def create(self, account: NewAccount) -> bool:
        statement = (
            insert_for(self._dialect, UserRow)
            .values(
                id=account.id,
                email=account.email,
                name=account.name,
                password_hash=account.password_hash,
                email_verified_at=account.created_at if account.email_verified else None,
                is_admin=account.is_admin,
                created_at=account.created_at,
                updated_at=account.created_at,
            )
            .on_conflict_do_nothing(index_elements=[UserRow.email])
            .returning(UserRow.id)
        )
        async with self._database.session() as session, session.begin():
            return (await session.execute(statement)).first() is not None

    async def _one(self, criterion: ColumnElement[bool]) -> Account | None:
        async with self._database.session() as session:
            row = (await session.execute(select(UserRow).where(criterion))).scalar_one_or_none()
            return None if row is None else account_from_row(row)

    async def by_email(self, email: str) -> Account | None:
        return await self._one(UserRow.email == email)

    async def by_id(self, user_id: str) -> Account | None:
        return await self._one(UserRow.id == user_id)

    async def replace_password_hash(self, user_id: str, old_hash: str, new_hash: str) -> bool:
        statement = (
            update(UserRow)
            .where(UserRow.id == user_id, UserRow.password_hash == old_hash)
            .values(password_hash=new_hash)
            .returning(UserRow.id)
        )
        async with self._database.session() as session, session.begin():
            return (await session.execute(statement)).first() is not None

    async def set_password_hash(
        self, user_id: str, new_hash: str, at: datetime, uow: UnitOfWork | None = None
    ) -> None:
        async with joined_session(self._database, uow) as session:
            await session.execute(
                update(UserRow)
                .where(UserRow.id == user_id)
                .values(password_hash=new_hash, updated_at=at)
            )

    async def mark_email_verified(
        self, user_id: str, at: datetime, uow: UnitOfWork | None = None
    ) -> None:
        async with joined_session(self._database, uow) as session:
            await session.execute(
                update(UserRow)
                .where(UserRow.id == user_id, UserRow.email_verified_at.is_(None))
                .values(email_verified_at=at, updated_at=at)
            )

    async def set_admin(self, user_id: str) -> None:
        async with self._database.session() as session, session.begin():
            await session.execute(
                update(UserRow).where(UserRow.id == user_id).values(is_admin=True)
            )

    async def set_pending_totp(self, user_id: str, encrypted_secret: str) -> None:
        async with self._database.session() as session, session.begin():
            await session.execute(
                update(UserRow)
                .where(UserRow.id == user_id)
                .values(totp_pending_secret=encrypted_secret)
            )

    async def enable_totp(
        self,
        user_id: str,
        encrypted_secret: str,
        accepted_step: int,
        at: datetime,
        uow: UnitOfWork | None = None,
    ) -> bool:
        statement = (
            update(UserRow)
            .where(
                UserRow.id == user_id,
                UserRow.totp_secret.is_(None),
                UserRow.totp_pending_secret == encrypted_secret,
            )
            .values(
                totp_secret=encrypted_secret,
                totp_pending_secret=None,
                totp_enabled_at=at,
                totp_last_step=accepted_step,
                updated_at=at,
            )
            .returning(UserRow.id)
        )
        async with joined_session(self._database, uow) as session:
            return (await session.execute(statement)).first() is not None

    async def disable_totp(self, user_id: str, uow: UnitOfWork | None = None) -> None:
        async with joined_session(self._database, uow) as session:
            await session.execute(
                update(UserRow)
                .where(UserRow.id == user_id)
                .values(
                    totp_secret=None,
                    totp_pending_secret=None,
                    totp_enabled_at=None,
                    totp_last_step=None,
                )
            )

    async def advance_totp_step(self, user_id: str, step: int) -> bool:
        # Compare-and-set in one statement: of two requests with the same code, the second
        # finds the step already taken (PostgreSQL re-checks the WHERE after the row lock).
        statement = (
            update(UserRow)
            .where(
                UserRow.id == user_id,
                UserRow.totp_secret.is_not(None),
                or_(UserRow.totp_last_step.is_(None), UserRow.totp_last_step < step),
            )
            .values(totp_last_step=step)
            .returning(UserRow.id)
        )
        async with self._database.session() as session, session.begin():
            return (await session.execute(statement)).first() is not None
