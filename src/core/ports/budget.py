"""Budget store port: hold, then charge, token allowances across several windows at once.

A window is a counter with a limit (`user:U1:hour:2026010112`, `org:O1:day:20260101`, ...).
A call first *reserves* its worst case against every window that applies, all or nothing, in
one atomic step; afterwards it *settles* what it really used (the rest is freed) or *releases*
the hold. So N concurrent calls can never all pass a check and overspend together.

Invariants every adapter keeps, per window, at every instant:
    0 <= used, 0 <= reserved, used + reserved <= limit (for the limit last reserved against)
- `settle` is idempotent per reservation id: a retried settle returns the first charge and
  changes nothing; it charges at most the amount held.
- A hold lives `hold_seconds`: a process that dies between reserve and settle leaves a hold
  that stops counting once it lapses (and `expire` sweeps it away).
- Windows are kept until their `resets_at` (plus the hold time), then forgotten.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

import msgspec

__all__ = ["BudgetStore", "BudgetWindow", "ReservationRefusedError", "WindowUsage"]


class BudgetWindow(msgspec.Struct, frozen=True, kw_only=True):
    key: str
    """Scope, subject, period and bucket in one string: a new bucket is a new window."""
    limit: int
    resets_at: datetime


class WindowUsage(msgspec.Struct, frozen=True, kw_only=True):
    window: BudgetWindow
    used: int
    reserved: int

    @property
    def available(self) -> int:
        return max(0, self.window.limit - self.used - self.reserved)


class ReservationRefusedError(Exception):
    """A reservation does not fit `window`; nothing was held anywhere."""

    def __init__(self, window: BudgetWindow, available: int) -> None:
        super().__init__(f"budget window {window.key} has {available} tokens available")
        self.window = window
        self.available = available


class BudgetStore(Protocol):
    @property
    def adapter(self) -> str:
        """`postgres`, `sqlite`, `redis` or `memory`."""
        ...

    async def reserve(
        self,
        reservation_id: str,
        windows: Sequence[BudgetWindow],
        amount: int,
        *,
        hold_seconds: float,
        min_amount: int | None = None,
    ) -> int:
        """Hold `amount` in every window, or nothing anywhere; return the amount held.

        With `min_amount`, hold as much as every window can spare as long as that is at least
        `min_amount` (a stream that may stop early). Raises `ReservationRefusedError` naming
        the window that cannot cover it. Reserving an id that already exists returns its hold.
        """
        ...

    async def settle(self, reservation_id: str, used: int) -> int:
        """Charge `used` (at most the amount held) and free the hold; return the charge.

        Idempotent: a second settle returns the first charge. A hold that lapsed is charged
        only as far as the windows still have room. Unknown or released ids charge 0.
        """
        ...

    async def release(self, reservation_id: str) -> bool:
        """Free the hold without charging; False when it was not held any more."""
        ...

    async def expire(self, limit: int = 500) -> int:
        """Sweep up to `limit` lapsed holds (left by dead processes); return how many."""
        ...

    async def usage(self, windows: Sequence[BudgetWindow]) -> list[WindowUsage]:
        """Used and live-reserved amounts of each window, in the order given."""
        ...

    async def ping(self) -> None: ...
