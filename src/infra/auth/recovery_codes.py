"""MFA recovery codes on SQL: hashes only; spending one is a conditional UPDATE."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, select, update

from core.ports.unit_of_work import UnitOfWork
from infra.db.engine import Database
from infra.db.tables.auth import RecoveryCodeRow
from infra.db.unit_of_work import joined_session

__all__ = ["SqlRecoveryCodeStore"]


class SqlRecoveryCodeStore:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def replace(
        self, user_id: str, code_hashes: Sequence[str], at: datetime, uow: UnitOfWork | None = None
    ) -> None:
        async with joined_session(self._database, uow) as session:
            await session.execute(delete(RecoveryCodeRow).where(RecoveryCodeRow.user_id == user_id))
            session.add_all(
                RecoveryCodeRow(user_id=user_id, code_hash=code_hash, created_at=at)
                for code_hash in code_hashes
            )
            await session.flush()

    async def use(self, user_id: str, code_hash: str, at: datetime) -> bool:
        statement = (
            update(RecoveryCodeRow)
            .where(
                RecoveryCodeRow.user_id == user_id,
                RecoveryCodeRow.code_hash == code_hash,
                RecoveryCodeRow.used_at.is_(None),
            )
            .values(used_at=at)
            .returning(RecoveryCodeRow.code_hash)
        )
        async with self._database.session() as session, session.begin():
            return (await session.execute(statement)).first() is not None

    async def remaining(self, user_id: str) -> int:
        query = select(func.count()).where(
            RecoveryCodeRow.user_id == user_id, RecoveryCodeRow.used_at.is_(None)
        )
        async with self._database.session() as session:
            return int((await session.execute(query)).scalar_one())
