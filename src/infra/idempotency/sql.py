"""SQL idempotency store: one row per key, claimed with `INSERT … ON CONFLICT`.

The claim is a single upsert keyed on the primary key: it inserts a new row, or takes over a
row whose lease or retention has lapsed, and otherwise changes nothing. The unique key makes
one winner on PostgreSQL (a racing insert waits on the index, then sees the winner's row) and
SQLite (every transaction is BEGIN IMMEDIATE, a single writer) alike.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from common.ids import new_id
from core.ports.clock import Clock
from core.ports.idempotency import Claim, ClaimStatus, IdempotencyRecord
from infra.db.engine import Database
from infra.db.tables import IdempotencyKey
from infra.db.tables.idempotency import MAX_IDEMPOTENCY_KEY_LENGTH
from infra.db.upsert import insert_for

__all__ = ["SqlIdempotencyStore", "claim_row"]


async def claim_row(
    session: AsyncSession,
    *,
    key: str,
    fingerprint: str,
    token: str,
    completed: bool,
    ttl: float,
    expires_at: datetime,
    now: datetime,
) -> bool:
    """Insert the row for `key`, or take over a lapsed one; True when this call holds it.

    On PostgreSQL the conflicting row stays locked by this transaction even when it is not
    taken over, so what the caller reads next in the same transaction cannot change under it.
    """
    if len(key) > MAX_IDEMPOTENCY_KEY_LENGTH:
        raise ValueError(f"idempotency key longer than {MAX_IDEMPOTENCY_KEY_LENGTH} characters")
    dialect = session.get_bind().dialect.name
    values = {
        "fingerprint": fingerprint,
        "token": token,
        "completed": completed,
        "response": None,
        "ttl_seconds": ttl,
        "expires_at": expires_at,
    }
    statement = (
        insert_for(dialect, IdempotencyKey)
        .values(key=key, **values)
        .on_conflict_do_update(
            index_elements=[IdempotencyKey.key],
            set_=values,
            where=IdempotencyKey.expires_at <= now,
        )
        .returning(IdempotencyKey.token)
    )
    return (await session.execute(statement)).scalar_one_or_none() == token


class SqlIdempotencyStore:
    def __init__(self, database: Database, clock: Clock) -> None:
        self.adapter = database.adapter
        self._database = database
        self._clock = clock

    async def try_claim(self, key: str, fingerprint: str, ttl: float, lease: float) -> Claim:
        now = self._clock.now()
        token = new_id()
        async with self._database.session() as session, session.begin():
            claimed = await claim_row(
                session,
                key=key,
                fingerprint=fingerprint,
                token=token,
                completed=False,
                ttl=ttl,
                expires_at=now + timedelta(seconds=lease),
                now=now,
            )
            if claimed:
                return Claim(status=ClaimStatus.CLAIMED, token=token)
            row = (
                await session.execute(
                    select(
                        IdempotencyKey.fingerprint,
                        IdempotencyKey.completed,
                        IdempotencyKey.response,
                        IdempotencyKey.expires_at,
                    ).where(IdempotencyKey.key == key)
                )
            ).one()
        if row.fingerprint != fingerprint:
            return Claim(status=ClaimStatus.MISMATCH)
        if row.completed:
            return Claim(status=ClaimStatus.COMPLETED, response=row.response)
        remaining = (row.expires_at - now).total_seconds()
        return Claim(status=ClaimStatus.IN_FLIGHT, retry_after=remaining)

    def _held(self, key: str, token: str) -> tuple[ColumnElement[bool], ...]:
        return (
            IdempotencyKey.key == key,
            IdempotencyKey.token == token,
            IdempotencyKey.completed.is_(False),
        )

    async def complete(self, key: str, response: bytes, *, token: str) -> bool:
        async with self._database.session() as session, session.begin():
            ttl = (
                await session.execute(
                    select(IdempotencyKey.ttl_seconds)
                    .where(*self._held(key, token))
                    .with_for_update()
                )
            ).scalar_one_or_none()
            if ttl is None:
                return False
            await session.execute(
                update(IdempotencyKey)
                .where(IdempotencyKey.key == key)
                .values(
                    completed=True,
                    response=response,
                    expires_at=self._clock.now() + timedelta(seconds=ttl),
                )
            )
            return True

    async def release(self, key: str, *, token: str) -> bool:
        async with self._database.session() as session, session.begin():
            result = await session.execute(delete(IdempotencyKey).where(*self._held(key, token)))
            return bool(result.rowcount)  # type: ignore[attr-defined]

    async def get(self, key: str) -> IdempotencyRecord | None:
        query = select(IdempotencyKey).where(
            IdempotencyKey.key == key, IdempotencyKey.expires_at > self._clock.now()
        )
        async with self._database.session() as session:
            row = (await session.execute(query)).scalar_one_or_none()
        if row is None:
            return None
        return IdempotencyRecord(
            key=row.key,
            fingerprint=row.fingerprint,
            completed=row.completed,
            response=row.response,
            expires_at=row.expires_at,
        )

    async def purge_expired(self) -> int:
        """Delete lapsed rows; returns how many (for a periodic cleanup job)."""
        async with self._database.session() as session, session.begin():
            result = await session.execute(
                delete(IdempotencyKey).where(IdempotencyKey.expires_at <= self._clock.now())
            )
            return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def ping(self) -> None:
        await self._database.ping()
