"""Processed guards: do a webhook's or a job's effects once per (scope, key).

`SqlProcessedGuard` writes its marker row inside the unit of work that carries the effects,
so marker and effects commit together or not at all. A concurrent duplicate's insert waits on
the unique key until the first transaction ends, then sees the marker (or, if that one rolled
back, takes the key itself).

`StoreProcessedGuard` is for a store that cannot join the database transaction (Redis): it
claims the key with a lease first, runs the effects in a fresh unit of work, marks the key
processed after the commit, and releases the claim if anything raised. A crash between the
commit and the mark leaves the lease to lapse, so that narrow window can repeat an effect;
the SQL guard has no such window.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

from common.ids import new_id
from core.errors import ConflictError
from core.ports.clock import Clock
from core.ports.idempotency import ClaimStatus, IdempotencyStore
from core.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from infra.db.engine import Database
from infra.db.unit_of_work import sql_unit_of_work
from infra.idempotency.sql import claim_row

__all__ = ["GuardContext", "SqlProcessedGuard", "StoreProcessedGuard", "guard_key"]

_PROCESSED = ""
"""The fingerprint of a processed marker: the key alone identifies the work."""


def guard_key(scope: str, key: str) -> str:
    return f"guard:{scope}:{key}"


@dataclass(frozen=True, slots=True)
class GuardContext:
    already_processed: bool
    unit_of_work: UnitOfWork


class SqlProcessedGuard:
    def __init__(self, database: Database, clock: Clock, *, retention: float) -> None:
        self._database = database
        self._clock = clock
        self._retention = retention

    def guard(self, scope: str, key: str) -> AbstractAsyncContextManager[GuardContext]:
        return self._guard(guard_key(scope, key))

    @asynccontextmanager
    async def _guard(self, key: str) -> AsyncIterator[GuardContext]:
        async with sql_unit_of_work(self._database) as uow:
            now = self._clock.now()
            claimed = await claim_row(
                uow.session,
                self._database.engine.dialect.name,
                key=key,
                fingerprint=_PROCESSED,
                token=new_id(),
                completed=True,
                ttl=self._retention,
                expires_at=now + timedelta(seconds=self._retention),
                now=now,
            )
            yield GuardContext(already_processed=not claimed, unit_of_work=uow)


class StoreProcessedGuard:
    def __init__(
        self,
        store: IdempotencyStore,
        unit_of_work: UnitOfWorkFactory,
        *,
        retention: float,
        lease: float,
        max_wait: float = 5.0,
        poll_interval: float = 0.05,
    ) -> None:
        self._store = store
        self._unit_of_work = unit_of_work
        self._retention = retention
        self._lease = lease
        self._polls = max(1, math.ceil(max_wait / poll_interval))
        self._poll_interval = poll_interval

    def guard(self, scope: str, key: str) -> AbstractAsyncContextManager[GuardContext]:
        return self._guard(guard_key(scope, key))

    @asynccontextmanager
    async def _guard(self, key: str) -> AsyncIterator[GuardContext]:
        claim = await self._store.try_claim(key, _PROCESSED, self._retention, self._lease)
        # A duplicate that arrives while the first delivery runs waits for its outcome: saying
        # "processed" before the first one commits would lose the event if it then failed.
        for _ in range(self._polls):
            if claim.status is not ClaimStatus.IN_FLIGHT:
                break
            await asyncio.sleep(self._poll_interval)
            claim = await self._store.try_claim(key, _PROCESSED, self._retention, self._lease)
        if claim.status is ClaimStatus.IN_FLIGHT:
            raise ConflictError(
                "This event is being processed by another delivery",
                slug="idempotency-key-in-flight",
                retry_after=math.ceil(claim.retry_after or 1),
            )
        if claim.token is None:
            async with self._unit_of_work() as uow:
                yield GuardContext(already_processed=True, unit_of_work=uow)
            return
        try:
            async with self._unit_of_work() as uow:
                yield GuardContext(already_processed=False, unit_of_work=uow)
        except BaseException:
            await self._store.release(key, token=claim.token)
            raise
        await self._store.complete(key, b"", token=claim.token)
