"""The user directory (profile reads and writes) on the `users` table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update

from common.users import User
from core.ports.unit_of_work import UnitOfWork
from infra.db.engine import Database
from infra.db.tables.auth import UserRow
from infra.db.unit_of_work import joined_session

__all__ = ["SqlUserDirectory", "user_from_row"]


def user_from_row(row: UserRow) -> User:
    return User(
        id=row.id,
        email=row.email,
        name=row.name,
        email_verified=row.email_verified_at is not None,
        mfa_enabled=row.totp_secret is not None,
        created_at=row.created_at,
    )


class SqlUserDirectory:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def get(self, user_id: str) -> User | None:
        async with self._database.read_session() as session:
            row = await session.get(UserRow, user_id)
            return None if row is None else user_from_row(row)

    async def update_name(self, user_id: str, name: str | None, at: datetime) -> User | None:
        statement = (
            update(UserRow)
            .where(UserRow.id == user_id)
            .values(name=name, updated_at=at)
            .returning(UserRow)
        )
        async with self._database.session() as session, session.begin():
            row = (await session.execute(statement)).scalar_one_or_none()
            return None if row is None else user_from_row(row)

    async def delete(self, user_id: str, uow: UnitOfWork | None = None) -> bool:
        # Sessions, tokens, recovery codes and memberships go by ON DELETE CASCADE.
        async with joined_session(self._database, uow) as session:
            result = await session.execute(
                delete(UserRow).where(UserRow.id == user_id).returning(UserRow.id)
            )
            return result.first() is not None

    async def email_of(self, user_id: str) -> str | None:
        async with self._database.read_session() as session:
            query = select(UserRow.email).where(UserRow.id == user_id)
            return (await session.execute(query)).scalar_one_or_none()
