"""In-process key-value store: for unit tests, where durability does not matter."""

from __future__ import annotations

from core.ports.clock import Clock

__all__ = ["MemoryKeyValueStore"]


class MemoryKeyValueStore:
    adapter = "memory"

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._entries: dict[str, tuple[str, float | None]] = {}

    def _live(self, key: str) -> tuple[str, float | None] | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry[1] is not None and entry[1] <= self._clock.monotonic():
            del self._entries[key]
            return None
        return entry

    def _expiry(self, ttl_seconds: float | None) -> float | None:
        return None if ttl_seconds is None else self._clock.monotonic() + ttl_seconds

    async def get(self, key: str) -> str | None:
        entry = self._live(key)
        return None if entry is None else entry[0]

    async def set(self, key: str, value: str, ttl_seconds: float | None = None) -> None:
        self._entries[key] = (value, self._expiry(ttl_seconds))

    async def set_if_absent(self, key: str, value: str, ttl_seconds: float | None = None) -> bool:
        if self._live(key) is not None:
            return False
        self._entries[key] = (value, self._expiry(ttl_seconds))
        return True

    async def incr(self, key: str, amount: int = 1, ttl_seconds: float | None = None) -> int:
        entry = self._live(key)
        if entry is None:
            total, expiry = amount, self._expiry(ttl_seconds)
        else:
            total, expiry = int(entry[0]) + amount, entry[1]
        self._entries[key] = (str(total), expiry)
        return total

    async def delete(self, key: str) -> None:
        self._entries.pop(key, None)

    async def ping(self) -> None:
        return None
