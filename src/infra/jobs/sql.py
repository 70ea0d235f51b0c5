"""SQL job store: PostgreSQL (`FOR UPDATE SKIP LOCKED`) and SQLite (`BEGIN IMMEDIATE`).

A claim is one `UPDATE … WHERE id = (SELECT … FOR UPDATE SKIP LOCKED) RETURNING`. On
PostgreSQL concurrent claimers skip each other's locked rows, and the `state = 'pending'`
re-check after the row lock guarantees a single winner. SQLite ignores `FOR UPDATE`, but
every transaction there starts with BEGIN IMMEDIATE (see infra.db.engine), so the select and
the update run as one writer-exclusive step across processes.
"""

from __future__ import annotations

import asyncio
import builtins
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Row, Table, case, delete, insert, literal, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from common.ids import new_id
from core.ports.clock import Clock
from core.ports.jobs import (
    DEFAULT_MAX_ATTEMPTS,
    LIVE_STATES,
    MAX_ERROR_LENGTH,
    Claim,
    Job,
    JobState,
    Recovered,
    check_enqueue,
)
from core.ports.unit_of_work import UnitOfWork
from infra.db.engine import Database
from infra.db.tables._base import UtcDateTime
from infra.db.tables.jobs import JobRow
from infra.db.unit_of_work import joined_session
from infra.db.upsert import insert_for

__all__ = ["SqlJobStore"]

_T = cast(Table, JobRow.__table__)
_LEASE_LOST = "lease expired: worker lost"
_RECOVER_BATCH = 500
_DEDUP_RETRIES = 3
# Literal, not bound: PostgreSQL matches ON CONFLICT to the partial unique index only when it
# can prove the predicate, which it cannot with parameters once it switches to generic plans.
_LIVE = text("state IN ('pending', 'running')")


def _job(row: Row[Any]) -> Job:
    values = row._mapping
    return Job(
        id=values["id"],
        name=values["name"],
        payload=bytes(values["payload"]),
        state=values["state"],
        priority=values["priority"],
        run_at=values["run_at"],
        attempts=values["attempts"],
        max_attempts=values["max_attempts"],
        created_at=values["created_at"],
        updated_at=values["updated_at"],
        dedup_key=values["dedup_key"],
        owner_id=values["owner_id"],
        worker_id=values["worker_id"],
        lease_expires_at=values["lease_expires_at"],
        last_error=values["last_error"],
        result=None if values["result"] is None else bytes(values["result"]),
    )


def _at(moment: datetime) -> Any:
    return literal(moment, UtcDateTime())


_SETTLED = {"worker_id": None, "lease_token": None, "lease_expires_at": None}


