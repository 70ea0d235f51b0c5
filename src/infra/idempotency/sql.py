"""SQL idempotency store: one row per key, claimed with `INSERT … ON CONFLICT`.

The claim is a single upsert keyed on the primary key: it inserts a new row, or takes over a
row whose lease or retention has lapsed, and otherwise changes nothing. The unique key makes
one winner on PostgreSQL (a racing insert waits on the index, then sees the winner's row) and
SQLite (every transaction is BEGIN IMMEDIATE, a single writer) alike.

On PostgreSQL every call is one autocommitted statement (plus a read when a claim loses), which
keeps the guard to a couple of round trips; on SQLite each call is one short transaction.
This store uses SQLAlchemy Core, not the ORM, because it sits on every mutating request.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Interval, bindparam, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from common.ids import new_id
from core.ports.clock import Clock
from core.ports.idempotency import Claim, ClaimStatus, IdempotencyRecord
from infra.db.engine import Database
from infra.db.tables._base import UtcDateTime
from infra.db.tables.idempotency import MAX_IDEMPOTENCY_KEY_LENGTH, IdempotencyKey
from infra.db.upsert import insert_for

__all__ = ["SqlIdempotencyStore", "claim_row"]

_ATTEMPTS = 3
"""A losing claim reads the winner's row; it may vanish in between (released), so retry."""


@cache
def _claim_statement(dialect: str) -> Any:
    """Built once per dialect: constructing SQLAlchemy statements per call costs more than
    running them."""
    insert = insert_for(dialect, IdempotencyKey)
    excluded = insert.excluded
    return (
        insert.values(
            key=bindparam("p_key"),
            fingerprint=bindparam("p_fingerprint"),
            token=bindparam("p_token"),
            completed=bindparam("p_completed"),
            response=None,
            ttl_seconds=bindparam("p_ttl_seconds"),
            expires_at=bindparam("p_expires_at"),
        )
        .on_conflict_do_update(
            index_elements=[IdempotencyKey.key],
            set_={
                "fingerprint": excluded.fingerprint,
                "token": excluded.token,
                "completed": excluded.completed,
                "response": None,
                "ttl_seconds": excluded.ttl_seconds,
                "expires_at": excluded.expires_at,
            },
            where=IdempotencyKey.expires_at <= bindparam("p_now", type_=UtcDateTime),
        )
        .returning(IdempotencyKey.token)
    )


async def claim_row(
    executor: AsyncConnection | AsyncSession,
    dialect: str,
    *,
    key: str,
    fingerprint: str,
    token: str,
    completed: bool,
    ttl: float,
    expires_at: datetime,
    now: datetime,
) -> bool:
    """Insert the row for `key`, or take over a lapsed one; True when this call holds it."""
    if len(key) > MAX_IDEMPOTENCY_KEY_LENGTH:
        raise ValueError(f"idempotency key longer than {MAX_IDEMPOTENCY_KEY_LENGTH} characters")
    parameters = {
        "p_key": key,
        "p_fingerprint": fingerprint,
        "p_token": token,
        "p_completed": completed,
        "p_ttl_seconds": ttl,
        "p_expires_at": expires_at,
        "p_now": now,
    }
    result = await executor.execute(_claim_statement(dialect), parameters)
    return result.scalar_one_or_none() == token


