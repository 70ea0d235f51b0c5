"""Email-verification and password-reset tokens on SQL; spending one is a conditional UPDATE."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, select, update

from core.ports.unit_of_work import UnitOfWork
from infra.db.engine import Database
from infra.db.tables.auth import OneTimeTokenRow
from infra.db.unit_of_work import joined_session
from modules.auth.models import OneTimeToken, TokenPurpose

__all__ = ["SqlOneTimeTokenStore"]


def _live(purpose: TokenPurpose, now: datetime) -> ColumnElement[bool]:
    return and_(
        OneTimeTokenRow.purpose == purpose.value,
        OneTimeTokenRow.used_at.is_(None),
        OneTimeTokenRow.expires_at > now,
    )


class SqlOneTimeTokenStore:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def issue(self, token: OneTimeToken) -> None:
        async with self._database.session() as session, session.begin():
            session.add(
                OneTimeTokenRow(
                    token_hash=token.token_hash,
                    user_id=token.user_id,
                    purpose=token.purpose.value,
                    created_at=token.created_at,
                    expires_at=token.expires_at,
                )
            )

    async def peek(self, token_hash: str, purpose: TokenPurpose, now: datetime) -> str | None:
        query = select(OneTimeTokenRow.user_id).where(
            OneTimeTokenRow.token_hash == token_hash, _live(purpose, now)
        )
        async with self._database.session() as session:
            return (await session.execute(query)).scalar_one_or_none()

    async def consume(
        self,
        token_hash: str,
        purpose: TokenPurpose,
        now: datetime,
        uow: UnitOfWork | None = None,
    ) -> str | None:
        statement = (
            update(OneTimeTokenRow)
            .where(OneTimeTokenRow.token_hash == token_hash, _live(purpose, now))
            .values(used_at=now)
            .returning(OneTimeTokenRow.user_id)
        )
        async with joined_session(self._database, uow) as session:
            return (await session.execute(statement)).scalar_one_or_none()

    async def discard_all(
        self, user_id: str, purpose: TokenPurpose, now: datetime, uow: UnitOfWork | None = None
    ) -> None:
        async with joined_session(self._database, uow) as session:
            await session.execute(
                update(OneTimeTokenRow)
                .where(OneTimeTokenRow.user_id == user_id, _live(purpose, now))
                .values(used_at=now)
            )
