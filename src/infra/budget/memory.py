"""In-process budget store: the reference semantics, for unit tests (nothing survives a restart)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from core.ports.budget import BudgetWindow, ReservationRefusedError, WindowUsage
from core.ports.clock import Clock
from infra.budget._common import check_reserve, grant_for

__all__ = ["MemoryBudgetStore"]

_State = Literal["held", "settled", "released", "expired"]


@dataclass
class _Reservation:
    amount: int
    windows: tuple[BudgetWindow, ...]
    expires_at: datetime
    state: _State = "held"
    charged: int = 0


@dataclass
class _Window:
    used: int = 0
    resets_at: datetime | None = None
    holds: set[str] = field(default_factory=set)


class MemoryBudgetStore:
    adapter = "memory"

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._windows: dict[str, _Window] = {}
        self._reservations: dict[str, _Reservation] = {}

    def _live(self, reservation_id: str, now: datetime) -> _Reservation | None:
        reservation = self._reservations.get(reservation_id)
        if reservation is None or reservation.state != "held" or reservation.expires_at <= now:
            return None
        return reservation

    def _reserved(self, key: str, now: datetime, *, excluding: str | None = None) -> int:
        window = self._windows.get(key)
        if window is None:
            return 0
        return sum(
            live.amount
            for rid in window.holds
            if rid != excluding and (live := self._live(rid, now)) is not None
        )

    def _window(self, window: BudgetWindow) -> _Window:
        state = self._windows.setdefault(window.key, _Window())
        state.resets_at = window.resets_at
        return state

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
        existing = self._reservations.get(reservation_id)
        if existing is not None:
            return existing.amount
        now = self._clock.now()
        available = [
            (w, w.limit - self._window(w).used - self._reserved(w.key, now)) for w in windows
        ]
        granted = grant_for(available, amount, min_amount)
        if isinstance(granted, ReservationRefusedError):
            raise granted
        self._reservations[reservation_id] = _Reservation(
            amount=granted,
            windows=tuple(windows),
            expires_at=now + timedelta(seconds=hold_seconds),
        )
        for window in windows:
            self._window(window).holds.add(reservation_id)
        return granted

    async def settle(self, reservation_id: str, used: int) -> int:
        reservation = self._reservations.get(reservation_id)
        if reservation is None or reservation.state == "released":
            return 0
        if reservation.state == "settled":
            return reservation.charged
        now = self._clock.now()
        charge = min(max(used, 0), reservation.amount)
        for window in reservation.windows:
            room = (
                window.limit
                - self._window(window).used
                - self._reserved(window.key, now, excluding=reservation_id)
            )
            charge = min(charge, max(0, room))
        for window in reservation.windows:
            state = self._window(window)
            state.used += charge
            state.holds.discard(reservation_id)
        reservation.state = "settled"
        reservation.charged = charge
        return charge

    async def release(self, reservation_id: str) -> bool:
        reservation = self._reservations.get(reservation_id)
        if reservation is None or reservation.state != "held":
            return False
        was_live = self._live(reservation_id, self._clock.now()) is not None
        self._drop(reservation_id, reservation, "released")
        return was_live

    async def expire(self, limit: int = 500) -> int:
        now = self._clock.now()
        lapsed = [
            (rid, reservation)
            for rid, reservation in self._reservations.items()
            if reservation.state == "held" and reservation.expires_at <= now
        ][:limit]
        for rid, reservation in lapsed:
            self._drop(rid, reservation, "expired")
        return len(lapsed)

    def _drop(self, reservation_id: str, reservation: _Reservation, state: _State) -> None:
        reservation.state = state
        for window in reservation.windows:
            self._window(window).holds.discard(reservation_id)

    async def usage(self, windows: Sequence[BudgetWindow]) -> list[WindowUsage]:
        now = self._clock.now()
        result = []
        for window in windows:
            state = self._windows.get(window.key)
            used = 0 if state is None else state.used
            reserved = self._reserved(window.key, now)
            result.append(WindowUsage(window=window, used=used, reserved=reserved))
        return result

    async def ping(self) -> None:
        return None