class SqlJobStore:
    def __init__(self, database: Database, clock: Clock) -> None:
        self.adapter = database.adapter
        self._database = database
        self._clock = clock
        self._dialect = database.engine.dialect.name
        self._serial = asyncio.Lock() if database.is_sqlite else None

    @asynccontextmanager
    async def _begin(self) -> AsyncIterator[AsyncConnection]:
        # SQLite has one write lock per file and its busy handler is not fair: a process with
        # many transactions queued keeps winning it while another process (the API enqueuing)
        # backs off until its timeout. One transaction at a time per store and process keeps
        # gaps in which other processes get their turn. PostgreSQL needs no such thing.
        if self._serial is None:
            # Every PostgreSQL operation here is one statement, atomic on its own: autocommit
            # saves the BEGIN and COMMIT round trips on the hot path (claim, complete).
            async with self._database.engine.connect() as connection:
                yield await connection.execution_options(isolation_level="AUTOCOMMIT")
            return
        async with self._serial, self._database.engine.begin() as connection:
            yield connection

    async def enqueue(
        self,
        name: str,
        payload: bytes = b"null",
        *,
        run_at: datetime | None = None,
        priority: int = 0,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        dedup_key: str | None = None,
        owner_id: str | None = None,
        uow: UnitOfWork | None = None,
    ) -> Job:
        check_enqueue(name, priority, max_attempts)
        now = self._clock.now()
        values = {
            "id": new_id(),
            "name": name,
            "payload": payload,
            "state": "pending",
            "priority": priority,
            "run_at": run_at or now,
            "attempts": 0,
            "max_attempts": max_attempts,
            "dedup_key": dedup_key,
            "owner_id": owner_id,
            "created_at": now,
            "updated_at": now,
        }
        if uow is None:
            async with self._begin() as connection:
                return await self._insert(connection, values)
        async with joined_session(self._database, uow) as session:
            return await self._insert(session, values)

    async def _insert(self, session: AsyncConnection | AsyncSession, values: dict[str, Any]) -> Job:
        dedup_key = values["dedup_key"]
        if dedup_key is None:
            row = (await session.execute(insert(_T).values(values).returning(*_T.c))).one()
            return _job(row)
        statement = (
            insert_for(self._dialect, _T)
            .values(values)
            .on_conflict_do_nothing(index_elements=[_T.c.dedup_key], index_where=_LIVE)
            .returning(*_T.c)
        )
        for _ in range(_DEDUP_RETRIES):
            inserted = (await session.execute(statement)).first()
            if inserted is not None:
                return _job(inserted)
            live = select(_T).where(_T.c.dedup_key == dedup_key, _T.c.state.in_(LIVE_STATES))
            existing = (await session.execute(live)).first()
            if existing is not None:
                return _job(existing)
            # The live holder finished between our insert and our select: try again.
        raise RuntimeError(f"enqueue could not settle dedup key {dedup_key!r}")

    def _claim_values(self, worker_id: str, lease_seconds: float, token: str) -> dict[str, Any]:
        now = self._clock.now()
        return {
            "state": "running",
            "attempts": _T.c.attempts + 1,
            "worker_id": worker_id,
            "lease_token": token,
            "lease_expires_at": now + timedelta(seconds=lease_seconds),
            "updated_at": now,
        }

    async def _claim_where(
        self, condition: Any, worker_id: str, lease_seconds: float
    ) -> Claim | None:
        token = new_id()
        statement = (
            update(_T)
            .where(condition, _T.c.state == "pending", _T.c.run_at <= self._clock.now())
            .values(self._claim_values(worker_id, lease_seconds, token))
            .returning(*_T.c)
        )
        async with self._begin() as connection:
            row = (await connection.execute(statement)).first()
        return None if row is None else Claim(job=_job(row), token=token)

    async def claim_next(self, worker_id: str, lease_seconds: float) -> Claim | None:
        pick = (
            select(_T.c.id)
            .where(_T.c.state == "pending", _T.c.run_at <= self._clock.now())
            .order_by(_T.c.priority.desc(), _T.c.run_at, _T.c.id)
            .limit(1)
            .with_for_update(skip_locked=True)
            .scalar_subquery()
        )
        return await self._claim_where(_T.c.id == pick, worker_id, lease_seconds)

    async def claim(self, job_id: str, worker_id: str, lease_seconds: float) -> Claim | None:
        return await self._claim_where(_T.c.id == job_id, worker_id, lease_seconds)

    def _held(self, job_id: str, token: str) -> Any:
        return (_T.c.id == job_id, _T.c.state == "running", _T.c.lease_token == token)

    async def _update_held(self, job_id: str, token: str, **values: Any) -> bool:
        statement = (
            update(_T)
            .where(*self._held(job_id, token))
            .values(updated_at=self._clock.now(), **values)
            .returning(_T.c.id)
        )
        async with self._begin() as connection:
            return (await connection.execute(statement)).first() is not None

    async def heartbeat(self, job_id: str, token: str, lease_seconds: float) -> bool:
        expires = self._clock.now() + timedelta(seconds=lease_seconds)
        return await self._update_held(job_id, token, lease_expires_at=expires)

    async def complete(self, job_id: str, token: str, result: bytes | None = None) -> bool:
        return await self._update_held(
            job_id, token, state="done", result=result, last_error=None, **_SETTLED
        )

    async def release(self, job_id: str, token: str) -> bool:
        return await self._update_held(
            job_id,
            token,
            state="pending",
            attempts=_T.c.attempts - 1,
            run_at=self._clock.now(),
            **_SETTLED,
        )

    async def fail(
        self, job_id: str, token: str, error: str, *, retry_delay: float | None
    ) -> JobState | None:
        now = self._clock.now()
        if retry_delay is None:
            state_value: Any = "dead"
            run_at: Any = _T.c.run_at
        else:
            retry = _T.c.attempts < _T.c.max_attempts
            state_value = case((retry, "pending"), else_="dead")
            run_at = case((retry, _at(now + timedelta(seconds=retry_delay))), else_=_T.c.run_at)
        statement = (
            update(_T)
            .where(*self._held(job_id, token))
            .values(
                state=state_value,
                run_at=run_at,
                last_error=error[:MAX_ERROR_LENGTH],
                updated_at=now,
                **_SETTLED,
            )
            .returning(_T.c.state)
        )
        async with self._begin() as connection:
            state = (await connection.execute(statement)).scalar_one_or_none()
        return None if state is None else cast(JobState, state)

    async def recover_expired(self) -> Recovered:
        now = self._clock.now()
        lapsed = (_T.c.state == "running", _T.c.lease_expires_at <= now)
        expired = (
            select(_T.c.id).where(*lapsed).limit(_RECOVER_BATCH).with_for_update(skip_locked=True)
        )
        spent = _T.c.attempts >= _T.c.max_attempts
        statement = (
            update(_T)
            .where(_T.c.id.in_(expired), *lapsed)
            .values(
                state=case((spent, "dead"), else_="pending"),
                run_at=case((spent, _T.c.run_at), else_=_at(now)),
                last_error=case((spent, _LEASE_LOST), else_=_T.c.last_error),
                updated_at=now,
                **_SETTLED,
            )
            .returning(_T.c.id, _T.c.state)
        )
        async with self._begin() as connection:
            rows = (await connection.execute(statement)).all()
        return Recovered(
            requeued=tuple(sorted(row.id for row in rows if row.state == "pending")),
            dead=tuple(sorted(row.id for row in rows if row.state == "dead")),
        )

    async def get(self, job_id: str) -> Job | None:
        async with self._begin() as connection:
            row = (await connection.execute(select(_T).where(_T.c.id == job_id))).first()
        return None if row is None else _job(row)

    async def list(
        self,
        *,
        state: JobState | None = None,
        owner_id: str | None = None,
        limit: int = 100,
    ) -> builtins.list[Job]:
        query = select(_T).order_by(_T.c.id.desc()).limit(limit)
        if state is not None:
            query = query.where(_T.c.state == state)
        if owner_id is not None:
            query = query.where(_T.c.owner_id == owner_id)
        async with self._begin() as connection:
            return [_job(row) for row in (await connection.execute(query)).all()]

    async def retry_dead(self, job_id: str) -> bool:
        now = self._clock.now()
        statement = (
            update(_T)
            .where(_T.c.id == job_id, _T.c.state == "dead")
            .values(state="pending", attempts=0, run_at=now, updated_at=now, **_SETTLED)
            .returning(_T.c.id)
        )
        try:
            async with self._begin() as connection:
                return await _first(connection, statement)
        except IntegrityError:
            # A live job took the dedup key meanwhile; two live holders are not allowed.
            return False

    async def purge_finished(self, before: datetime) -> int:
        statement = delete(_T).where(_T.c.state == "done", _T.c.updated_at < before)
        async with self._begin() as connection:
            result = await connection.execute(statement)
        return int(result.rowcount or 0)

    async def ping(self) -> None:
        await self._database.ping()


async def _first(connection: AsyncConnection, statement: Any) -> bool:
    return (await connection.execute(statement)).first() is not None
