"""Event keys this process has seen committed as processed, so a flood of one duplicate is
answered without a database round trip.

Only a cache of facts already durable in the processed guard's store: an entry is added after
the first delivery committed (or after the guard said "already processed"), and a miss always
goes to the guard. Correctness never depends on it; it bounds the cost of duplicates.
"""

from __future__ import annotations

from collections import OrderedDict

from core.ports.clock import Clock

__all__ = ["RecentlyProcessed"]


class RecentlyProcessed:
    def __init__(self, clock: Clock, *, ttl_seconds: float = 600.0, capacity: int = 10_000) -> None:
        self._clock = clock
        self._ttl = ttl_seconds
        self._capacity = capacity
        self._expiry: OrderedDict[str, float] = OrderedDict()

    def __contains__(self, key: str) -> bool:
        expires = self._expiry.get(key)
        if expires is None:
            return False
        if expires <= self._clock.monotonic():
            del self._expiry[key]
            return False
        return True

    def add(self, key: str) -> None:
        self._expiry[key] = self._clock.monotonic() + self._ttl
        self._expiry.move_to_end(key)
        while len(self._expiry) > self._capacity:
            self._expiry.popitem(last=False)

    def __len__(self) -> int:
        return len(self._expiry)