_HELD = (
    IdempotencyKey.key == bindparam("p_key"),
    IdempotencyKey.token == bindparam("p_token"),
    IdempotencyKey.completed.is_(False),
)
_READ = select(
    IdempotencyKey.fingerprint,
    IdempotencyKey.completed,
    IdempotencyKey.response,
    IdempotencyKey.expires_at,
)
_READ_KEY = _READ.where(IdempotencyKey.key == bindparam("p_key"))
_READ_LIVE = _READ_KEY.where(IdempotencyKey.expires_at > bindparam("p_now", type_=UtcDateTime))
_HELD_TTL = select(IdempotencyKey.ttl_seconds).where(*_HELD)
_COMPLETE_AT = (
    update(IdempotencyKey)
    .where(*_HELD)
    .values(completed=True, response=bindparam("p_response"), expires_at=bindparam("p_expires_at"))
)
_COMPLETE_FROM_TTL = (
    update(IdempotencyKey)
    .where(*_HELD)
    .values(
        completed=True,
        response=bindparam("p_response"),
        expires_at=bindparam("p_now", type_=UtcDateTime)
        + func.make_interval(0, 0, 0, 0, 0, 0, IdempotencyKey.ttl_seconds, type_=Interval),
    )
)
"""PostgreSQL only: the retention is counted from now in the same statement."""
_RELEASE = delete(IdempotencyKey).where(*_HELD)
_PURGE = delete(IdempotencyKey).where(
    IdempotencyKey.expires_at <= bindparam("p_now", type_=UtcDateTime)
)


class SqlIdempotencyStore:
    def __init__(self, database: Database, clock: Clock) -> None:
        self.adapter = database.adapter
        self._database = database
        self._clock = clock
        self._dialect = database.engine.dialect.name
        self._postgres = not database.is_sqlite
        # PostgreSQL: each statement is atomic on its own, so skip BEGIN/COMMIT round trips.
        # SQLite keeps real (BEGIN IMMEDIATE) transactions: its engine emits that on begin.
        self._engine = (
            database.engine.execution_options(isolation_level="AUTOCOMMIT")
            if self._postgres
            else database.engine
        )

    async def try_claim(self, key: str, fingerprint: str, ttl: float, lease: float) -> Claim:
        now = self._clock.now()
        token = new_id()
        row: Any = None
        for _ in range(_ATTEMPTS):
            async with self._engine.begin() as connection:
                claimed = await claim_row(
                    connection,
                    self._dialect,
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
                row = (await connection.execute(_READ_KEY, {"p_key": key})).one_or_none()
            if row is not None:
                break
        if row is None:
            raise RuntimeError(f"idempotency key {key!r} kept changing while being claimed")
        if row.fingerprint != fingerprint:
            return Claim(status=ClaimStatus.MISMATCH)
        if row.completed:
            return Claim(status=ClaimStatus.COMPLETED, response=row.response)
        remaining = (row.expires_at - now).total_seconds()
        return Claim(status=ClaimStatus.IN_FLIGHT, retry_after=remaining)

    async def complete(self, key: str, response: bytes, *, token: str) -> bool:
        now = self._clock.now()
        held = {"p_key": key, "p_token": token, "p_response": response}
        async with self._engine.begin() as connection:
            if self._postgres:
                result = await connection.execute(_COMPLETE_FROM_TTL, {**held, "p_now": now})
                return bool(result.rowcount)
            ttl = (await connection.execute(_HELD_TTL, held)).scalar_one_or_none()
            if ttl is None:
                return False
            expires_at = now + timedelta(seconds=ttl)
            await connection.execute(_COMPLETE_AT, {**held, "p_expires_at": expires_at})
            return True

    async def release(self, key: str, *, token: str) -> bool:
        async with self._engine.begin() as connection:
            result = await connection.execute(_RELEASE, {"p_key": key, "p_token": token})
            return bool(result.rowcount)

    async def get(self, key: str) -> IdempotencyRecord | None:
        async with self._engine.begin() as connection:
            parameters = {"p_key": key, "p_now": self._clock.now()}
            row = (await connection.execute(_READ_LIVE, parameters)).one_or_none()
        if row is None:
            return None
        return IdempotencyRecord(
            key=key,
            fingerprint=row.fingerprint,
            completed=row.completed,
            response=row.response,
            expires_at=row.expires_at,
        )

    async def purge_expired(self) -> int:
        """Delete lapsed rows; returns how many (for a periodic cleanup job)."""
        async with self._engine.begin() as connection:
            result = await connection.execute(_PURGE, {"p_now": self._clock.now()})
            return int(result.rowcount)

    async def ping(self) -> None:
        await self._database.ping()
