"""SQL key-value store: the durable fallback when there is no Redis.

Every write is a single `INSERT … ON CONFLICT DO UPDATE`, so it is atomic on PostgreSQL and
SQLite alike without an explicit lock.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import BigInteger, ColumnElement, Text, and_, case, cast, delete, or_, select

from core.ports.clock import Clock
from infra.db.engine import Database
from infra.db.tables.kv import KvEntry
from infra.db.upsert import insert_for

__all__ = ["SqlKeyValueStore"]


class SqlKeyValueStore:
    def __init__(self, database: Database, clock: Clock) -> None:
        self.adapter = database.adapter
        self._database = database
        self._clock = clock
        self._dialect = database.engine.dialect.name

    def _expiry(self, ttl_seconds: float | None) -> datetime | None:
        return None if ttl_seconds is None else self._clock.now() + timedelta(seconds=ttl_seconds)

    def _expired(self) -> ColumnElement[bool]:
        return and_(KvEntry.expires_at.is_not(None), KvEntry.expires_at <= self._clock.now())

    async def get(self, key: str) -> str | None:
        now = self._clock.now()
        query = select(KvEntry.value).where(
            KvEntry.key == key, or_(KvEntry.expires_at.is_(None), KvEntry.expires_at > now)
        )
        async with self._database.session() as session:
            return (await session.execute(query)).scalar_one_or_none()

    async def set(self, key: str, value: str, ttl_seconds: float | None = None) -> None:
        expires_at = self._expiry(ttl_seconds)
        insert = insert_for(self._dialect, KvEntry).values(
            key=key, value=value, expires_at=expires_at
        )
        statement = insert.on_conflict_do_update(
            index_elements=[KvEntry.key], set_={"value": value, "expires_at": expires_at}
        )
        async with self._database.session() as session, session.begin():
            await session.execute(statement)

    async def set_if_absent(self, key: str, value: str, ttl_seconds: float | None = None) -> bool:
        expires_at = self._expiry(ttl_seconds)
        insert = insert_for(self._dialect, KvEntry).values(
            key=key, value=value, expires_at=expires_at
        )
        statement = insert.on_conflict_do_update(
            index_elements=[KvEntry.key],
            set_={"value": value, "expires_at": expires_at},
            where=self._expired(),
        ).returning(KvEntry.key)
        async with self._database.session() as session, session.begin():
            return (await session.execute(statement)).first() is not None

    async def incr(self, key: str, amount: int = 1, ttl_seconds: float | None = None) -> int:
        expires_at = self._expiry(ttl_seconds)
        expired = self._expired()
        insert = insert_for(self._dialect, KvEntry).values(
            key=key, value=str(amount), expires_at=expires_at
        )
        statement = insert.on_conflict_do_update(
            index_elements=[KvEntry.key],
            set_={
                "value": case(
                    (expired, str(amount)),
                    else_=cast(cast(KvEntry.value, BigInteger) + amount, Text),
                ),
                "expires_at": case((expired, expires_at), else_=KvEntry.expires_at),
            },
        ).returning(KvEntry.value)
        async with self._database.session() as session, session.begin():
            return int((await session.execute(statement)).scalar_one())

    async def delete(self, key: str) -> None:
        async with self._database.session() as session, session.begin():
            await session.execute(delete(KvEntry).where(KvEntry.key == key))

    async def purge_expired(self) -> int:
        """Delete lapsed entries; returns how many (run by the nightly cleanup job)."""
        async with self._database.session() as session, session.begin():
            result = await session.execute(delete(KvEntry).where(self._expired()))
            return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def ping(self) -> None:
        await self._database.ping()
