"""SQL budget store: each operation is one transaction on PostgreSQL or SQLite.

Reserve and settle first lock the window rows with one `INSERT … ON CONFLICT DO UPDATE …
RETURNING` (it creates missing windows, takes the row locks — always in key order, so two
callers cannot deadlock — and reads `used`), then read what is held. On SQLite every
transaction is BEGIN IMMEDIATE (infra.db.engine), which serialises the same steps across
processes. What is held is the sum of live hold rows, so a lapsed hold simply stops counting;
release and expire only delete holds (making room), which never needs the window lock.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import cast

import msgspec
from sqlalchemy import Table, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from core.ports.budget import BudgetWindow, ReservationRefusedError, WindowUsage
from core.ports.clock import Clock
from infra.budget._common import RETENTION, check_reserve, grant_for
from infra.db.engine import Database
from infra.db.tables.llm import LlmBudgetHold, LlmBudgetReservation, LlmBudgetWindow
from infra.db.upsert import insert_for

__all__ = ["SqlBudgetStore"]

_W = cast(Table, LlmBudgetWindow.__table__)
_R = cast(Table, LlmBudgetReservation.__table__)
_H = cast(Table, LlmBudgetHold.__table__)
_SURELY_LIVE = timedelta(seconds=30)


class SqlBudgetStore:
    def __init__(self, database: Database, clock: Clock) -> None:
        self.adapter = database.adapter
        self._database = database
        self._clock = clock
        self._dialect = database.engine.dialect.name

    async def _lock_windows(
        self, connection: AsyncConnection, windows: Sequence[BudgetWindow]
    ) -> dict[str, int]:
        """Create missing window rows and lock them all, in key order; return `used` by key."""
        ordered = sorted(windows, key=lambda window: window.key)
        insert = insert_for(self._dialect, _W).values(
            [
                {"key": w.key, "used": 0, "limit_tokens": w.limit, "resets_at": w.resets_at}
                for w in ordered
            ]
        )
        # The no-op update is what takes the row lock on an existing window.
        upsert = insert.on_conflict_do_update(
            index_elements=["key"], set_={"limit_tokens": insert.excluded.limit_tokens}
        ).returning(_W.c.key, _W.c.used)
        return {key: int(used) for key, used in (await connection.execute(upsert)).all()}

    async def _add_used(
        self, connection: AsyncConnection, windows: Sequence[BudgetWindow], charge: int
    ) -> None:
        """Add `charge` to every window in one statement that locks them in key order."""
        ordered = sorted(windows, key=lambda window: window.key)
        insert = insert_for(self._dialect, _W).values(
            [
                {"key": w.key, "used": charge, "limit_tokens": w.limit, "resets_at": w.resets_at}
                for w in ordered
            ]
        )
        await connection.execute(
            insert.on_conflict_do_update(
                index_elements=["key"], set_={"used": _W.c.used + insert.excluded.used}
            )
        )

    async def _held(
        self,
        connection: AsyncConnection,
        keys: Sequence[str],
        now: datetime,
        excluding: str | None = None,
    ) -> dict[str, int]:
        # A statement of its own, run after the window locks are held: under READ COMMITTED
        # it then sees every hold committed by whoever held those locks before us (folded
        # into the locking statement, it would read the snapshot taken before the wait).
        query = (
            select(_H.c.window_key, func.sum(_H.c.amount))
            .where(_H.c.window_key.in_(keys), _H.c.expires_at > now)
            .group_by(_H.c.window_key)
        )
        if excluding is not None:
            query = query.where(_H.c.reservation_id != excluding)
        return {key: int(total) for key, total in (await connection.execute(query)).all()}

    async def reserve(
        self,
        reservation_id: str,
        windows: Sequence[BudgetWindow],
        amount: int,
        *,
        hold_seconds: float,
        min_amount: int | None = None,
    ) -> int:
        check_reserve(windows, amount, min_amount)
        now = self._clock.now()
        expires_at = now + timedelta(seconds=hold_seconds)
        try:
            async with self._database.engine.begin() as connection:
                # The reservation row first: a repeated id fails here, before any lock.
                await connection.execute(
                    _R.insert().values(
                        id=reservation_id,
                        amount=amount,
                        state="held",
                        charged=0,
                        windows=_encode(windows),
                        expires_at=expires_at,
                        created_at=now,
                    )
                )
                used = await self._lock_windows(connection, windows)
                held = await self._held(connection, [w.key for w in windows], now)
                room = [(w, w.limit - used[w.key] - held.get(w.key, 0)) for w in windows]
                granted = grant_for(room, amount, min_amount)
                if isinstance(granted, ReservationRefusedError):
                    raise granted
                if granted != amount:
                    await connection.execute(
                        update(_R).where(_R.c.id == reservation_id).values(amount=granted)
                    )
                await connection.execute(
                    _H.insert(),
                    [
                        {
                            "window_key": w.key,
                            "reservation_id": reservation_id,
                            "amount": granted,
                            "expires_at": expires_at,
                        }
                        for w in windows
                    ],
                )
                return granted
        except IntegrityError:
            # This id was reserved before (a retried call): answer with that hold.
            async with self._database.engine.connect() as connection:
                existing = await connection.scalar(
                    select(_R.c.amount).where(_R.c.id == reservation_id)
                )
            if existing is None:
                raise
            return int(existing)

    async def settle(self, reservation_id: str, used: int) -> int:
        now = self._clock.now()
        async with self._database.engine.begin() as connection:
            row = (
                await connection.execute(
                    select(_R.c.amount, _R.c.state, _R.c.charged, _R.c.windows, _R.c.expires_at)
                    .where(_R.c.id == reservation_id)
                    .with_for_update()
                )
            ).first()
            if row is None or row.state == "released":
                return 0
            if row.state == "settled":
                return int(row.charged)
            windows = _decode(row.windows)
            charge = min(max(used, 0), int(row.amount))
            if row.state == "held" and row.expires_at > now + _SURELY_LIVE:
                # A hold far from lapsing counts in its windows for every other caller too:
                # turning (part of) it into use cannot overflow them. Near or past its expiry
                # another caller may already have ignored it, so check the room left.
                await self._add_used(connection, windows, charge)
            else:
                window_used = await self._lock_windows(connection, windows)
                held = await self._held(connection, [w.key for w in windows], now, reservation_id)
                for window in windows:
                    room = window.limit - window_used[window.key] - held.get(window.key, 0)
                    charge = min(charge, max(0, room))
                await self._add_used(connection, windows, charge)
            await connection.execute(delete(_H).where(_H.c.reservation_id == reservation_id))
            await connection.execute(
                update(_R).where(_R.c.id == reservation_id).values(state="settled", charged=charge)
            )
            return charge

    async def release(self, reservation_id: str) -> bool:
        now = self._clock.now()
        async with self._database.engine.begin() as connection:
            row = (
                await connection.execute(
                    select(_R.c.state, _R.c.expires_at)
                    .where(_R.c.id == reservation_id)
                    .with_for_update()
                )
            ).first()
            if row is None or row.state != "held":
                return False
            await connection.execute(delete(_H).where(_H.c.reservation_id == reservation_id))
            await connection.execute(
                update(_R).where(_R.c.id == reservation_id).values(state="released")
            )
            return bool(row.expires_at > now)

    async def expire(self, limit: int = 500) -> int:
        now = self._clock.now()
        async with self._database.engine.begin() as connection:
            lapsed = (
                select(_R.c.id)
                .where(_R.c.state == "held", _R.c.expires_at <= now)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
            ids = list((await connection.scalars(lapsed)).all())
            if ids:
                await connection.execute(delete(_H).where(_H.c.reservation_id.in_(ids)))
                await connection.execute(update(_R).where(_R.c.id.in_(ids)).values(state="expired"))
            await connection.execute(
                delete(_R).where(_R.c.state != "held", _R.c.created_at < now - RETENTION)
            )
            await connection.execute(delete(_W).where(_W.c.resets_at < now - RETENTION))
            return len(ids)

    async def usage(self, windows: Sequence[BudgetWindow]) -> list[WindowUsage]:
        now = self._clock.now()
        keys = [w.key for w in windows]
        async with self._database.engine.connect() as connection:
            query = select(_W.c.key, _W.c.used).where(_W.c.key.in_(keys))
            used = {key: int(value) for key, value in (await connection.execute(query)).all()}
            held = await self._held(connection, keys, now)
        return [
            WindowUsage(window=w, used=used.get(w.key, 0), reserved=held.get(w.key, 0))
            for w in windows
        ]

    async def ping(self) -> None:
        await self._database.ping()


def _encode(windows: Sequence[BudgetWindow]) -> str:
    return msgspec.json.encode([[w.key, w.limit, w.resets_at] for w in windows]).decode()


def _decode(raw: str) -> list[BudgetWindow]:
    items: list[tuple[str, int, datetime]] = msgspec.json.decode(
        raw, type=list[tuple[str, int, datetime]]
    )
    return [BudgetWindow(key=key, limit=limit, resets_at=at) for key, limit, at in items]
