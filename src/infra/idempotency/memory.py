"""In-process idempotency store: for unit tests, where durability does not matter.

No `await` happens between reading and writing an entry, so each call is atomic on one loop.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from common.ids import new_id
from core.ports.clock import Clock
from core.ports.idempotency import Claim, ClaimStatus, IdempotencyRecord

__all__ = ["MemoryIdempotencyStore"]


@dataclass(frozen=True, slots=True)
class _Entry:
    fingerprint: str
    token: str
    completed: bool
    response: bytes | None
    ttl: float
    expires_at: datetime


class MemoryIdempotencyStore:
    adapter = "memory"

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._entries: dict[str, _Entry] = {}

    def _live(self, key: str) -> _Entry | None:
        entry = self._entries.get(key)
        if entry is not None and entry.expires_at <= self._clock.now():
            del self._entries[key]
            return None
        return entry

    async def try_claim(self, key: str, fingerprint: str, ttl: float, lease: float) -> Claim:
        now = self._clock.now()
        entry = self._live(key)
        if entry is None:
            token = new_id()
            self._entries[key] = _Entry(
                fingerprint, token, False, None, ttl, now + timedelta(seconds=lease)
            )
            return Claim(status=ClaimStatus.CLAIMED, token=token)
        if entry.fingerprint != fingerprint:
            return Claim(status=ClaimStatus.MISMATCH)
        if entry.completed:
            return Claim(status=ClaimStatus.COMPLETED, response=entry.response)
        remaining = (entry.expires_at - now).total_seconds()
        return Claim(status=ClaimStatus.IN_FLIGHT, retry_after=remaining)

    def _held(self, key: str, token: str) -> _Entry | None:
        entry = self._entries.get(key)
        if entry is None or entry.token != token or entry.completed:
            return None
        return entry

    async def complete(self, key: str, response: bytes, *, token: str) -> bool:
        entry = self._held(key, token)
        if entry is None:
            return False
        expires_at = self._clock.now() + timedelta(seconds=entry.ttl)
        self._entries[key] = replace(
            entry, completed=True, response=response, expires_at=expires_at
        )
        return True

    async def release(self, key: str, *, token: str) -> bool:
        if self._held(key, token) is None:
            return False
        del self._entries[key]
        return True

    async def get(self, key: str) -> IdempotencyRecord | None:
        entry = self._live(key)
        if entry is None:
            return None
        return IdempotencyRecord(
            key=key,
            fingerprint=entry.fingerprint,
            completed=entry.completed,
            response=entry.response,
            expires_at=entry.expires_at,
        )

    async def ping(self) -> None:
        return None
