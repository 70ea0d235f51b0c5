"""The SQL unit of work: an `AsyncSession` in a transaction, joined by SQL adapters."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession

from core.ports.unit_of_work import UnitOfWork
from infra.db.engine import Database

__all__ = ["SqlUnitOfWork", "joined_session", "sql_unit_of_work"]


class SqlUnitOfWork:
    def __init__(self, database: Database, session: AsyncSession) -> None:
        self.database = database
        self.session = session

    @property
    def database_id(self) -> str:
        return str(id(self.database))


def sql_unit_of_work(database: Database) -> AbstractAsyncContextManager[SqlUnitOfWork]:
    """Open a transaction on `database`: commit on clean exit, roll back on error."""

    @asynccontextmanager
    async def scope() -> AsyncIterator[SqlUnitOfWork]:
        async with database.session() as session, session.begin():
            yield SqlUnitOfWork(database, session)

    return scope()


@asynccontextmanager
async def joined_session(database: Database, uow: UnitOfWork | None) -> AsyncIterator[AsyncSession]:
    """The session of `uow` when it is a transaction on `database`; else a new transaction.

    Adapters use this so that the same call works inside a caller's unit of work (and then
    commits with it) or on its own (and then commits immediately).
    """
    if isinstance(uow, SqlUnitOfWork) and uow.database is database:
        yield uow.session
        return
    async with database.session() as session, session.begin():
        yield session
