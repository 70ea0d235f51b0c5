"""Key-value port: small counters and flags with expiry (rate limits, lockouts, caches).

Every operation is atomic on the backing store, so counters hold across processes.
"""

from __future__ import annotations

from typing import Protocol

__all__ = ["KeyValueStore"]


class KeyValueStore(Protocol):
    @property
    def adapter(self) -> str: ...

    async def get(self, key: str) -> str | None:
        """The live value under `key`, or None when absent or expired."""
        ...

    async def set(self, key: str, value: str, ttl_seconds: float | None = None) -> None: ...

    async def set_if_absent(self, key: str, value: str, ttl_seconds: float | None = None) -> bool:
        """Store `value` only if `key` holds no live value; True when this call stored it."""
        ...

    async def incr(self, key: str, amount: int = 1, ttl_seconds: float | None = None) -> int:
        """Add `amount` atomically and return the new total.

        A key that did not exist starts at zero and gets `ttl_seconds`; an existing key keeps
        its expiry (a fixed window, not a sliding one).
        """
        ...

    async def delete(self, key: str) -> None: ...

    async def ping(self) -> None: ...
