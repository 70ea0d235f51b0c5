"""Redis budget store: every operation is one Lua script, so it is atomic across processes.

Per window a hash (`used`, `reserved`) and a sorted set of holds by expiry; per reservation a
hash (its amount, state and windows). A script drops a window's lapsed holds before reading
it, so a hold left by a dead process stops counting once it lapses. Scripts live in `lua/`,
each prefixed with `lua/_lib.lua`; keys are built inside them (a single Redis server, not
Cluster). Times are the injected clock's, in milliseconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import msgspec
from redis.asyncio import Redis

from core.ports.budget import BudgetWindow, ReservationRefusedError, WindowUsage
from core.ports.clock import Clock
from infra.budget._common import RETENTION, check_reserve, grant_for

__all__ = ["RedisBudgetStore"]

_LUA = Path(__file__).parent / "lua"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _script(name: str) -> str:
    return (_LUA / "_lib.lua").read_text() + "\n" + (_LUA / f"{name}.lua").read_text()


def _ms(moment: datetime) -> int:
    return _span(moment - _EPOCH)


def _span(duration: timedelta) -> int:
    return max(1, duration // timedelta(milliseconds=1))


class RedisBudgetStore:
    adapter = "redis"

    def __init__(self, client: Redis, clock: Clock, prefix: str = "") -> None:
        self._client = client
        self._clock = clock
        self._prefix = f"{prefix}llm:budget:"
        self._scripts: dict[str, Any] = {
            name: client.register_script(_script(name))
            for name in ("reserve", "settle", "release", "expire", "usage")
        }

    async def _run(self, name: str, *args: object) -> Any:
        return await self._scripts[name](keys=[], args=[self._prefix, *args])

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
        # Key lifetimes are relative (PEXPIRE): Redis's clock need not agree with the injected one.
        encoded = msgspec.json.encode(
            [
                [w.key, w.limit, _span(max(w.resets_at, expires_at) + RETENTION - now)]
                for w in windows
            ]
        )
        result = await self._run(
            "reserve",
            reservation_id,
            amount,
            min_amount or 0,
            _ms(now),
            _ms(expires_at),
            encoded,
            _span(expires_at + RETENTION - now),
        )
        if int(result[0]) == 1:
            return int(result[1])
        room = [(w, int(space)) for w, space in zip(windows, result[1:], strict=True)]
        refusal = grant_for(room, amount, min_amount)
        if isinstance(refusal, ReservationRefusedError):
            raise refusal
        raise RuntimeError("budget script refused a reservation that fits")  # pragma: no cover

    async def settle(self, reservation_id: str, used: int) -> int:
        return int(await self._run("settle", reservation_id, used, _ms(self._clock.now())))

    async def release(self, reservation_id: str) -> bool:
        return bool(await self._run("release", reservation_id, _ms(self._clock.now())))

    async def expire(self, limit: int = 500) -> int:
        return int(await self._run("expire", _ms(self._clock.now()), limit))

    async def usage(self, windows: Sequence[BudgetWindow]) -> list[WindowUsage]:
        keys = msgspec.json.encode([w.key for w in windows])
        flat = await self._run("usage", _ms(self._clock.now()), keys)
        return [
            WindowUsage(window=w, used=int(flat[2 * i]), reserved=int(flat[2 * i + 1]))
            for i, w in enumerate(windows)
        ]

    async def ping(self) -> None:
        await self._client.ping()
