"""Redis idempotency store: `SET NX` claims, Lua for every other change of state.

One string per key holds the whole record (see claim.lua for its layout). The first claim of
a free key is a plain `SET NX PX lease`; when the key is taken, claim.lua decides atomically
whether to take it over (lapsed lease or retention) or to report who holds it. Expiry is
judged by the injected clock (so every process and test agrees with the SQL store), and the
Redis TTL follows it so that forgotten keys also leave memory.

The client must return bytes (no `decode_responses`): stored responses are binary.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from redis.asyncio import Redis

from common.ids import new_id
from core.ports.clock import Clock
from core.ports.idempotency import Claim, ClaimStatus, IdempotencyRecord

__all__ = ["RedisIdempotencyStore"]

_HERE = Path(__file__).parent
_CLAIM = (_HERE / "claim.lua").read_text()
_COMPLETE = (_HERE / "complete.lua").read_text()
_RELEASE = (_HERE / "release.lua").read_text()
_HEADER = re.compile(rb"^([pd])\|(\w*)\|(\d+)\|(\d+)\|(\d+)\|")


def _millis(seconds: float) -> int:
    return max(1, int(seconds * 1000))


def _encode(token: str, expires_at_ms: int, ttl_ms: int, fingerprint: str) -> bytes:
    raw = fingerprint.encode()
    header = f"p|{token}|{expires_at_ms}|{ttl_ms}|{len(raw)}|".encode()
    return header + raw


class RedisIdempotencyStore:
    adapter = "redis"

    def __init__(self, client: Redis, clock: Clock, prefix: str = "") -> None:
        self._client = client
        self._clock = clock
        self._prefix = f"{prefix}idem:"
        self._claim: Any = client.register_script(_CLAIM)
        self._complete: Any = client.register_script(_COMPLETE)
        self._release: Any = client.register_script(_RELEASE)

    def _now_ms(self) -> int:
        return int(self._clock.now().timestamp() * 1000)

    async def try_claim(self, key: str, fingerprint: str, ttl: float, lease: float) -> Claim:
        now, lease_ms, token = self._now_ms(), _millis(lease), new_id()
        record = _encode(token, now + lease_ms, _millis(ttl), fingerprint)
        name = self._prefix + key
        if await self._client.set(name, record, px=lease_ms, nx=True):
            return Claim(status=ClaimStatus.CLAIMED, token=token)
        reply: list[Any] = await self._claim(keys=[name], args=[record, now, lease_ms, fingerprint])
        status = ClaimStatus(reply[0].decode())
        if status is ClaimStatus.CLAIMED:
            return Claim(status=status, token=token)
        if status is ClaimStatus.COMPLETED:
            return Claim(status=status, response=bytes(reply[1]))
        if status is ClaimStatus.IN_FLIGHT:
            return Claim(status=status, retry_after=int(reply[1]) / 1000)
        return Claim(status=status)

    async def complete(self, key: str, response: bytes, *, token: str) -> bool:
        done = await self._complete(
            keys=[self._prefix + key], args=[token, self._now_ms(), response]
        )
        return bool(done)

    async def release(self, key: str, *, token: str) -> bool:
        return bool(await self._release(keys=[self._prefix + key], args=[token]))

    async def get(self, key: str) -> IdempotencyRecord | None:
        record = await self._client.get(self._prefix + key)
        if not isinstance(record, bytes):
            return None
        header = _HEADER.match(record)
        if header is None:
            return None
        expires_at_ms = int(header.group(3))
        if expires_at_ms <= self._now_ms():
            return None
        start, length = header.end(), int(header.group(5))
        completed = header.group(1) == b"d"
        return IdempotencyRecord(
            key=key,
            fingerprint=record[start : start + length].decode(),
            completed=completed,
            response=bytes(record[start + length :]) if completed else None,
            expires_at=datetime.fromtimestamp(expires_at_ms / 1000, UTC),
        )

    async def ping(self) -> None:
        await self._client.ping()
